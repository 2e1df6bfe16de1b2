"""Quarantine counts (F2): cumulative, released and in quarantine now, for a visible set of
orders, per site and per township, each as one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from shuangying.divisions.choices import DivisionLevel
from shuangying.divisions.models import Division

from .choices import OrderKind, OrderState, Reason
from .models import Site


@dataclass(frozen=True)
class Counts:
    cumulative: int
    released: int

    @property
    def current(self) -> int:
        return self.cumulative - self.released


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _count_q(day: date, prefix: str = "") -> tuple[Q, Q]:
    started = Q(**{f"{prefix}start_date__lte": day})
    released = started & Q(
        **{f"{prefix}state": OrderState.RELEASED, f"{prefix}released_at__lt": _end_of(day)}
    )
    return started, released


def counts(orders, on: date | None = None) -> Counts:
    """Of ``orders`` (a queryset), as of the end of ``on`` (today by default)."""
    day = on or timezone.localdate()
    started, released = _count_q(day)
    row = orders.aggregate(c=Count("pk", filter=started), r=Count("pk", filter=released))
    return Counts(row["c"], row["r"])


def by_choice(orders, field: str, choices, on: date | None = None) -> list[tuple[str, Counts]]:
    day = on or timezone.localdate()
    started, released = _count_q(day)
    rows = {
        r[field]: Counts(r["c"], r["r"])
        for r in orders.values(field)
        .annotate(c=Count("pk", filter=started), r=Count("pk", filter=released))
        .order_by()
    }
    return [(str(label), rows.get(value, Counts(0, 0))) for value, label in choices]


def by_kind(orders, on=None):
    return by_choice(orders, "kind", OrderKind.choices, on)


def by_reason(orders, on=None):
    return by_choice(orders, "reason", Reason.choices, on)


def by_site(sites, on: date | None = None) -> list[tuple[Site, Counts]]:
    """Per site: the orders that ever stayed there (a transfer counts at both)."""
    day = on or timezone.localdate()
    started, released = _count_q(day, "rooms__stays__order__")
    annotated = sites.annotate(
        c=Count("rooms__stays__order", filter=started, distinct=True),
        r=Count("rooms__stays__order", filter=released, distinct=True),
    ).order_by("name")
    return [(site, Counts(site.c, site.r)) for site in annotated]


def by_township(orders, on: date | None = None) -> list[tuple[Division, Counts]]:
    """Per township (street) that has orders among ``orders``."""
    day = on or timezone.localdate()
    started, released = _count_q(day)
    townships = Division.objects.filter(level=DivisionLevel.TOWNSHIP).order_by("path")
    result = []
    for town in townships:
        row = orders.filter(division__path__startswith=town.path).aggregate(
            c=Count("pk", filter=started), r=Count("pk", filter=released)
        )
        if row["c"]:
            result.append((town, Counts(row["c"], row["r"])))
    return result


def due_today(orders, today: date | None = None):
    """Active orders whose period ends today or has ended: the releases to decide."""
    return orders.filter(state=OrderState.ACTIVE, end_date__lte=today or timezone.localdate())

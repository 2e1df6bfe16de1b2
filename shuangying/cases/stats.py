"""Figures computed from the cases (E4): "N days without a new confirmed case" for the county
and each township, as of a day. Public query functions: the dashboard panel, the pages, the
API and the health statistics (fevers/health.py) read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from shuangying.divisions.choices import DivisionLevel
from shuangying.divisions.models import Division
from shuangying.healthcodes.engine import reporting_day

from .choices import CaseClass
from .models import Case, Reclassification


@dataclass
class DaysWithout:
    name: str
    path: str
    last_confirmed: date | None  # the day of the last new confirmed case, None: never one
    days: int | None  # days since then, as of the day asked; None: never a confirmed case


def _days(last, on: date) -> tuple[date | None, int | None]:
    day = timezone.localdate(last) if last else None
    return day, (on - day).days if day else None


def days_without_confirmed(*, on: date | None = None, division=None) -> list[DaysWithout]:
    """The county first (the root above ``division``, or every root), then each township under
    it: the day of the last new confirmed case up to ``on`` and the days since. One query for
    the townships, one for the county."""
    on = on or reporting_day()
    confirmed = Case.objects.filter(confirmed_at__isnull=False, confirmed_at__date__lte=on)
    roots = Division.objects.filter(parent__isnull=True)
    if division is not None:
        roots = roots.filter(path=division.path.split("/")[0] + "/")
    rows = []
    for root in roots.order_by("path"):
        last = (
            confirmed.filter(division__path__startswith=root.path)
            .order_by("-confirmed_at")
            .values_list("confirmed_at", flat=True)
            .first()
        )
        day, days = _days(last, on)
        rows.append(DaysWithout(root.name, root.path, day, days))
        towns = (
            Division.objects.filter(level=DivisionLevel.TOWNSHIP, path__startswith=root.path)
            .annotate(
                last=Subquery(
                    confirmed.filter(division__path__startswith=OuterRef("path"))
                    .order_by("-confirmed_at")
                    .values("confirmed_at")[:1]
                )
            )
            .order_by("path")
        )
        for town in towns:
            day, days = _days(town.last, on)
            rows.append(DaysWithout(town.name, town.path, day, days))
    return rows


def class_counts(cases) -> dict[str, int]:
    """Cases per class (cumulative) in ``cases`` (a restricted queryset)."""
    counts = dict(cases.values_list("case_class").annotate(n=Count("pk")).order_by())
    return {value: counts.get(value, 0) for value in CaseClass.values}


def confirmed_total(cases) -> int:
    """Cumulative confirmed: every case ever confirmed (also those cured or died since)."""
    return cases.filter(~Q(confirmed_at=None)).count()


def class_figures(cases, *, start, end) -> dict[str, dict[str, int]]:
    """Of ``cases`` (restricted): per class, the cases that entered it between the instants
    ``start`` and ``end`` (``new``) and up to ``end`` (``cumulative``: every case that ever
    reached it, so the cured stay among the confirmed), from the reclassification history;
    and ``current``, each case's class now. Three grouped queries."""
    history = Reclassification.objects.filter(case__in=cases.values("pk"), at__lt=end)
    new = dict(
        history.filter(at__gte=start)
        .values_list("to_class")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    cumulative = dict(
        history.values_list("to_class").annotate(n=Count("case", distinct=True)).order_by()
    )
    current = class_counts(cases)
    return {
        "new": {c: new.get(c, 0) for c in CaseClass.values},
        "cumulative": {c: cumulative.get(c, 0) for c in CaseClass.values},
        "current": current,
    }

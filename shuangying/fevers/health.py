"""The county's health figures for one day (``GET /api/health/stats``): the fever loop's,
the labs' and the cases', each through its own module's public query function, narrowed to the
user's jurisdiction. The fever loop sits above labs and cases, so it is the one module that
may put the three together.

Figures are "as of" the end of the day asked (now, for today): an episode is in the step it
had reached then and overdue if that step's deadline had passed then, from the steps' own
times, so a past day reads the same tomorrow as it did that evening. A constant number of
queries whatever the number of episodes, samples or cases."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from shuangying.cases.models import Case
from shuangying.cases.stats import class_figures, days_without_confirmed
from shuangying.healthcodes.engine import reporting_day
from shuangying.labs.models import Sample
from shuangying.labs.stats import day_counts

from .choices import OPEN_STEPS, STEP_ORDER, Outcome
from .models import FeverEpisode
from .querysets import NEXT_DEADLINE, deadlines

__all__ = ["day_bounds", "fever_figures", "health_stats", "reporting_day"]

TIME_OF = {"found": "found_at", **{s: f"{s}_at" for s in STEP_ORDER[1:]}}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day's first instant and the next day's, in the county's time zone."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def fever_figures(episodes, *, start, as_of) -> dict:
    """Of ``episodes`` (restricted): found in [start, as_of); at ``as_of``, how many stood in
    each open step and how many of those were overdue; closed in [start, as_of) by outcome.
    Two queries: an indexed range count, and one pass over the episodes still open at some
    moment of the day (the closed-before-the-day ones are left out by index)."""
    found = episodes.filter(found_at__gte=start, found_at__lt=as_of).count()
    limits = deadlines()
    figures: dict = {}
    for i, step in enumerate(OPEN_STEPS):
        reached, following = TIME_OF[step], TIME_OF[STEP_ORDER[i + 1]]
        standing = Q(**{f"{reached}__lt": as_of}) & (
            Q(**{f"{following}__isnull": True}) | Q(**{f"{following}__gte": as_of})
        )
        figures[f"in_{step}"] = Count("pk", filter=standing)
        if step in NEXT_DEADLINE:
            late = Q(found_at__lt=as_of - limits[NEXT_DEADLINE[step]])
            figures[f"overdue_{step}"] = Count("pk", filter=standing & late)
    closed_today = Q(closed_at__gte=start, closed_at__lt=as_of)
    for outcome in Outcome.values:
        figures[f"closed_{outcome}"] = Count("pk", filter=closed_today & Q(outcome=outcome))
    row = (
        episodes.filter(found_at__lt=as_of)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .aggregate(**figures)
    )
    in_step = {step: row[f"in_{step}"] for step in OPEN_STEPS}
    overdue = {NEXT_DEADLINE[s]: row[f"overdue_{s}"] for s in NEXT_DEADLINE}
    closed = {o: row[f"closed_{o}"] for o in Outcome.values}
    return {
        "found": found,
        "open": sum(in_step.values()),
        "in_step": in_step,
        "overdue": sum(overdue.values()),
        "overdue_by_step": overdue,
        "closed": closed,
    }


def health_stats(user, day: dt.date, now: dt.datetime | None = None) -> dict:
    """The day's figures in ``user``'s jurisdiction. Labs and cases appear only for a role
    that may read them (None otherwise): the fever desk's grid worker sees the loop alone."""
    start, end = day_bounds(day)
    as_of = min(now or timezone.now(), end)
    if as_of < start:
        as_of = start
    samples = None
    if user.has_perm("labs.view_sample"):
        samples = day_counts(Sample.objects.restrict(user), start=start, end=as_of)
    cases = days = None
    if user.has_perm("cases.view_case"):
        cases = class_figures(Case.objects.restrict(user), start=start, end=as_of)
        days = [
            {"name": d.name, "last_confirmed": d.last_confirmed, "days": d.days}
            for d in days_without_confirmed(on=day)
        ]
    return {
        "date": day,
        "as_of": as_of,
        "fevers": fever_figures(FeverEpisode.objects.restrict(user), start=start, as_of=as_of),
        "samples": samples,
        "cases": cases,
        "days_without_confirmed": days,
    }

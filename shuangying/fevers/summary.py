"""Figures of the fever loop for the desk and the home page: overdue episodes per township
and per grid, counted in SQL (one grouped query and one for the names, whatever the count)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from shuangying.divisions.choices import DivisionLevel
from shuangying.divisions.models import Division

from .models import FeverEpisode


@dataclass
class OverdueRow:
    division: Division
    overdue: int


def _path_at(path: str, level: int) -> str:
    """The ancestor path of ``path`` at ``level`` (county 1, township 2 …)."""
    parts = path.split("/")
    return "/".join(parts[:level]) + "/"


def overdue_by(user, level: int, now=None) -> list[OverdueRow]:
    """Overdue open episodes in ``user``'s jurisdiction, summed per division at ``level``
    (township: 2; the grid or whatever division a person lives in: its own), most first."""
    counts = (
        FeverEpisode.objects.restrict(user)
        .overdue(now)
        .values_list("division__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[str, int] = {}
    for path, n in counts:
        key = _path_at(path, level) if level else path
        totals[key] = totals.get(key, 0) + n
    names = Division.objects.in_bulk(list(totals), field_name="path")
    rows = [OverdueRow(names[p], n) for p, n in totals.items() if p in names]
    return sorted(rows, key=lambda r: (-r.overdue, r.division.path))


def overdue_by_township(user, now=None) -> list[OverdueRow]:
    return overdue_by(user, DivisionLevel.TOWNSHIP, now)


def overdue_by_grid(user, now=None) -> list[OverdueRow]:
    return overdue_by(user, 0, now)

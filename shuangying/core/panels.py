"""What a module shows on the home page: a panel of figures and links for one user.

Each module that has something to show defines ``panel(user) -> Panel | None`` in its own
``dashboard.py``; the top-level dashboard app finds those modules (it imports none of them by
name) and shows the panels in order. A module returns None when the user has no part in its
work, so nobody sees a wall of zeros that are not theirs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Figure:
    label: str
    value: int | str
    url: str = ""
    alert: bool = False  # drawn as a warning (fevers, stock below the minimum)


@dataclass
class Panel:
    title: str
    figures: list[Figure] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    note: str = ""
    items: list[str] = field(default_factory=list)  # a short list under the figures
    order: int = 100
    testid: str = ""

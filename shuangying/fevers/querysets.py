"""Reads of fever episodes and reports: jurisdiction through ``restrict`` (the division
the episode belongs to), the open ones, and overdue in SQL.

A step's deadline counts from the moment the fever was found (发现): registered within
``FEVER_DEADLINES["registered"]`` minutes of it, isolated within ``["isolated"]``, sampled
within ``["sampled"]`` (settings; 60, 120 and 360 by default). An open episode is overdue
when the deadline of its next step has passed; after sampling the loop waits for the lab,
whose turnaround is the labs' to measure."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.utils import timezone

from shuangying.access import RestrictedQuerySet

from .choices import Step

DEFAULT_DEADLINES = {"registered": 60, "isolated": 120, "sampled": 360}
# The step an open episode waits for, by its status.
NEXT_DEADLINE: dict[str, str] = {
    Step.FOUND: "registered",
    Step.REGISTERED: "isolated",
    Step.ISOLATED: "sampled",
}


def deadlines() -> dict[str, dt.timedelta]:
    """Minutes after "found" within which each step is due, from ``FEVER_DEADLINES``."""
    minutes = {**DEFAULT_DEADLINES, **getattr(settings, "FEVER_DEADLINES", {})}
    return {step: dt.timedelta(minutes=int(m)) for step, m in minutes.items()}


def due_at(found_at: dt.datetime, status: str) -> dt.datetime | None:
    """When the next step of an episode in ``status`` found at ``found_at`` is due (Python's
    twin of the SQL in ``with_due``, for one object already loaded)."""
    step = NEXT_DEADLINE.get(status)
    return None if step is None else found_at + deadlines()[step]


class FeverEpisodeQuerySet(RestrictedQuerySet):
    division_path_field = "division__path"

    def open(self):
        return self.exclude(status=Step.CLOSED)

    def overdue_q(self, now: dt.datetime | None = None) -> Q:
        now = now or timezone.now()
        limits = deadlines()
        q = Q(pk__in=[])
        for status, step in NEXT_DEADLINE.items():
            q |= Q(status=status, found_at__lt=now - limits[step])
        return q

    def overdue(self, now: dt.datetime | None = None):
        """Open episodes whose next step is late: one indexed condition per step."""
        return self.filter(self.overdue_q(now))

    def with_due(self, now: dt.datetime | None = None):
        """Annotated ``due_at`` (null when no deadline waits) and ``is_overdue``."""
        now = now or timezone.now()
        limits = deadlines()
        due = Case(
            *[
                When(
                    status=status,
                    then=ExpressionWrapper(
                        F("found_at") + Value(limits[step]), output_field=DateTimeField()
                    ),
                )
                for status, step in NEXT_DEADLINE.items()
            ],
            default=None,
            output_field=DateTimeField(),
        )
        overdue = Case(When(self.overdue_q(now), then=Value(True)), default=Value(False))
        return self.annotate(due_at=due, is_overdue=overdue)

    def of_person(self, person):
        return self.filter(person=person)

    def for_list(self):
        return self.select_related("person", "division")


class FeverReportQuerySet(RestrictedQuerySet):
    division_path_field = "division__path"

    def unresolved(self):
        return self.filter(person__isnull=True)

"""Retention (docs/scaling.md): check-ins older than ``CHECKIN_RETENTION_DAYS`` are deleted,
and so are the persons an unbound check-in created when nobody verified or bound them in
that time and none of their check-ins remains."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, ProtectedError
from django.utils import timezone

from shuangying.people.models import Person

from ..models import CheckIn, CheckinRegistration
from .common import retention_days


def purge_expired_checkins(*, now: datetime | None = None) -> int:
    """Delete check-ins older than the retention period (SafeEntry kept 25 days)."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted, _ = CheckIn.objects.filter(checked_in_at__lt=cutoff).delete()
    return deleted


def purge_unverified_persons(*, now: datetime | None = None) -> int:
    """Delete persons created by public check-ins longer ago than the retention period that
    are still unverified, unbound and without a check-in: names and numbers anyone could type
    do not stay in the registry. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    expired = (
        Person.objects.filter(
            checkin_registration__created_at__lt=cutoff,
            is_verified=False,
            public_identity__isnull=True,
        )
        .exclude(Exists(CheckIn.objects.filter(person_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in list(expired):
        try:
            Person.objects.filter(pk=pk).delete()
        except ProtectedError:
            # Someone made it part of a record that must stay (a household, a pass): the grid
            # worker's to decide; it is no longer a stray typed entry.
            CheckinRegistration.objects.filter(person_id=pk).delete()
            continue
        deleted += 1
    return deleted

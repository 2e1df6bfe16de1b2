"""Public reads of lab results for other modules (quarantine's release conditions)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from .choices import Result
from .models import Sample


def negative_sample_days(person_ids, *, since: date) -> dict[int, set[date]]:
    """For each person, the local days since ``since`` on which a sample of theirs was taken
    that came back negative: its own result, or its pool's when it has none of its own (a
    positive or invalid pool gives its members nothing: they are re-sampled)."""
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    rows = (
        Sample.objects.filter(person_id__in=list(person_ids), sampled_at__gte=start)
        .filter(Q(result=Result.NEGATIVE) | Q(result="", pool__result=Result.NEGATIVE))
        .values_list("person_id", "sampled_at")
        .order_by()
    )
    found: dict[int, set[date]] = {}
    for person_id, sampled_at in rows:
        found.setdefault(person_id, set()).add(timezone.localdate(sampled_at))
    return found


def sampled_persons():
    """The ids of every person with a sample (a subquery): other modules' demo stories keep
    clear of the labs' own, whose re-sample list a new sample would change."""
    return Sample.objects.values("person_id").distinct()

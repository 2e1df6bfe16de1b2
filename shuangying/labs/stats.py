"""Figures of the labs (E3): turnaround (sampled → result) per lab over a period, and the
day's load against capacity. Public query functions: pages, the dashboard panel and the
health statistics (fevers/health.py) read them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from .models import Lab, LabDay, Sample


@dataclass
class LabFigures:
    lab: Lab
    booked: int
    capacity: int
    resulted: int
    turnaround_hours: float | None  # mean, over the single samples resulted in the period


def lab_figures(*, start: date, end: date, day: date) -> list[LabFigures]:
    """Per lab: ``day``'s booked tubes against capacity, and the mean turnaround of the
    samples resulted between ``start`` and ``end`` (inclusive)."""
    labs = list(Lab.objects.order_by("pk"))
    booked = dict(LabDay.objects.filter(day=day).values_list("lab_id", "booked"))
    spans: dict[int, list[float]] = defaultdict(list)
    rows = Sample.objects.filter(
        resulted_at__date__gte=start,
        resulted_at__date__lte=end,
        pool__isnull=True,
    ).values_list("lab_id", "sampled_at", "resulted_at")
    for lab_id, sampled, resulted in rows.iterator(chunk_size=5000):
        spans[lab_id].append((resulted - sampled) / timedelta(hours=1))
    return [
        LabFigures(
            lab,
            booked.get(lab.pk, 0),
            lab.daily_capacity,
            len(spans[lab.pk]),
            round(sum(spans[lab.pk]) / len(spans[lab.pk]), 1) if spans[lab.pk] else None,
        )
        for lab in labs
    ]


def sample_counts(samples) -> dict[str, int]:
    """Taken, resulted, positive and on the re-sample list in ``samples`` (restricted)."""
    return samples.aggregate(
        taken=Count("pk"),
        resulted=Count("pk", filter=~Q(result="") | Q(pool__result="negative")),
        positive=Count("pk", filter=Q(result="positive")),
        resample=Count("pk", filter=Q(needs_resample=True)),
    )


def day_counts(samples, *, start, end) -> dict[str, int]:
    """Of ``samples`` (restricted), between the instants ``start`` and ``end``: taken; with a
    result (a pooled sample counts when its tube's result came); positive (single samples);
    in a positive or invalid tube (to be re-sampled one by one). Three indexed range queries,
    whatever the number of samples."""
    taken = samples.filter(sampled_at__gte=start, sampled_at__lt=end).count()
    singles = samples.filter(pool__isnull=True, resulted_at__gte=start, resulted_at__lt=end)
    single = singles.aggregate(
        resulted=Count("pk"), positive=Count("pk", filter=Q(result="positive"))
    )
    pooled = samples.filter(pool__resulted_at__gte=start, pool__resulted_at__lt=end).aggregate(
        resulted=Count("pk"),
        in_failed_pool=Count("pk", filter=Q(pool__result__in=["positive", "invalid"])),
    )
    return {
        "taken": taken,
        "resulted": single["resulted"] + pooled["resulted"],
        "positive": single["positive"],
        "in_failed_pool": pooled["in_failed_pool"],
    }

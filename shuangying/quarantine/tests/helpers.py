"""Shared test helpers: a negative (or other) result for a person on a local day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

from django.utils import timezone

from shuangying.labs.models import Lab
from shuangying.labs.services import create_lab, take_sample
from shuangying.labs.services.results import ResultItem, record_results

_barcodes = count(1)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def result_on(person, day: date, result: str = "negative") -> None:
    lab = Lab.objects.first() or create_lab(
        name="隔离测试实验室", division=person.division, daily_capacity=500
    )
    # Nine in the morning, or a minute after midnight when that is still to come today.
    at = timezone.make_aware(datetime.combine(day, time(9)))
    if at > timezone.now():
        at = timezone.make_aware(datetime.combine(day, time(0, 1)))
    barcode = f"QT{next(_barcodes):05}"
    take_sample(person=person, barcode=barcode, sampled_at=at, lab=lab)
    record_results(
        items=[
            ResultItem(
                barcode=barcode,
                result=result,
                resulted_at=min(at + timedelta(hours=5), timezone.now()),
            )
        ]
    )

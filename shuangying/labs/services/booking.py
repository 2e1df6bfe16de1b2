"""The lab queue's booking (E3): each tube gets a lab and a day that never exceed the lab's
daily capacity. A slot is taken with one conditional UPDATE on the lab-day counter row
(``booked <= capacity - n``): on PostgreSQL a second booking waits for the first's row lock
and re-checks the condition on the committed row, so fifty at once never over-book; the
table's check constraint refuses it as well. What does not fit goes to another lab the same
day, then to the next day (``overflowed``, shown on the queue and in the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import F

from ..choices import BOOKING_HORIZON_DAYS
from ..models import Lab, LabDay


@dataclass
class Slot:
    lab_id: int
    day: date
    count: int
    overflowed: bool


def _ensure_days(labs: list[tuple[int, int]], day: date) -> None:
    LabDay.objects.bulk_create(
        [LabDay(lab_id=pk, day=day, capacity=capacity) for pk, capacity in labs],
        ignore_conflicts=True,
    )


def book_slots(*, count: int, day: date, lab: Lab | None = None) -> list[Slot]:
    """``count`` slots from ``day`` on, ``lab`` first when given: a list of (lab, day, how
    many). Runs in the caller's transaction, so a refusal later in it gives the slots back."""
    if count < 1:
        return []
    labs = list(Lab.objects.order_by("pk").values_list("pk", "daily_capacity"))
    if not labs:
        raise ValidationError({"lab": "实验室：尚未设置检测实验室"})
    if lab is not None:
        labs.sort(key=lambda row: row[0] != lab.pk)
    preferred = labs[0][0]
    remaining = count
    slots: list[Slot] = []
    for offset in range(BOOKING_HORIZON_DAYS):
        on = day + timedelta(days=offset)
        _ensure_days(labs, on)
        for lab_id, _capacity in labs:
            while remaining:
                row = LabDay.objects.filter(lab_id=lab_id, day=on).values("booked", "capacity")[0]
                take = min(row["capacity"] - row["booked"], remaining)
                if take <= 0:
                    break
                taken = LabDay.objects.filter(
                    lab_id=lab_id, day=on, booked__lte=F("capacity") - take
                ).update(booked=F("booked") + take)
                if taken:
                    slots.append(Slot(lab_id, on, take, offset > 0 or lab_id != preferred))
                    remaining -= take
            if not remaining:
                return slots
    raise ValidationError(
        {"booked_day": f"检测日期：{BOOKING_HORIZON_DAYS}日内各实验室均已约满，请增加检测能力"}
    )


def queue_days(*, lab: Lab, start: date, days: int = 7) -> list[LabDay]:
    """The counters of ``lab`` from ``start``: booked against capacity, per day."""
    found = {
        d.day: d
        for d in LabDay.objects.filter(lab=lab, day__gte=start, day__lt=start + timedelta(days))
    }
    return [
        found.get(
            start + timedelta(i),
            LabDay(lab=lab, day=start + timedelta(i), capacity=lab.daily_capacity),
        )
        for i in range(days)
    ]

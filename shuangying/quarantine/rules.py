"""The release conditions (F4), read from the settings: the period served
(QUARANTINE_RELEASE_REQUIRES_PERIOD) and a negative test on each day named in
QUARANTINE_RELEASE_TEST_DAYS (day 1 is the order's start date). A named day past the order's
last day (a reduced period) is not required."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from shuangying.labs.queries import negative_sample_days


@dataclass(frozen=True)
class Unmet:
    field: str
    message: str


def period_days(reason: str) -> int:
    return int(settings.QUARANTINE_PERIOD_DAYS.get(reason, 14))


def day_date(order, n: int) -> date:
    return order.start_date + timedelta(days=n - 1)


def test_days(order) -> list[int]:
    return [
        n for n in settings.QUARANTINE_RELEASE_TEST_DAYS if day_date(order, n) <= order.end_date
    ]


def unmet_conditions(order, today: date, negatives: set[date] | None = None) -> list[Unmet]:
    """What keeps ``order`` from release on ``today``, in the order the desk checks it."""
    unmet = []
    if settings.QUARANTINE_RELEASE_REQUIRES_PERIOD and today < order.end_date:
        unmet.append(
            Unmet(
                "end_date",
                f"隔离期：至{order.end_date:%Y-%m-%d}期满，今天是第"
                f"{(today - order.start_date).days + 1}天，尚未期满",
            )
        )
    days = test_days(order)
    if days:
        if negatives is None:
            negatives = negative_sample_days([order.person_id], since=order.start_date).get(
                order.person_id, set()
            )
        for n in days:
            if day_date(order, n) not in negatives:
                unmet.append(
                    Unmet(
                        "tests",
                        f"核酸检测：缺少第{n}天（{day_date(order, n):%Y-%m-%d}）的阴性结果",
                    )
                )
    return unmet

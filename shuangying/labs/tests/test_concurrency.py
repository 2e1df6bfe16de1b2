"""Fifty bookings at once on PostgreSQL (E3): each in its own thread and connection, against
two labs of 10 and 8 tubes a day. No lab-day is booked past its capacity, the counters equal
the samples, and no booking fails."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.db.models import Count

from shuangying.labs.models import LabDay, Sample
from shuangying.labs.services import create_lab, take_sample
from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person

from .conftest import at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

BOOKINGS = 50


@pytest.mark.django_db(transaction=True)
def test_50_concurrent_bookings_never_exceed_capacity(county):
    first = create_lab(name="并发甲", division=county.county, daily_capacity=10)
    create_lab(name="并发乙", division=county.county, daily_capacity=8)
    people = [
        register_person(
            actor=None,
            name=f"并发{i}",
            id_number=make_resident_id("130682", date(1990, 1, 1), 200 + i),
            division=county.grid1a,
        ).person
        for i in range(BOOKINGS)
    ]
    barrier = threading.Barrier(BOOKINGS)
    errors: list[str] = []
    lock = threading.Lock()

    def work(i):
        try:
            barrier.wait(timeout=60)
            take_sample(person=people[i], barcode=f"C{i:03}", sampled_at=at(10), lab=first)
        except Exception as exc:  # any error (a deadlock, a constraint) is a failure
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(BOOKINGS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a booking hung"
    assert not errors, errors[:3]
    assert Sample.objects.count() == BOOKINGS
    counted = {
        (lab, day): n
        for lab, day, n in Sample.objects.values("lab_id", "booked_day")
        .annotate(n=Count("pk"))
        .values_list("lab_id", "booked_day", "n")
        .order_by()
    }
    for row in LabDay.objects.all():
        assert row.booked <= row.capacity
        assert counted.get((row.lab_id, row.day), 0) == row.booked
    # Filled day by day: 18 on the 10th, 18 on the 11th, the rest on the 12th.
    per_day = {}
    for row in LabDay.objects.all():
        per_day[row.day.day] = per_day.get(row.day.day, 0) + row.booked
    assert per_day == {10: 18, 11: 18, 12: 14}

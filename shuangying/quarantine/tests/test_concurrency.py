"""Fifty room allocations at once on PostgreSQL (F2): fifty centralised orders, each in its own
thread and connection, ask for the same three rooms (two single rooms and one of two beds in a
site where households may share, all fifty of one household). Exactly four stays open, no bed
holds two open stays, and every other request is refused with the room named, none with a
database error."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count

from shuangying.people.identity import make_resident_id
from shuangying.people.services import create_household, register_person
from shuangying.quarantine import services
from shuangying.quarantine.models import Stay

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

REQUESTS = 50


@pytest.mark.django_db(transaction=True)
def test_50_concurrent_allocations_never_double_book(county):
    site = services.create_site(
        name="并发隔离点", kind="hotel", division=county.town1, shared_households=True
    )
    rooms = [
        services.create_room(site=site, number="101"),
        services.create_room(site=site, number="102"),
        services.create_room(site=site, number="201", beds=2),
    ]
    household = create_household(actor=None, division=county.grid1a, number="B-1", address="东村")
    orders = []
    for i in range(REQUESTS):
        person = register_person(
            actor=None,
            name=f"并发{i}",
            id_number=make_resident_id("130682", date(1990, 1, 1), 300 + i),
            division=county.grid1a,
        ).person
        person.household = household
        person.save(update_fields=["household"])
        orders.append(
            services.open_order(person=person, kind="centralised", reason="close_contact").order
        )
    barrier = threading.Barrier(REQUESTS)
    refused: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(i):
        try:
            barrier.wait(timeout=60)
            services.allocate_room(order=orders[i], room=rooms[i % 3])
        except ValidationError as exc:
            with lock:
                refused.append(exc.message_dict["room"][0])
        except Exception as exc:  # a deadlock or a constraint's error is a failure
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an allocation hung"
    assert not errors, errors[:3]
    open_stays = Stay.objects.filter(to_at__isnull=True)
    assert open_stays.count() == 4
    assert len(refused) == REQUESTS - 4 and all("房间" in m for m in refused)
    per_bed = open_stays.values("room", "bed").annotate(n=Count("pk")).filter(n__gt=1)
    assert not per_bed.exists()
    assert {s.room_id: 0 for s in open_stays}.keys() == {r.pk for r in rooms}

"""record_checkin under concurrency, and the offline batch (C2)."""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection, connections

from shuangying.checkins.models import CheckIn
from shuangying.checkins.services import (
    Declaration,
    Identity,
    purge_expired_checkins,
    record_checkin,
    record_checkin_batch,
)
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Person


def _hammer(place, key, identity, n=50):
    errors = []
    barrier = threading.Barrier(n)

    def one():
        try:
            barrier.wait()
            record_checkin(
                place=place, client_uuid=key, identity=identity, declaration=Declaration()
            )
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_same_uuid_posted_50_times_concurrently_is_one_row(county, place, settings):
    """On SQLite the writes are serialised by the database lock (busy timeout); on PostgreSQL
    they race on the unique index."""
    identity = Identity(
        "并发", make_resident_id("130682", date(1991, 1, 1), 51), phone="13900000051"
    )
    key = uuid.uuid4()
    errors = _hammer(place, key, identity)
    if connection.vendor == "sqlite":
        # SQLite may refuse a writer that waited too long ("database is locked"); what matters
        # is that nothing was written twice.
        errors = [e for e in errors if "locked" not in str(e)]
    assert not errors
    assert CheckIn.objects.filter(client_uuid=key).count() == 1
    assert Person.objects.filter(name="并发").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_same_uuid_concurrently_on_postgresql_has_no_errors(county, place):
    identity = Identity(
        "并发二", make_resident_id("130682", date(1991, 1, 2), 53), phone="13900000053"
    )
    key = uuid.uuid4()
    assert not _hammer(place, key, identity)
    assert CheckIn.objects.filter(client_uuid=key).count() == 1


def _item(token, n, **extra):
    item = {
        "client_uuid": str(uuid.UUID(int=n + 1)),
        "place_token": token,
        "name": f"离线{n}",
        "id_number": make_resident_id("130682", date(1985, 1, 1), 100 + n),
        "phone": "",
        "temperature": 36.6,
    }
    item.update(extra)
    return item


@pytest.mark.django_db
def test_batch_is_idempotent_with_per_item_errors(personas, place, token):
    items = [_item(token, n) for n in range(20)]
    items.append(_item(token, 20, id_number="123"))
    items.append(_item(token, 21, place_token="forged:abc"))
    items.append(_item(token, 22, client_uuid="not-a-uuid"))
    items.append(_item(token, 23, temperature="99"))
    items.append(dict(items[0]))  # the same UUID twice in one upload
    results = record_checkin_batch(items=items, actor=personas["checkpoint"])
    assert [r.created for r in results[:20]] == [True] * 20
    assert results[20].error_field == "id_number"
    assert results[21].error_code == "place_token_forged"
    assert results[22].error_field == "client_uuid"
    assert results[23].error_field == "temperature"
    assert results[24].id == results[0].id and not results[24].created
    assert CheckIn.objects.count() == 20
    assert Person.objects.filter(is_verified=False, division=place.division).count() == 20
    again = record_checkin_batch(items=items[:20], actor=personas["checkpoint"])
    assert [r.id for r in again] == [r.id for r in results[:20]]
    assert not any(r.created for r in again)
    assert CheckIn.objects.count() == 20


@pytest.mark.django_db
def test_purge_removes_rows_past_retention(people, place):
    from django.utils import timezone

    old = record_checkin(
        place=place, client_uuid=uuid.uuid4(), person=people.in_grid1a, declaration=Declaration()
    ).checkin
    CheckIn.objects.filter(pk=old.pk).update(
        checked_in_at=timezone.now() - timezone.timedelta(days=40)
    )
    record_checkin(
        place=place, client_uuid=uuid.uuid4(), person=people.in_grid1a, declaration=Declaration()
    )
    assert purge_expired_checkins() == 1
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_purge_command(capsys):
    from django.core.management import call_command

    call_command("purge_checkins")
    assert "已删除28天前的扫码登记 0 条" in capsys.readouterr().out

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

    me = people.in_grid1a
    identity = Identity(me.name, me.reveal_id_number(), phone="13800001111")
    old = record_checkin(
        place=place, client_uuid=uuid.uuid4(), identity=identity, declaration=Declaration()
    ).checkin
    CheckIn.objects.filter(pk=old.pk).update(
        checked_in_at=timezone.now() - timezone.timedelta(days=40)
    )
    record_checkin(
        place=place, client_uuid=uuid.uuid4(), identity=identity, declaration=Declaration()
    )
    assert purge_expired_checkins() == 1
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_purge_command(capsys):
    from django.core.management import call_command

    call_command("purge_checkins")
    assert "已删除28天前的扫码登记 0 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_large_mixed_batch_answers_each_item_and_resend_inserts_nothing(
    personas, people, place, other_place, token
):
    from shuangying.healthcodes.models import HealthEvent
    from shuangying.places.services import revoke_place_code
    from shuangying.places.tokens import token_for

    revoked = token_for(other_place.codes.get(revoked_at__isnull=True))
    revoke_place_code(place=other_place)
    known = [people.in_grid1a, people.in_grid2a]
    stored = _item(token, 5000)
    record_checkin_batch(items=[stored], actor=personas["checkpoint"])
    persons_before = Person.objects.count()
    items, expected = [], []
    for n in range(1000):
        kind = n % 10
        if kind in (0, 1):  # a known person (a document with spaces and a lower-case x)
            p = known[n % 2]
            item = _item(token, n, name=p.name, id_number=f" {p.reveal_id_number().lower()} ")
        elif kind == 2:  # the same UUID as the item before: one row, both answered with it
            item = dict(items[-1])
        elif kind == 3:  # already stored by an earlier upload
            item = dict(stored)
        elif kind == 4:
            item = _item(token, n, id_number="123")
        elif kind == 5:
            item = _item(token, n, place_token=revoked)
        elif kind == 6:
            item = _item(token, n, temperature=[36.5], name=7)
        elif kind == 7:  # an unknown person declaring a fever: a health event goes along
            item = _item(token, n, temperature="38.2")
        else:  # unknown persons, some of them the same person several times
            item = _item(token, n, id_number=make_resident_id("130682", date(1990, 1, 1), n % 3))
        items.append(item)
        expected.append(kind)
    items.append("not an item")
    results = record_checkin_batch(items=items, actor=personas["checkpoint"])
    assert len(results) == 1001
    by_uuid = {}
    for item, kind, r in zip(items, expected, results, strict=False):
        if kind in (0, 1, 7, 8, 9):
            assert r.created and r.id and not r.error_code, (kind, r)
            assert r.client_uuid == item["client_uuid"]
            by_uuid[r.client_uuid] = r.id
        elif kind in (2, 3):
            assert not r.created and not r.error_code
            assert r.id == by_uuid.get(r.client_uuid, results[-2].id if kind == 2 else r.id)
        elif kind == 4:
            assert (r.error_code, r.error_field) == ("invalid_id_number", "id_number")
            assert r.error_message.startswith("证件号码：") and r.id is None
        elif kind == 5:
            assert (r.error_code, r.error_message) == ("place_token_revoked", "场所码已作废")
        elif kind == 6:
            assert r.error_field == "temperature" and r.error_message == "体温：应为数字"
    assert results[-1].error_code == "invalid_item"
    duplicate = results[2]
    assert duplicate.id == results[1].id and not duplicate.created
    assert results[3].id == CheckIn.objects.get(client_uuid=stored["client_uuid"]).pk
    created = sum(r.created for r in results)
    assert created == 500
    assert CheckIn.objects.count() == 501
    assert not CheckIn.objects.filter(place=other_place).exists()
    # Unknown documents: 100 fever declarers and 3 repeated persons, unverified in the
    # place's division; the known persons were joined, not duplicated.
    new = Person.objects.filter(is_verified=False, division=place.division)
    assert Person.objects.count() - persons_before == 103
    assert new.filter(name="离线7").exists()
    assert CheckIn.objects.filter(person=people.in_grid1a).count() == 100
    fever = CheckIn.objects.get(client_uuid=items[7]["client_uuid"])
    assert fever.has_fever and str(fever.temperature) == "38.2" and fever.source == "batch"
    assert HealthEvent.objects.filter(kind="fever_unresolved", source="checkin").count() == 100
    again = record_checkin_batch(items=items, actor=personas["checkpoint"])
    assert [(r.id, r.error_code) for r in again] == [(r.id, r.error_code) for r in results]
    assert not any(r.created for r in again)
    assert CheckIn.objects.count() == 501
    assert HealthEvent.objects.filter(kind="fever_unresolved").count() == 100


def test_the_scan_statements_take_their_names_from_the_owning_models(monkeypatch):
    """A table renamed in people or identity renames it in the check-in's statements."""
    from shuangying.checkins.services import batch, fastpath, scan  # noqa: F401
    from shuangying.identity.models import PublicIdentity
    from shuangying.people.queries import person_by_hash_sql, person_ids_by_hashes_sql

    monkeypatch.setattr(Person._meta, "db_table", "renamed_person")
    monkeypatch.setattr(PublicIdentity._meta, "db_table", "renamed_identity")
    fastpath.scan_sql.cache_clear()
    try:
        sql = fastpath.scan_sql()
        assert "renamed_person p" in sql and "JOIN renamed_identity b" in sql
        assert "people_person" not in sql and "identity_publicidentity" not in sql
        assert "FROM renamed_person" in person_by_hash_sql(("id",))
        assert "FROM renamed_person" in person_ids_by_hashes_sql()
    finally:
        fastpath.scan_sql.cache_clear()

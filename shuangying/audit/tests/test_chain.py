"""The audit log is tamper-evident (issue 17): each row is a link of an HMAC chain, and
verify_audit names the first row changed, removed or forged behind the application's back
by direct SQL."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shuangying.audit import chain
from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(settings):
    settings.AUDIT_CHAIN_SHARDS = 2
    return [
        record_event(
            action=AuditAction.VIEW,
            object_type="person",
            object_id=i,
            summary=f"查看人员 {i}",
            detail={"items": i, "fields": ["phone"], "ok": True},
        )
        for i in range(12)
    ]


def raw(sql: str, params=()) -> None:
    """Direct SQL as a person with the table owner's rights would run it (on PostgreSQL the
    append-only trigger is switched off first, which its owner may)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_delete"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_delete"
            )


def test_rows_are_linked_per_shard(events):
    for shard in {e.shard for e in events}:
        links = list(AuditEvent.objects.filter(shard=shard).order_by("seq"))
        assert [e.seq for e in links] == list(range(1, len(links) + 1))
        assert links[0].prev_hash == ""
        for before, after in zip(links, links[1:], strict=False):
            assert after.prev_hash == before.hash
    report = chain.verify()
    assert report.rows == 12 and report.breaks == []


def test_verify_audit_passes_on_an_intact_log(events, capsys):
    call_command("verify_audit")
    assert "审计日志完整：共 12 条" in capsys.readouterr().out


def test_a_direct_sql_update_is_found(events):
    target = events[5]
    raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["查看人员 已改", target.pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    message = str(exc.value)
    assert f"编号 {target.pk}" in message and "内容与哈希不符" in message


def test_a_changed_detail_is_found(events):
    target = events[2]
    raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"items": 99}', target.pk])
    breaks = chain.verify().breaks
    assert [b.event_id for b in breaks] == [target.pk]


def test_a_deleted_row_is_found(events):
    target = next(e for e in events if e.seq == 2)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    (b,) = chain.verify().breaks
    assert b.shard == target.shard and b.seq == 3 and "已被删除" in b.reason


def test_a_recomputed_hash_without_the_key_is_found(events, settings):
    """Rewriting a row and its hash needs the key, which is not in the database."""
    target = events[4]
    target.summary = "伪造"
    settings.SHUANGYING_HASH_KEY = "a guess at the key"
    forged = chain.link_hash(target)
    settings.SHUANGYING_HASH_KEY = "dev-only-hash-key-change-me"
    raw(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        ["伪造", forged, target.pk],
    )
    assert [b.event_id for b in chain.verify().breaks] == [target.pk]


def test_canonical_form_reads_back_the_same(events):
    """What is hashed on insert is what is read back from the database."""
    for written in events:
        read = AuditEvent.objects.get(pk=written.pk)
        assert chain.canonical(read) == chain.canonical(written)


def _head_reads(queries) -> int:
    return sum("SELECT seq, hash FROM audit_auditevent" in q["sql"] for q in queries)


def _one(i: int):
    return record_event(action=AuditAction.VIEW, object_type="person", object_id=i, summary="x")


def test_a_second_row_in_a_transaction_links_without_reading_the_head():
    from django.test.utils import CaptureQueriesContext

    first = _one(1)
    with CaptureQueriesContext(connection) as queries:
        second = _one(2)
    assert _head_reads(queries.captured_queries) == 0
    assert not any("advisory" in q["sql"] for q in queries.captured_queries)
    assert (second.shard, second.seq, second.prev_hash) == (first.shard, first.seq + 1, first.hash)
    assert chain.verify().breaks == []


def test_a_rolled_back_savepoint_takes_its_rows_head_with_it():
    from django.db import transaction

    first = _one(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _one(2)
        _one(3)
        raise RuntimeError
    after = _one(4)
    assert (after.seq, after.prev_hash) == (first.seq + 1, first.hash)
    assert chain.verify().breaks == []


@pytest.mark.django_db(transaction=True)
def test_each_transaction_reads_its_head_afresh():
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    first = _one(1)  # its own transaction (autocommit)
    with pytest.raises(RuntimeError), transaction.atomic():
        _one(2)
        raise RuntimeError
    with CaptureQueriesContext(connection) as queries:
        second = _one(3)
    assert _head_reads(queries.captured_queries) == 1
    assert AuditEvent.objects.count() == 2
    report = chain.verify()
    assert report.breaks == [] and report.rows == 2
    if second.shard == first.shard:
        assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)

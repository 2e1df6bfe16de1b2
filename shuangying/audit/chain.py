"""The audit log's hash chain: each row carries an HMAC over its content and the previous
row's hash, so a row changed, removed or slipped in afterwards breaks the chain, and
``manage.py verify_audit`` names the first broken link.

Rows are chained per shard (``AUDIT_CHAIN_SHARDS``, 16 by default), not in one line: a
writer links onto the head of a shard no other transaction holds at that moment, so
concurrent requests do not queue behind one chain head. On PostgreSQL a shard is held by a
transaction-scoped advisory lock (tried shard by shard, blocking only when every shard is
busy); SQLite serialises writes anyway.

The HMAC key is derived from ``SHUANGYING_HASH_KEY``, which lives outside the database: a
person who can write to the table cannot recompute the chain after changing a row. Deleting
the newest rows of a shard leaves a shorter, consistent chain; ``verify_audit`` prints each
shard's head so that a kept copy of an earlier output shows it (and on PostgreSQL the app's
role cannot delete at all, see ``secure_audit_table``)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import random
import threading
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction

# The advisory lock space of the chain: this constant, shifted, plus the shard number.
LOCK_BASE = 0x5359_4155 << 8
_local = threading.local()


def shards() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHAIN_SHARDS", 16)))


def chain_key() -> bytes:
    return hmac.new(
        settings.SHUANGYING_HASH_KEY.encode(), b"shuangying audit chain v1", hashlib.sha256
    ).digest()


def _ip(value) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return str(value)


def canonical(event) -> bytes:
    """What the hash covers: every column but the id (assigned by the database) and the
    hash itself, in a form that reads back the same from SQLite and PostgreSQL."""
    return json.dumps(
        [
            event.shard,
            event.seq,
            event.prev_hash,
            event.at.astimezone(UTC).isoformat(),
            event.user_id,
            event.username,
            event.action,
            event.object_type,
            event.object_id,
            event.summary,
            event.detail,
            event.reason,
            _ip(event.ip_address),
            event.user_agent,
            event.path,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def link_hash(event, key: bytes | None = None) -> str:
    return hmac.new(key or chain_key(), canonical(event), hashlib.sha256).hexdigest()


def _preferred() -> int:
    if getattr(_local, "shard", None) is None or _local.shard >= shards():
        _local.shard = random.randrange(shards())  # noqa: S311 - spreading load, not secret
    return _local.shard


def _hold_shard() -> int:
    """A shard this transaction holds until it ends (PostgreSQL); any shard on SQLite, whose
    writers take turns on the whole database."""
    first = _preferred()
    if connection.vendor != "postgresql":
        return first
    n = shards()
    with connection.cursor() as cursor:
        for i in range(n):
            shard = (first + i) % n
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_BASE + shard])
            if cursor.fetchone()[0]:
                return shard
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_BASE + first])
    return first


class _Head:
    """The head this transaction wrote last: a no-op commit hook, so that Django keeps it
    exactly as long as the write it describes. A rolled-back savepoint drops the hooks
    registered inside it (and so the heads of the rows it undid); commit or rollback of the
    transaction drops them all."""

    __slots__ = ("shard", "seq", "hash")

    def __init__(self, shard: int, seq: int, hash: str):
        self.shard, self.seq, self.hash = shard, seq, hash

    def __call__(self) -> None:
        pass


def _held_head() -> _Head | None:
    """The newest head this transaction wrote, if it still stands. Its shard is still held
    (the advisory lock lasts until the transaction ends), so nobody else has linked onto it."""
    # Entries are (savepoint ids, function, robust); the function is the second.
    for entry in reversed(connection.run_on_commit):
        if isinstance(entry[1], _Head):
            return entry[1]
    return None


def append(event) -> None:
    """Link ``event`` (not yet saved, ``at`` set) onto a shard's head and insert it."""
    # No savepoint inside a caller's transaction: a failed insert fails the caller's work.
    with transaction.atomic(savepoint=False):
        held = _held_head()
        if held is not None:
            # A second row in the same transaction: its shard and head are known without a
            # query (a request that audits two acts pays one lock and one read, not two).
            event.shard, event.seq, event.prev_hash = held.shard, held.seq + 1, held.hash
        else:
            event.shard = _hold_shard()
            # The head by the (shard, seq) unique index; raw SQL, as it runs for every row.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT seq, hash FROM audit_auditevent WHERE shard = %s "
                    "ORDER BY seq DESC LIMIT 1",
                    [event.shard],
                )
                head = cursor.fetchone()
            event.seq, event.prev_hash = (head[0] + 1, head[1]) if head else (1, "")
        event.hash = link_hash(event)
        event.save(force_insert=True)
        transaction.on_commit(_Head(event.shard, event.seq, event.hash))


@dataclass(frozen=True)
class Break:
    shard: int
    seq: int
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"分片 {self.shard} 第 {self.seq} 条（编号 {self.event_id}）：{self.reason}"


@dataclass
class Report:
    rows: int
    heads: dict[int, tuple[int, str]]
    breaks: list[Break]


def verify(queryset=None) -> Report:
    """Walk every shard in order; the first broken link of each broken shard."""
    from .models import AuditEvent

    key = chain_key()
    rows = 0
    heads: dict[int, tuple[int, str]] = {}
    broken: dict[int, Break] = {}
    qs = queryset if queryset is not None else AuditEvent.objects.all()
    for event in qs.order_by("shard", "seq").iterator(chunk_size=2000):
        rows += 1
        if event.shard in broken:
            continue
        seq, prev = heads.get(event.shard, (0, ""))
        reason = ""
        if event.seq != seq + 1:
            reason = f"缺少第 {seq + 1} 至 {event.seq - 1} 条（已被删除）"
        elif event.prev_hash != prev:
            reason = "前一条的哈希不符（此前的记录被改动或替换）"
        elif not hmac.compare_digest(event.hash, link_hash(event, key)):
            reason = "内容与哈希不符（该条记录被改动）"
        if reason:
            broken[event.shard] = Break(event.shard, event.seq, event.id, reason)
        heads[event.shard] = (event.seq, event.hash)
    return Report(rows=rows, heads=heads, breaks=sorted(broken.values(), key=lambda b: b.event_id))

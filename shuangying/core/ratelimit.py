"""Rate limits of the public endpoints (C2 check-in, D2 verification): per address and per
device, counted in fixed windows, one set of limits per scope.

Counters live in a Django cache (``RATE_LIMIT_CACHE``) that every server process shares: the
project's own database (``CounterCache`` below, its table made by ``migrate``) unless Redis is
configured (``REDIS_URL``). A per-process LocMem cache would let each of 4 workers pass the
full limit. Limits are settings (``<PREFIX>_PER_ADDRESS``,
``<PREFIX>_PER_DEVICE``, ``<PREFIX>_WINDOW`` in seconds) so that a county behind one carrier
NAT can raise the per-address figure; 0 switches a limit off.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

from .net import client_ip


@dataclass(frozen=True)
class Scope:
    """The settings prefix of a scope and its defaults when the settings are absent."""

    prefix: str
    per_address: int
    per_device: int
    window: int


SCOPES = {
    # A scan is a person at a door: 20 a minute from one phone is already odd; an address
    # may be a whole village behind one carrier NAT.
    "checkin": Scope("CHECKIN_RATE", per_address=120, per_device=20, window=60),
    # 验码 needs no login; a gate verifies offline with the public key, so the online
    # endpoint serves people and the odd gate: 60 a minute per address.
    "verify": Scope("VERIFY_RATE", per_address=60, per_device=0, window=60),
    # Persons created by public check-ins (unknown document numbers): per address, and per
    # place (the "device" of this scope), an hour. A real newcomer registers once.
    "checkin_register": Scope("CHECKIN_REGISTER_RATE", per_address=10, per_device=60, window=3600),
    # A resident's own codes (issue/mine): a phone shows its code a few times a minute at most.
    "healthcode_mine": Scope("HEALTHCODE_MINE_RATE", per_address=60, per_device=10, window=60),
    # Public fever tip-offs and a pharmacy's public register (by place code): a person
    # reports a few neighbours, a pharmacy a few dozen buyers an hour.
    "fever_tipoff": Scope("FEVER_TIPOFF_RATE", per_address=10, per_device=0, window=3600),
    "fever_pharmacy": Scope("FEVER_PHARMACY_RATE", per_address=120, per_device=60, window=3600),
}


def limits(scope: str) -> tuple[int, int, int]:
    """(per address, per device, window seconds) of ``scope`` from the settings."""
    s = SCOPES[scope]
    return (
        int(getattr(settings, f"{s.prefix}_PER_ADDRESS", s.per_address)),
        int(getattr(settings, f"{s.prefix}_PER_DEVICE", s.per_device)),
        int(getattr(settings, f"{s.prefix}_WINDOW", s.window)) or 60,
    )


def cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


class CounterCache(DatabaseCache):
    """Django's database cache with one atomic counter: ``count(key, timeout)`` adds one and
    returns the new figure in a single upsert. ``DatabaseCache.incr`` reads, adds and writes
    back, so two processes counting at once lose hits; the upsert cannot. The alias holds
    counters only (their value is the plain number, not a pickle)."""

    _table: str  # set by DatabaseCache.__init__; the stubs do not declare it

    # Counters are keyed by address and minute: a county's addresses far exceed Django's
    # default of 300 entries, and a cull would forget counts mid-window.
    def __init__(self, table, params):
        params = {**params, "OPTIONS": {"MAX_ENTRIES": 10**9, **params.get("OPTIONS", {})}}
        super().__init__(table, params)

    def count(self, key: str, timeout: int) -> int:
        return self.count_many([key], timeout)[key]

    def count_many(self, keys: list[str], timeout: int) -> dict[str, int]:
        """Add one to each of ``keys`` and return their new figures, in one statement (a
        request counted by address and by device costs one round trip, not two)."""
        made = {self.make_and_validate_key(key): key for key in dict.fromkeys(keys)}
        sql, params = self.upsert(list(made), timeout)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            values = {made[key]: int(value) for key, value in cursor.fetchall()}
            self.sweep(cursor)
        return values

    @property
    def db(self) -> str:
        return router.db_for_write(self.cache_model_class)

    def upsert(self, keys: list[str], timeout: int) -> tuple[str, list]:
        """The statement adding one to each of ``keys`` (already made cache keys) that returns
        (cache_key, value) rows: alone in ``count_many``, or as a data-modifying CTE of a
        caller's own statement (``Charge.cte``)."""
        connection = connections[self.db]
        table = connection.ops.quote_name(self._table)
        now = datetime.now(UTC).replace(microsecond=0)
        adapt = connection.ops.adapt_datetimefield_value
        expires, now_db = adapt(now + timedelta(seconds=timeout)), adapt(now)
        rows = ", ".join(["(%s, '1', %s)"] * len(keys))
        params: list = []
        for key in keys:
            params += [key, expires]
        sql = (
            f"INSERT INTO {table} (cache_key, value, expires) VALUES {rows} "  # noqa: S608 - table name from settings, quoted
            f"ON CONFLICT (cache_key) DO UPDATE SET "
            f"value = CASE WHEN {table}.expires < %s THEN '1' "
            f"ELSE CAST(CAST({table}.value AS INTEGER) + 1 AS TEXT) END, "
            f"expires = CASE WHEN {table}.expires < %s THEN EXCLUDED.expires "
            f"ELSE {table}.expires END "
            f"RETURNING cache_key, value"
        )
        return sql, [*params, now_db, now_db]

    def sweep(self, cursor) -> None:
        """Past windows' rows are dead weight: delete them now and then, not on every hit."""
        if random.random() < 0.01:  # noqa: S311 - not security sensitive
            table = connections[self.db].ops.quote_name(self._table)
            now = connections[self.db].ops.adapt_datetimefield_value(
                datetime.now(UTC).replace(microsecond=0)
            )
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608


def _hit(store, key: str, limit: int, window: int) -> bool:
    if limit <= 0:
        return True
    bucket = f"rate:{key}:{int(time.time() // window)}"
    if isinstance(store, CounterCache):
        return store.count(bucket, window + 1) <= limit
    # Redis's INCR is atomic; LocMem serves one process only (tests, a single runserver).
    if store.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = store.incr(bucket)
    except ValueError:  # expired between add and incr
        store.add(bucket, 1, timeout=window + 1)
        return True
    return count <= limit


class RateLimited(Exception):
    """A deferred charge (``Charge``) found the request over its limit: nothing was written."""


class Charge:
    """One request's count within a scope, made once: either on its own (``settle``) or, on
    the project's own database, inside the caller's write statement (``cte``), so that a
    public check-in is counted and written in one round trip and one commit."""

    def __init__(self, request, scope: str, device: str = ""):
        per_address, per_device, self.window = limits(scope)
        self.store = cache()
        address = client_ip(request) or "unknown"
        counted = [(f"{scope}:a:{address}", per_address)]
        if device:
            counted.append((f"{scope}:d:{device[:64]}", per_device))
        self.counted = [(key, limit) for key, limit in counted if limit > 0]
        self.allowed: bool | None = None if self.counted else True

    @property
    def settled(self) -> bool:
        return self.allowed is not None

    def buckets(self) -> list[tuple[str, int]]:
        slot = int(time.time() // self.window)
        return [(f"rate:{key}:{slot}", limit) for key, limit in self.counted]

    def settle(self) -> bool:
        """Count now (unless already counted) and answer whether the request may go on."""
        if self.allowed is None:
            store, buckets = self.store, self.buckets()
            if isinstance(store, CounterCache):
                figures = store.count_many([b for b, _ in buckets], self.window + 1)
                self.allowed = all(figures[b] <= limit for b, limit in buckets)
            else:
                ok = True
                for key, limit in self.counted:
                    ok = _hit(store, key, limit, self.window) and ok
                self.allowed = ok
        return self.allowed

    def cte(self, alias: str) -> tuple[str, list] | None:
        """``(sql, params)`` of two CTEs for a statement on database ``alias``: ``rl`` counts
        the request and ``rl_ok`` holds one row whose ``ok`` column is false when it went
        over a limit. None when the counters live elsewhere (Redis, another database) or the
        request is already counted: then ``settle`` first. The caller reports the ``ok`` it
        read back with ``counted_in_statement``."""
        store = self.store
        if self.settled or not isinstance(store, CounterCache) or store.db != alias:
            return None
        buckets = [(store.make_and_validate_key(b), limit) for b, limit in self.buckets()]
        upsert, params = store.upsert([b for b, _ in buckets], self.window + 1)
        limits_sql = ", ".join(["(%s, CAST(%s AS INTEGER))"] * len(buckets))
        for key, limit in buckets:
            params += [key, limit]
        return (
            f"rl AS ({upsert}), "  # noqa: S608 - the table from settings, values as parameters
            "rl_ok AS (SELECT COALESCE(BOOL_AND(CAST(rl.value AS INTEGER) <= lim.n), TRUE) "
            f"AS ok FROM rl JOIN (VALUES {limits_sql}) AS lim (k, n) ON lim.k = rl.cache_key)",
            params,
        )

    def counted_in_statement(self, ok: bool, cursor) -> None:
        """The ``ok`` the caller's statement read back from ``cte``; ``cursor`` (on the same
        database) sweeps expired counters now and then, as ``count_many`` does."""
        self.allowed = bool(ok)
        store = self.store
        if isinstance(store, CounterCache):
            store.sweep(cursor)


def charge(request, scope: str, device: str = "") -> Charge:
    """The request's count in ``scope``, not yet made (see ``Charge``)."""
    return Charge(request, scope, device)


def allow(request, scope: str, device: str = "") -> bool:
    """Count this request against its address and (when known) its device within ``scope``;
    False when either is over its limit. Scopes count apart: verifying codes does not use up
    an address's check-ins."""
    return Charge(request, scope, device).settle()

"""Rate limits of the public endpoints (C2 check-in, D2 verification): per address and per
device, counted in fixed windows, one set of limits per scope.

Counters live in a Django cache (``RATE_LIMIT_CACHE``, the default cache unless set): the
per-process LocMem cache for one server process, the database cache or Redis when several
processes must share one count. Limits are settings (``<PREFIX>_PER_ADDRESS``,
``<PREFIX>_PER_DEVICE``, ``<PREFIX>_WINDOW`` in seconds) so that a county behind one carrier
NAT can raise the per-address figure; 0 switches a limit off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

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


def _hit(store, key: str, limit: int, window: int) -> bool:
    if limit <= 0:
        return True
    bucket = f"rate:{key}:{int(time.time() // window)}"
    if store.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = store.incr(bucket)
    except ValueError:  # expired between add and incr
        store.add(bucket, 1, timeout=window + 1)
        return True
    return count <= limit


def allow(request, scope: str, device: str = "") -> bool:
    """Count this request against its address and (when known) its device within ``scope``;
    False when either is over its limit. Scopes count apart: verifying codes does not use up
    an address's check-ins."""
    per_address, per_device, window = limits(scope)
    store = cache()
    address = client_ip(request) or "unknown"
    ok = _hit(store, f"{scope}:a:{address}", per_address, window)
    if device:
        ok = _hit(store, f"{scope}:d:{device[:64]}", per_device, window) and ok
    return ok

"""Rate limits of the public check-in (C2): per address and per device, in fixed windows.

Counters live in a Django cache (``CHECKIN_RATE_CACHE``, the default cache unless set): the
per-process LocMem cache for one server process, the database cache or Redis when several
processes must share one count. Limits are settings so that a county behind one carrier NAT
can raise the per-address figure; 0 switches a limit off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "CHECKIN_RATE_PER_ADDRESS", 120)),
        int(getattr(settings, "CHECKIN_RATE_PER_DEVICE", 20)),
        int(getattr(settings, "CHECKIN_RATE_WINDOW", 60)),
    )


def _hit(cache, key: str, limit: int, window: int) -> bool:
    if limit <= 0:
        return True
    bucket = f"checkin-rate:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        return True
    return count <= limit


def allow(request, device: str = "") -> bool:
    """Count this request against its address and (when known) its device; False when either
    is over its limit."""
    per_address, per_device, window = _limits()
    cache = caches[getattr(settings, "CHECKIN_RATE_CACHE", "default")]
    address = request.META.get("REMOTE_ADDR") or "unknown"
    ok = _hit(cache, f"a:{address}", per_address, window)
    if device:
        ok = _hit(cache, f"d:{device[:64]}", per_device, window) and ok
    return ok

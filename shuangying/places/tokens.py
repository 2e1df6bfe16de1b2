"""Signed place-code tokens (C1, C2).

The token is the code's random nonce signed with the project's SECRET_KEY (salted): a forged
or altered token fails before any database lookup; a revoked or expired code fails after.
"""

from __future__ import annotations

import time

from django.core import signing
from django.db import connection
from django.utils import timezone

SALT = "shuangying.places.code"

# Codes by nonce, per process, for ``peek_token``: which code and place a token names never
# changes, only whether the code may still be used — and that is checked where it matters,
# in the statement that writes (``USABLE_SQL``).
PEEK_TTL = 60.0
PEEK_MAX = 4096
_peeked: dict = {}

# A place code is usable now: not revoked, not expired, its place active. Parameters: the
# code's id and the current time. For statements that check it where they write (the public
# check-in's insert), so that a revocation takes effect at once whatever a process cached.
USABLE_SQL = (
    "EXISTS (SELECT 1 FROM places_placecode c JOIN places_place p ON p.id = c.place_id "
    "WHERE c.id = %s AND c.revoked_at IS NULL "
    "AND (c.valid_until IS NULL OR c.valid_until > %s) AND p.is_active)"
)


class PlaceTokenError(Exception):
    """Why a token cannot be used; ``reason`` is one of forged, revoked, expired, inactive."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_for(code) -> str:
    return signing.Signer(salt=SALT).sign(code.nonce)


def _nonce(token: str) -> str:
    try:
        return signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        raise PlaceTokenError("forged") from None


def _code_for(nonce: str):
    from .models import PlaceCode

    code = PlaceCode.objects.select_related("place", "place__division").filter(nonce=nonce).first()
    if code is None:
        raise PlaceTokenError("forged")
    return code


def resolve_token(token: str):
    """The active PlaceCode for ``token`` (with its place), or PlaceTokenError."""
    code = _code_for(_nonce(token))
    if code.revoked_at is not None:
        raise PlaceTokenError("revoked")
    if code.valid_until is not None and code.valid_until <= timezone.now():
        raise PlaceTokenError("expired")
    if not code.place.is_active:
        raise PlaceTokenError("inactive")
    return code


def peek_token(token: str):
    """The PlaceCode ``token`` names (with its place), from a per-process cache: forged
    tokens raise PlaceTokenError("forged"), but whether the code is still usable is NOT
    checked — the caller checks ``USABLE_SQL`` in the statement that writes, or calls
    ``resolve_token``. The hot path of the public check-in: no query for a known code."""
    from django.conf import settings

    # Keyed by the token as signed (and the key that must have signed it): a known poster's
    # scan skips the signature check as well as the query. A forged token is never cached.
    key = (settings.SECRET_KEY, token)
    now = time.monotonic()
    hit = _peeked.get(key)
    if hit is not None and now - hit[0] < PEEK_TTL:
        return hit[1]
    code = _code_for(_nonce(token))
    if len(_peeked) >= PEEK_MAX:
        _peeked.clear()
    _peeked[key] = (now, code)
    return code


def code_usable(code_id: int) -> bool:
    """``USABLE_SQL`` on its own: is this code usable now (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {USABLE_SQL}",  # noqa: S608 - constant SQL, values as parameters
            [code_id, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return bool(cursor.fetchone()[0])


def public_base_url(request=None) -> str:
    """Where residents reach this server, for the URL a poster's QR holds: the configured
    SHUANGYING_PUBLIC_BASE_URL (production requires it); in the demo without it, the host and
    port the page was asked on, and for work without a request (the poster worker) the address
    ``make run`` serves on (SHUANGYING_SERVED_AT)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    base = getattr(settings, "SHUANGYING_PUBLIC_BASE_URL", "") or ""
    if not base and request is not None:
        base = request.build_absolute_uri("/")
    base = base or getattr(settings, "SHUANGYING_SERVED_AT", "") or ""
    if not base:
        raise ImproperlyConfigured(
            "SHUANGYING_PUBLIC_BASE_URL is not set: the address residents reach this server at"
        )
    return base.rstrip("/")


def checkin_url(code, base_url: str = "") -> str:
    """The absolute URL a place code's QR holds: the public check-in page for its token under
    ``base_url`` (``public_base_url(request)`` of the page or API call asking; the setting
    when left empty). Never the place's id."""
    from django.urls import NoReverseMatch, reverse

    token = token_for(code)
    try:
        path = reverse("checkins:public_checkin", args=[token])
    except NoReverseMatch:
        path = f"/c/{token}/"
    return (base_url.rstrip("/") or public_base_url()) + path

"""Signed place-code tokens (C1, C2).

The token is the code's random nonce signed with the project's SECRET_KEY (salted): a forged
or altered token fails before any database lookup; a revoked or expired code fails after.
"""

from __future__ import annotations

from django.core import signing
from django.utils import timezone

SALT = "shuangying.places.code"


class PlaceTokenError(Exception):
    """Why a token cannot be used; ``reason`` is one of forged, revoked, expired, inactive."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_for(code) -> str:
    return signing.Signer(salt=SALT).sign(code.nonce)


def resolve_token(token: str):
    """The active PlaceCode for ``token`` (with its place), or PlaceTokenError."""
    from .models import PlaceCode

    try:
        nonce = signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature:
        raise PlaceTokenError("forged") from None
    code = PlaceCode.objects.select_related("place", "place__division").filter(nonce=nonce).first()
    if code is None:
        raise PlaceTokenError("forged")
    if code.revoked_at is not None:
        raise PlaceTokenError("revoked")
    if code.valid_until is not None and code.valid_until <= timezone.now():
        raise PlaceTokenError("expired")
    if not code.place.is_active:
        raise PlaceTokenError("inactive")
    return code


def checkin_url(code, request=None) -> str:
    """The absolute URL a place code's QR holds: the public check-in page for its token.

    The check-in view (``checkins:public_checkin``) is built in its own app; until it exists
    the path is the agreed ``/c/<token>/``. The host comes from SHUANGYING_PUBLIC_BASE_URL
    (posters are printed once and scanned from anywhere, so never from the request's Host)."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    token = token_for(code)
    try:
        path = reverse("checkins:public_checkin", args=[token])
    except NoReverseMatch:
        path = f"/c/{token}/"
    base = getattr(settings, "SHUANGYING_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + path

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

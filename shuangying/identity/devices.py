"""The device cookie: the signed list of bound references a phone remembers (no document
number, no name). Read by the public check-in and by the resident's own health code."""

from __future__ import annotations

from django.conf import settings

from shuangying.core.signers import cookie_sign

from .services import MAX_REFS, persons_for_refs

DEVICE_COOKIE = "sy_checkin"
DEVICE_SALT = "shuangying.checkins.device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60


def device_refs(request) -> list[str]:
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    return [ref for ref in value.split(".") if ref][:MAX_REFS]


def remember(response, refs: list[str]) -> None:
    # set_signed_cookie's value, from a signer built once (core.signers).
    response.set_cookie(
        DEVICE_COOKIE,
        cookie_sign(DEVICE_COOKIE, ".".join(dict.fromkeys(r for r in refs if r)), salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remembered_persons(request) -> list:
    """The bound persons this phone remembers: a resident's own codes without an account."""
    return persons_for_refs(device_refs(request))

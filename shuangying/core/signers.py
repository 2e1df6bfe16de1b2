"""Signers built once per key and salt, for the public scan's hot path.

Django builds a new signer on every ``sign`` call (and for a signed cookie imports the signing
backend first); the public check-in signs twice per request (its result link and the device
cookie). A signer is immutable once built, so one per (salt, secret key) is enough; a changed
``SECRET_KEY`` (a rotation, a test's override) builds a new one. Signing only: verification
keeps Django's own calls, which also try the fallback keys."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core import signing


@functools.lru_cache(maxsize=16)
def _timestamp_signer(salt: str, key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=key, salt=salt)


@functools.lru_cache(maxsize=16)
def _cookie_signer(salt: str, key: str) -> signing.Signer:
    return signing.get_cookie_signer(salt=salt)


def timestamp_sign(value: str, *, salt: str) -> str:
    """``signing.TimestampSigner(salt=salt).sign(value)``."""
    return _timestamp_signer(salt, settings.SECRET_KEY).sign(value)


def cookie_sign(name: str, value: str, *, salt: str) -> str:
    """The value ``response.set_signed_cookie(name, value, salt=salt)`` would store."""
    return _cookie_signer(name + salt, settings.SECRET_KEY).sign(value)

"""Authenticated encryption and keyed hashes for personal data at rest (M1).

Values are stored as ``<key id>$<base64(nonce || ciphertext+tag)>`` with AES-256-GCM. The key
id lets keys rotate: the first key in SHUANGYING_DATA_KEYS encrypts, every listed key
decrypts, and ``manage.py rotate_keys`` re-encrypts old rows. An unknown key id or a failed
tag raises DecryptionError: ciphertext is never handed back as if it were data.

Lookups use HMAC-SHA256 under SHUANGYING_HASH_KEY, a key that lives outside the database.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """The value cannot be decrypted with the configured keys."""


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    active = ""
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, encoded = part.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(
                f"SHUANGYING_DATA_KEYS: key {key_id!r} is not base64"
            ) from exc
        if len(raw) != 32 or not key_id or "$" in key_id:
            raise ImproperlyConfigured(
                f"SHUANGYING_DATA_KEYS: key {key_id!r} must be 32 bytes with a short id"
            )
        keys[key_id] = AESGCM(raw)
        active = active or key_id
    if not keys:
        raise ImproperlyConfigured("SHUANGYING_DATA_KEYS holds no key")
    return active, keys


def _keys() -> tuple[str, dict[str, AESGCM]]:
    return _parse_keys(settings.SHUANGYING_DATA_KEYS)


def active_key_id() -> str:
    return _keys()[0]


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. "person.id_number") is bound as associated data."""
    key_id, keys = _keys()
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{key_id}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    key_id, sep, body = token.partition("$")
    _active, keys = _keys()
    if not sep or key_id not in keys:
        raise DecryptionError(f"no key {key_id!r} for this value")
    try:
        raw = base64.b64decode(body, validate=True)
        return keys[key_id].decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("value failed authentication") from exc


def key_id_of(token: str) -> str:
    return token.partition("$")[0]


def lookup_hash(value: str, *, context: str) -> str:
    """Keyed hash for exact lookups; the same value in another context hashes differently."""
    key = settings.SHUANGYING_HASH_KEY.encode()
    return hmac.digest(key, f"{context}\x00{value}".encode(), "sha256").hex()

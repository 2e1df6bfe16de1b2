"""Signed health-code tokens (D2): ``base64url(payload).base64url(signature)``.

The payload is compact JSON: ``iss`` issuer, ``ref`` the person's opaque reference (never the
document number), ``n`` the masked name, ``c`` the colour code, ``iat`` and ``exp`` (Unix
seconds). The signature is Ed25519 over the encoded payload, so a gate holding only the public
key (``GET /api/healthcodes/public-key``) verifies a code offline. The private key comes from
SHUANGYING_HEALTHCODE_SIGNING_KEY (base64 of the raw 32 bytes).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_SECONDS = 300  # a screenshot is useless after five minutes
MAX_TOKEN_LENGTH = 400


class TokenError(ValueError):
    """The token is malformed, forged or expired; the message is Chinese."""


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _private_key(encoded: str) -> Ed25519PrivateKey:
    if not encoded:
        raise ImproperlyConfigured("SHUANGYING_HEALTHCODE_SIGNING_KEY is not set")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured("SHUANGYING_HEALTHCODE_SIGNING_KEY must be base64 of 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.SHUANGYING_HEALTHCODE_SIGNING_KEY)


@lru_cache(maxsize=4)
def _public_key(encoded: str) -> Ed25519PublicKey:
    return _private_key(encoded).public_key()


def public_key() -> Ed25519PublicKey:
    return _public_key(settings.SHUANGYING_HEALTHCODE_SIGNING_KEY)


def public_key_raw_b64() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64e(raw)


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def issuer() -> str:
    return getattr(settings, "SHUANGYING_HEALTHCODE_ISSUER", "shuangying")


@dataclass(frozen=True)
class TokenClaims:
    issuer: str
    ref: str
    masked_name: str
    colour: str
    issued_at: int
    expires_at: int


def sign(*, ref: str, masked_name: str, colour: str, now: float | None = None) -> TokenClaims:
    """Claims for a new token (see ``encode``)."""
    now_s = int(now if now is not None else time.time())
    return TokenClaims(issuer(), ref, masked_name, colour, now_s, now_s + TOKEN_SECONDS)


def encode(claims: TokenClaims) -> str:
    payload = json.dumps(
        {
            "iss": claims.issuer,
            "ref": claims.ref,
            "n": claims.masked_name,
            "c": claims.colour,
            "iat": claims.issued_at,
            "exp": claims.expires_at,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    body = b64e(payload)
    return f"{body}.{b64e(private_key().sign(body.encode()))}"


def decode(token: str, *, now: float | None = None, key: Ed25519PublicKey | None = None):
    """The claims of a genuine, unexpired token; TokenError otherwise."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise TokenError("不是有效的健康码")
    body, _, sig = token.partition(".")
    try:
        signature = b64d(sig)
        payload = json.loads(b64d(body))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise TokenError("不是有效的健康码") from None
    try:
        (key or public_key()).verify(signature, body.encode())
    except InvalidSignature:
        raise TokenError("健康码签名无效，可能被篡改") from None
    if not isinstance(payload, dict) or payload.get("iss") != issuer():
        raise TokenError("健康码签发方不符")
    try:
        claims = TokenClaims(
            str(payload["iss"]),
            str(payload["ref"]),
            str(payload.get("n", "")),
            str(payload["c"]),
            int(payload["iat"]),
            int(payload["exp"]),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenError("不是有效的健康码") from None
    if claims.expires_at <= (now if now is not None else time.time()):
        raise TokenError("健康码已过期，请刷新后重新出示")
    return claims

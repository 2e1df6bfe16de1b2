"""Helpers for tests that need a health code which must not verify."""

from shuangying.healthcodes import tokens


def tampered(token: str) -> str:
    """``token`` with one byte of its decoded signature flipped: always a different signature
    (editing the last characters of the text can leave the decoded bytes unchanged, since the
    last base64 character carries padding bits)."""
    body, signature = token.split(".")
    raw = bytearray(tokens.b64d(signature))
    raw[len(raw) // 2] ^= 0x01
    return f"{body}.{tokens.b64e(bytes(raw))}"

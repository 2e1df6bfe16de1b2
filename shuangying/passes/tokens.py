"""Signed pass tokens, the same approach as place codes (places/tokens.py): the pass's random
nonce signed with SECRET_KEY under its own salt, so a place-code token is not a pass."""

from __future__ import annotations

from django.core import signing

SALT = "shuangying.passes.pass"


def token_for(pass_obj) -> str:
    return signing.Signer(salt=SALT).sign(pass_obj.nonce)


def pass_for_token(token: str):
    """The Pass for ``token`` (revoked and expired ones too: the check says why), or None when
    the token is forged or unknown."""
    from .models import Pass

    try:
        nonce = signing.Signer(salt=SALT).unsign((token or "").strip())
    except signing.BadSignature:
        return None
    return (
        Pass.objects.select_related("division", "household", "person").filter(nonce=nonce).first()
    )

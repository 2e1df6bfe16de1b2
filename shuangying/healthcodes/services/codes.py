"""Issuing and verifying the signed health code (D2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.masking import mask_name

from .. import tokens
from ..engine import CodeResult, cached_palette, current_code
from ..models import (
    HealthCodeRef,
)

# --- issue and verify ------------------------------------------------------------------------


@dataclass
class IssuedCode:
    token: str
    result: CodeResult
    expires_at: datetime


def person_ref(person) -> str:
    ref, _created = HealthCodeRef.objects.get_or_create(person=person)
    return ref.ref


def issue_code(*, person, actor=None, audit: bool = True) -> IssuedCode:
    """制码: the person's colour now, signed for a few minutes."""
    result = current_code(person)
    claims = tokens.sign(
        ref=person_ref(person), masked_name=mask_name(person.name), colour=result.colour
    )
    token = tokens.encode(claims)
    if audit:
        record_event(
            user=actor,
            action=AuditAction.VIEW,
            object_type="health_code",
            object_id=person.pk,
            summary=f"出示健康码 人员{person.pk} {result.label}",
        )
    return IssuedCode(
        token, result, datetime.fromtimestamp(claims.expires_at, tz=timezone.get_current_timezone())
    )


@dataclass
class Verification:
    valid: bool
    colour: str = ""
    label: str = ""
    hex: str = ""
    masked_name: str = ""
    expires_at: datetime | None = None
    message: str = ""


def verify_code(token: str, *, now: float | None = None) -> Verification:
    """验码: the signature and expiry are checked offline-style (public key only); the
    colour is the one signed into the token."""
    try:
        claims = tokens.decode(token, now=now)
    except tokens.TokenError as exc:
        return Verification(False, message=str(exc))
    colour = cached_palette().get(claims.colour)
    return Verification(
        True,
        claims.colour,
        colour.label if colour else claims.colour,
        colour.hex if colour else "",
        claims.masked_name,
        datetime.fromtimestamp(claims.expires_at, tz=timezone.get_current_timezone()),
        "有效",
    )

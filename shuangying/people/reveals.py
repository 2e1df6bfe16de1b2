"""Plaintext document numbers and phones (M1, issue 17): only for roles with
``people.reveal_person``, only for a stated purpose and a reason in words, audited before the
values leave, and at most so many times an hour per user (``limits``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from shuangying.audit.models import AuditAction, AuditEvent

from . import limits
from .choices import RevealPurpose
from .models import Person

REASON_MIN_CHARS = 4


def clean_reveal_reason(purpose: str, reason: str) -> str:
    """The audit log's reason, "<purpose>:<text>"; ValidationError naming the field when the
    purpose is not one of the list or the text is not a reason (too short, punctuation only,
    one character repeated)."""
    if purpose not in RevealPurpose.values:
        raise ValidationError({"purpose": "查看用途：请从列表中选择查看明文的用途"})
    text = " ".join((reason or "").split())
    words = [ch for ch in text if ch.isalnum()]
    if len(words) < REASON_MIN_CHARS or len(set(words)) < 2:
        raise ValidationError(
            {"reason": f"查看原因：请写明具体原因（至少{REASON_MIN_CHARS}个汉字、字母或数字）"}
        )
    return f"{RevealPurpose(purpose).label}：{text}"


def reveal_person_fields(*, actor, person: Person, purpose: str, reason: str) -> dict:
    """Full document number and phone. The audit row is written first; RateLimited when the
    actor has used up their allowance (the refusal alerts the security administrator)."""
    if not actor.has_perm("people.reveal_person"):
        raise PermissionDenied
    stated = clean_reveal_reason(purpose, reason)
    with limits.counted(actor, limits.REVEAL, AuditEvent.objects.filter(action=AuditAction.REVEAL)):
        person.log_action(
            AuditAction.REVEAL, user=actor, summary=f"查看明文 {person.name}", reason=stated
        )
    return {"id_number": person.reveal_id_number(), "phone": person.reveal_phone()}

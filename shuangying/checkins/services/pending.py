"""Declarations of unbound check-ins (issue 17): the person's grid worker confirms or rejects
them; only a confirmed one becomes health events (healthcodes' services)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.access import can
from shuangying.audit.models import AuditAction

from ..models import CheckIn, DeclarationStatus, PendingDeclaration
from .common import Declaration, forward_declaration


@transaction.atomic
def decide_declaration(
    *, actor, declaration: PendingDeclaration, confirm: bool
) -> PendingDeclaration:
    """Confirm (the declaration's health events are recorded) or reject it."""
    if not can(actor, declaration, "change"):
        raise PermissionDenied("您无权核实该人员的申报")
    locked = PendingDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status != DeclarationStatus.PENDING:
        raise ValidationError("该申报已核实过")
    locked.status = DeclarationStatus.CONFIRMED if confirm else DeclarationStatus.REJECTED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        forward_declaration(
            checkin=CheckIn(
                pk=locked.checkin_id, checked_in_at=locked.checked_in_at, place_id=locked.place_id
            ),
            person=locked.person,
            declaration=Declaration(
                locked.temperature,
                locked.has_fever,
                tuple(locked.symptom_list()),
                locked.travel,
                locked.travel_from,
            ),
            actor=actor,
        )
    locked.log_action(
        AuditAction.UPDATE,
        summary=f"{'确认' if confirm else '驳回'}扫码申报 人员{locked.person_id}",
        detail={"status": locked.status, "checkin": locked.checkin_id},
        user=actor,
    )
    return locked

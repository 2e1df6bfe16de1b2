"""Overrides, appeals and arrival reviews: a person's colour changed by a decision, with
a second person where the rules require one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import (
    ENDED_BY,
    AppealStatus,
    EventKind,
    EventSource,
    RequestStatus,
    RiskLevel,
)
from ..engine import current_code
from ..models import (
    Appeal,
    ArrivalReview,
    HealthEvent,
    OverrideRequest,
    PaletteColour,
)
from ..permissions import require_may_record
from .events import refresh_state

# --- overrides and appeals -----------------------------------------------------------------


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({field: "请填写原因"})
    return text


@transaction.atomic
def request_override(
    *, actor, person, colour: str, reason: str, ends_at: datetime | None = None
) -> OverrideRequest:
    """Propose a manual colour (health roles only); it takes effect only after a second
    person approves it."""
    require_may_record(actor, EventKind.MANUAL_OVERRIDE)
    reason = _reason(reason)
    if not PaletteColour.objects.filter(code=colour).exists():
        raise ValidationError({"colour": "码色不存在"})
    ends_at = ends_at or timezone.now() + timedelta(days=7)
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "截止时间应晚于现在"})
    override = OverrideRequest.objects.create(
        person=person, colour_id=colour, reason=reason, ends_at=ends_at, requested_by=actor
    )
    override.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"申请人工赋码 人员{person.pk} → {colour}",
        reason=reason,
    )
    return override


@transaction.atomic
def decide_override(
    *, actor, override: OverrideRequest, approve: bool, note: str = ""
) -> OverrideRequest:
    """Approve or reject a pending override: only a user with ``approve_override`` who did not
    request it (the database refuses the same person too)."""
    if not actor.has_perm("healthcodes.approve_override"):
        raise PermissionDenied
    override = OverrideRequest.objects.select_for_update().get(pk=override.pk)
    if override.requested_by_id == actor.pk:
        raise ValidationError({"decided_by": "人工赋码须由申请人以外的另一人审批"})
    if override.status != RequestStatus.PENDING:
        raise ValidationError({"status": "该申请已处理"})
    now = timezone.now()
    override.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    override.decided_by = actor
    override.decided_at = now
    override.decision_note = (note or "").strip()[:200]
    if approve:
        override.event = HealthEvent.objects.create(
            person_id=override.person_id,
            kind=EventKind.MANUAL_OVERRIDE,
            occurred_at=now,
            colour=override.colour_id,
            ends_at=override.ends_at,
            source=EventSource.OFFICER,
            detail={"override": override.pk},
            recorded_by=actor,
        )
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError:
        raise ValidationError({"decided_by": "人工赋码须由申请人以外的另一人审批"}) from None
    override.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"{'批准' if approve else '驳回'}人工赋码 人员{override.person_id}",
        reason=override.decision_note,
    )
    refresh_state(override.person)
    return override


@transaction.atomic
def file_appeal(*, actor, person, reason: str) -> Appeal:
    """申诉: filed from the code page by the person's grid worker (or the person)."""
    reason = _reason(reason)
    appeal = Appeal.objects.create(
        person=person,
        colour_at_filing=current_code(person).colour,
        reason=reason[:300],
        filed_by=actor,
    )
    appeal.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"健康码申诉 人员{person.pk}",
        reason=reason[:300],
    )
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    actor,
    appeal: Appeal,
    accept: bool,
    note: str,
    colour: str | None = None,
    ends_at: datetime | None = None,
) -> Appeal:
    """An officer decides an appeal. Accepting it with a colour proposes an override, which
    still needs a second approver: an appeal never changes a colour on one person's word."""
    note = _reason(note, "decision_note")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError({"status": "该申诉已处理"})
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.decision_note = note[:200]
    if accept and colour:
        appeal.override = request_override(
            actor=actor,
            person=appeal.person,
            colour=colour,
            reason=f"申诉采纳：{note}"[:200],
            ends_at=ends_at,
        )
    appeal.save()
    appeal.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"{'采纳' if accept else '不予采纳'}申诉 人员{appeal.person_id}",
        reason=note[:300],
    )
    return appeal


@transaction.atomic
def review_arrival(*, actor, arrival: HealthEvent, approve: bool, note: str) -> ArrivalReview:
    """Staff from a low-risk area return to work after review (D3): an approval clears the
    arrival (an ``arrival_cleared`` event); arrivals from medium or high risk areas run their
    course."""
    note = _reason(note, "note")
    if arrival.kind != EventKind.RISK_AREA_ARRIVAL:
        raise ValidationError({"arrival": "不是来自风险地区的记录"})
    if approve and arrival.risk_level != RiskLevel.LOW:
        raise ValidationError({"arrival": "只有来自低风险地区的人员可经审核返岗"})
    review = ArrivalReview.objects.create(
        person_id=arrival.person_id, arrival=arrival, approved=approve, note=note, decided_by=actor
    )
    if approve:
        HealthEvent.objects.create(
            person_id=arrival.person_id,
            kind=ENDED_BY[EventKind.RISK_AREA_ARRIVAL],
            occurred_at=timezone.now(),
            source=EventSource.OFFICER,
            detail={"review": review.pk},
            recorded_by=actor,
        )
    arrival.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"返岗审核{'通过' if approve else '不通过'} 人员{arrival.person_id}",
        reason=note,
    )
    refresh_state(arrival.person)
    return review

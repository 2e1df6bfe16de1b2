"""Orders (F1) and their release (F4).

One active order per person (a partial unique index): a second order for a person already in
quarantine is not a new row but a change to the first (an extension when it ends later),
returned with ``created`` False and saying so. The period changes only in ``change_order``,
which keeps the history. The quarantine's health-code facts are this module's own
(``actor`` None for the health event, like a lab's result in cases): who may order or release
is decided by the quarantine codenames, and the order's audit row names the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.divisions.services import assignments_for
from shuangying.healthcodes.choices import EventKind, EventSource
from shuangying.healthcodes.services import record_health_event

from ..choices import ChangeKind, OrderKind, OrderState, Reason
from ..models import OrderChange, QuarantineOrder, Stay
from ..rules import period_days, unmet_conditions
from .rooms import close_stay

MAX_DAYS = 60


@dataclass
class OpenResult:
    order: QuarantineOrder
    created: bool
    change: OrderChange | None = None

    @property
    def message(self) -> str:
        if self.created:
            return "已下达隔离令"
        if self.change is not None:
            return (
                f"该人员已在隔离中：未新建隔离令，已将原隔离令延长至{self.order.end_date:%Y-%m-%d}"
            )
        return f"该人员已在隔离中：未新建隔离令，原隔离令至{self.order.end_date:%Y-%m-%d}期满"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _name(actor) -> str:
    user = _user(actor)
    return (user.get_full_name() or user.get_username()) if user else "系统"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def find_grid_worker(division):
    """The user who answers for ``division`` (a grid): a leader assigned to it (A3), or else
    an active grid worker holding it; None when neither."""
    for assignment in assignments_for(division):
        if assignment.leader_id and assignment.leader.is_active:
            return assignment.leader
    return (
        get_user_model()
        .objects.filter(divisions=division, groups__name="grid_worker", is_active=True)
        .order_by("pk")
        .first()
    )


def _clean_days(days, field="days") -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({field: "天数：请填写整数"}) from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({field: f"天数：应在1到{MAX_DAYS}天之间"})
    return days


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "原因：必填"})
    if len(reason) > 200:
        raise ValidationError({field: "原因：最多200个字"})
    return reason


@transaction.atomic
def open_order(
    *,
    person,
    kind: str,
    reason: str,
    reason_text: str = "",
    start_date: date | None = None,
    days: int | None = None,
    actor=None,
) -> OpenResult:
    """Order ``person`` into quarantine from ``start_date`` for ``days`` (the reason's period
    by default) and record ``quarantine_started``. A person already in quarantine gets no
    second order: the first is extended when this one would end later."""
    if kind not in OrderKind.values:
        raise ValidationError({"kind": "隔离方式：取值应为居家隔离、集中隔离或医学观察"})
    if reason not in Reason.values:
        raise ValidationError({"reason": "隔离原因：不是有效的取值"})
    reason_text = (reason_text or "").strip()
    if reason == Reason.OTHER and not reason_text:
        raise ValidationError({"reason_text": "原因说明：隔离原因为“其他”时必填"})
    if len(reason_text) > 100:
        raise ValidationError({"reason_text": "原因说明：最多100个字"})
    days = _clean_days(period_days(reason) if days is None else days)
    today = timezone.localdate()
    start = start_date or today
    if start > today + timedelta(days=7):
        raise ValidationError({"start": "开始日期：不能晚于7天后"})
    end = start + timedelta(days=days - 1)
    existing = (
        QuarantineOrder.objects.select_for_update()
        .filter(person_id=person.pk, state=OrderState.ACTIVE)
        .first()
    )
    if existing is not None:
        return _second_order(existing, end=end, reason=reason, actor=actor)
    order = QuarantineOrder(
        person_id=person.pk,
        division_id=person.division_id,
        kind=kind,
        reason=reason,
        reason_text=reason_text,
        start_date=start,
        end_date=end,
        ordered_at=timezone.now(),
        ordered_by=_user(actor),
        grid_worker=find_grid_worker(person.division),
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # Another request ordered this person meanwhile (the partial unique index).
        existing = QuarantineOrder.objects.select_for_update().get(
            person_id=person.pk, state=OrderState.ACTIVE
        )
        return _second_order(existing, end=end, reason=reason, actor=actor)
    record_health_event(
        person=person.pk,
        kind=EventKind.QUARANTINE_STARTED,
        occurred_at=min(_day_start(start), timezone.now()) if start <= today else _day_start(start),
        source=EventSource.QUARANTINE,
        detail={"order": order.pk, "ordered_by": _name(actor)},
    )
    order.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"下达隔离令 {order.get_kind_display()} 人员{person.pk} {days}天",
        detail={"方式": kind, "原因": reason, "开始": str(start), "期满": str(end)},
    )
    return OpenResult(order, True)


def _second_order(existing: QuarantineOrder, *, end: date, reason: str, actor) -> OpenResult:
    if end <= existing.end_date:
        return OpenResult(existing, False)
    change = _apply_change(
        existing,
        to_end=end,
        reason=f"再次下达隔离（{Reason(reason).label}），延至新期满日期",
        actor=actor,
    )
    return OpenResult(existing, False, change)


def _apply_change(order: QuarantineOrder, *, to_end: date, reason: str, actor) -> OrderChange:
    from_end = order.end_date
    delta = (to_end - from_end).days
    order.end_date = to_end
    order.save(update_fields=["end_date"])
    change = OrderChange.objects.create(
        order=order,
        kind=ChangeKind.EXTEND if delta > 0 else ChangeKind.REDUCE,
        days=abs(delta),
        from_end=from_end,
        to_end=to_end,
        reason=reason,
        at=timezone.now(),
        by=_user(actor),
        by_name=_name(actor),
    )
    order.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"隔离期{change.get_kind_display()}{change.days}天 至{to_end:%Y-%m-%d}",
        detail={"原期满": str(from_end), "新期满": str(to_end)},
        reason=reason,
    )
    return change


@transaction.atomic
def change_order(*, order: QuarantineOrder, days: int, reason: str, actor=None) -> OrderChange:
    """Extend (``days`` > 0) or reduce (``days`` < 0) an active order's period, with a reason;
    the period keeps at least its first day."""
    reason = _clean_reason(reason)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "天数：请填写整数"}) from None
    if days == 0 or abs(days) > MAX_DAYS:
        raise ValidationError({"days": f"天数：延长为正数、缩短为负数，绝对值1到{MAX_DAYS}天"})
    order = QuarantineOrder.objects.select_for_update().get(pk=order.pk)
    if order.state != OrderState.ACTIVE:
        raise ValidationError({"order": "隔离令：已解除，不能再变更隔离期"})
    to_end = order.end_date + timedelta(days=days)
    if to_end < order.start_date:
        raise ValidationError({"days": f"天数：缩短后期满日期不能早于开始日期{order.start_date}"})
    if (to_end - order.start_date).days + 1 > MAX_DAYS:
        raise ValidationError({"days": f"天数：隔离期合计不能超过{MAX_DAYS}天"})
    return _apply_change(order, to_end=to_end, reason=reason, actor=actor)


@transaction.atomic
def release_order(
    *, order: QuarantineOrder, actor=None, note: str = "", at: datetime | None = None
) -> QuarantineOrder:
    """Release an active order when its conditions hold (``rules.unmet_conditions``): a
    ValidationError names the first unmet one, and nothing changes. Ends the open stay (its
    room goes to cleaning when it empties) and records ``quarantine_ended``."""
    order = QuarantineOrder.objects.select_for_update().get(pk=order.pk)
    if order.state != OrderState.ACTIVE:
        raise ValidationError({"order": "隔离令：已解除"})
    at = at or timezone.now()
    unmet = unmet_conditions(order, timezone.localdate(at))
    if unmet:
        grouped: dict[str, list[str]] = {}
        for u in unmet:
            grouped.setdefault(u.field, []).append(u.message)
        raise ValidationError(grouped)
    if len(note) > 200:
        raise ValidationError({"note": "解除说明：最多200个字"})
    stay = Stay.objects.filter(order=order, to_at__isnull=True).first()
    if stay is not None:
        close_stay(stay, at=at, reason="released")
    order.state = OrderState.RELEASED
    order.released_at = at
    order.released_by = _user(actor)
    order.release_note = note
    order.save(update_fields=["state", "released_at", "released_by", "release_note"])
    record_health_event(
        person=order.person_id,
        kind=EventKind.QUARANTINE_ENDED,
        occurred_at=at,
        source=EventSource.QUARANTINE,
        detail={"order": order.pk, "released_by": _name(actor)},
    )
    order.log_action(AuditAction.UPDATE, user=actor, summary="解除隔离", reason=note)
    return order

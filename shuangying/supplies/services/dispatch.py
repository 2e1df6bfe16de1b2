"""Dispatch (H5): the command's dispatch orders, issued in batches, signed for or cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import DispatchStatus, IssueStatus, MoveKind
from ..ledger import Move, fmt, post_moves, reverse_moves
from ..models import DispatchLine, DispatchOrder, Issue, IssueLine, Location, Recipient
from .common import Line, base_lines, decimal_of, next_number, require_store, row_label


@transaction.atomic
def create_dispatch_order(
    *,
    actor=None,
    source: Location,
    recipient: Recipient,
    lines: Sequence[Line],
    ordered_on: date | None = None,
    note: str = "",
    number: str = "",
) -> DispatchOrder:
    """The command's dispatch order (调用指令): who gets how much of what, from which store."""
    require_store(source, "发放库点")
    lines = base_lines(lines)
    order = DispatchOrder.objects.create(
        number=number or next_number(DispatchOrder, "DY"),
        source=source,
        recipient=recipient,
        ordered_on=ordered_on or timezone.localdate(),
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    DispatchLine.objects.bulk_create(
        DispatchLine(order=order, item=line.item, quantity=line.quantity) for line in lines
    )
    order.log_action(
        AuditAction.CREATE,
        summary=f"下达调用指令 {order.number} {recipient.name}",
        detail={"lines": len(lines)},
        user=actor,
    )
    return order


def _order_status(order: DispatchOrder) -> str:
    lines = list(order.lines.all())
    if all(line.issued >= line.quantity for line in lines):
        return DispatchStatus.ISSUED
    if any(line.issued > 0 for line in lines):
        return DispatchStatus.PARTIAL
    return DispatchStatus.OPEN


@transaction.atomic
def issue_batch(
    *,
    actor=None,
    order: DispatchOrder,
    quantities: dict[int, Decimal],
    issued_at: datetime | None = None,
    number: str = "",
) -> Issue:
    """Issue one batch of a dispatch order: for each dispatch line id, the quantity (base unit)
    going out now. Never more than the order still asks for, never more than is on hand."""
    order = DispatchOrder.objects.select_for_update().get(pk=order.pk)
    if order.status in (DispatchStatus.CANCELLED, DispatchStatus.ISSUED):
        raise ValidationError(
            {"status": [f"状态：调用指令{order.get_status_display()}，不能再发放"]}
        )
    lines = {line.pk: line for line in order.lines.select_related("item").order_by("pk")}
    picked = []
    for n, (pk, line) in enumerate(lines.items(), start=1):
        raw = quantities.get(pk)
        if raw in (None, "", 0, Decimal(0), "0"):
            continue
        qty = decimal_of(raw, label="发放数量", row=n)
        if qty > line.remaining:
            raise ValidationError(
                {
                    "lines": [
                        f"第{n}行 发放数量：{line.item.name}指令尚余{fmt(line.remaining)}"
                        f"{line.item.unit}，不能发放{fmt(qty)}{line.item.unit}"
                    ]
                }
            )
        picked.append((n, line, qty))
    unknown = set(quantities) - set(lines)
    if unknown:
        raise ValidationError({"lines": ["明细：含有不属于该调用指令的行"]})
    if not picked:
        raise ValidationError({"lines": ["发放数量：至少填写一行"]})
    seq = order.issues.count() + 1
    issue = Issue.objects.create(
        order=order,
        number=number or f"{order.number}-{seq:02d}",
        issued_at=issued_at or timezone.now(),
        handled_by=actor if getattr(actor, "pk", None) else None,
    )
    consumption = order.recipient.consumption
    moves = post_moves(
        [
            Move(
                item=line.item,
                quantity=qty,
                from_location=order.source,
                to_location=consumption,
                kind=MoveKind.ISSUE,
                moved_at=issue.issued_at,
                document=issue.number,
                label=row_label(n),
            )
            for n, line, qty in picked
        ],
        actor=actor,
    )
    for (_n, line, qty), move in zip(picked, moves, strict=True):
        IssueLine.objects.create(
            issue=issue, dispatch_line=line, item=line.item, quantity=qty, move=move
        )
        DispatchLine.objects.filter(pk=line.pk).update(issued=line.issued + qty)
    order.status = _order_status(order)
    order.save(update_fields=["status"])
    issue.log_action(
        AuditAction.CREATE,
        summary=f"发放 {issue.number} {order.recipient.name}",
        detail={"lines": len(picked)},
        user=actor,
    )
    return issue


@transaction.atomic
def sign_issue(*, actor, issue: Issue, signed_name: str) -> Issue:
    """The recipient signs for a batch in the app (签收)."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    signed_name = signed_name.strip()[:30]
    if not signed_name:
        raise ValidationError({"signed_name": ["签收人：请填写签收人姓名"]})
    if issue.status != IssueStatus.ISSUED:
        raise ValidationError({"signed_name": [f"签收人：该批次{issue.get_status_display()}"]})
    if getattr(actor, "pk", None) and actor.pk == issue.handled_by_id:
        raise PermissionDenied("经办发放的人不能替领用单位签收")
    issue.status = IssueStatus.SIGNED
    issue.signed_name = signed_name
    issue.signed_by = actor if getattr(actor, "pk", None) else None
    issue.signed_at = timezone.now()
    issue.save(update_fields=["status", "signed_name", "signed_by", "signed_at"])
    issue.log_action(AuditAction.UPDATE, summary=f"签收 {issue.number}", user=actor)
    return issue


@transaction.atomic
def cancel_issue(*, actor=None, issue: Issue, reason: str) -> Issue:
    """Cancel a batch that has not been signed for: reversing moves bring the stock back and
    the dispatch order may be issued again. Nothing is deleted."""
    # Locks in the one order every writer uses: dispatch order, then batch, then balances
    # (issue_batch holds the order while it takes the balances).
    order = DispatchOrder.objects.select_for_update().get(pk=issue.order_id)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    reason = reason.strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["撤销原因：必填"]})
    if issue.status != IssueStatus.ISSUED:
        raise ValidationError(
            {"reason": [f"撤销原因：该批次{issue.get_status_display()}，不能撤销"]}
        )
    lines = list(
        issue.lines.select_related("move__item", "move__from_location", "move__to_location")
    )
    reverse_moves([line.move for line in lines], actor=actor, note=f"撤销发放 {issue.number}")
    for line in lines:
        DispatchLine.objects.filter(pk=line.dispatch_line_id).update(
            issued=F("issued") - line.quantity
        )
    issue.status = IssueStatus.CANCELLED
    issue.cancelled_at = timezone.now()
    issue.cancel_reason = reason
    issue.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    if order.status != DispatchStatus.CANCELLED:
        order.status = _order_status(order)
        order.save(update_fields=["status"])
    issue.log_action(
        AuditAction.UPDATE,
        summary=f"撤销发放 {issue.number}",
        detail={"reason": reason},
        user=actor,
    )
    return issue


@transaction.atomic
def cancel_dispatch_order(*, actor=None, order: DispatchOrder, reason: str):
    """Withdraw what is left of a dispatch order; batches already issued stay (cancel them one
    by one to bring their stock back)."""
    order = DispatchOrder.objects.select_for_update().get(pk=order.pk)
    if not reason.strip():
        raise ValidationError({"reason": ["撤销原因：必填"]})
    if order.status in (DispatchStatus.CANCELLED, DispatchStatus.ISSUED):
        raise ValidationError({"reason": [f"撤销原因：调用指令{order.get_status_display()}"]})
    order.status = DispatchStatus.CANCELLED
    order.note = f"{order.note} [撤销：{reason.strip()}]"[:300]
    order.save(update_fields=["status", "note"])
    order.log_action(AuditAction.UPDATE, summary=f"撤销调用指令 {order.number}", user=actor)
    return order

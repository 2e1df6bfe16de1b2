"""Procurement (H2): a purchase request, the joint pre-review of four departments, the order
and the joint acceptance on arrival."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.accounts.models import Department
from shuangying.audit.models import AuditAction

from ..choices import REVIEW_DEPARTMENTS, LocationKind, MoveKind, PurchaseStatus, ReviewDecision
from ..ledger import Move, fmt, post_moves
from ..models import Location, PurchaseLine, PurchaseRequest, PurchaseReview
from .common import (
    CENT,
    Line,
    base_lines,
    decimal_of,
    next_number,
    outside_location,
    require_store,
    row_label,
)


@transaction.atomic
def create_purchase_request(
    *,
    actor=None,
    location: Location,
    supplier_name: str,
    reason: str,
    lines: Sequence[Line],
    budget=None,
    number: str = "",
) -> PurchaseRequest:
    """A purchase request (draft): items, quantities, estimated prices, supplier, reason."""
    require_store(location, "入库库点")
    if not supplier_name.strip():
        raise ValidationError({"supplier": ["供应商：必填"]})
    if not reason.strip():
        raise ValidationError({"reason": ["采购理由：必填"]})
    lines = base_lines(lines, price_label="预估单价")
    purchase = PurchaseRequest.objects.create(
        number=number or next_number(PurchaseRequest, "CG"),
        location=location,
        supplier=outside_location(LocationKind.SUPPLIER, supplier_name, location.division),
        budget=budget,
        reason=reason.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    PurchaseLine.objects.bulk_create(
        PurchaseLine(
            request=purchase,
            item=line.item,
            quantity=line.quantity,
            estimated_price=line.price.quantize(CENT),
        )
        for line in lines
    )
    purchase.log_action(
        AuditAction.CREATE,
        summary=f"新增采购申请 {purchase.number}",
        detail={"lines": len(lines)},
        user=actor,
    )
    return purchase


def _lock(purchase: PurchaseRequest) -> PurchaseRequest:
    return PurchaseRequest.objects.select_for_update().get(pk=purchase.pk)


@transaction.atomic
def submit_purchase_request(*, actor=None, purchase: PurchaseRequest):
    """Send the request to the joint pre-review: one pending review per department of
    REVIEW_DEPARTMENTS, in a new round (a returned request comes back to all four)."""
    purchase = _lock(purchase)
    if purchase.status not in (PurchaseStatus.DRAFT, PurchaseStatus.RETURNED):
        raise ValidationError({"status": ["状态：只有草稿或已退回的申请可以提交预审"]})
    departments = {d.code: d for d in Department.objects.filter(code__in=REVIEW_DEPARTMENTS)}
    missing = [code for code in REVIEW_DEPARTMENTS if code not in departments]
    if missing:
        raise ValidationError(
            {"status": [f"联合预审：缺少部门 {'、'.join(missing)}，请先在部门中添加"]}
        )
    purchase.review_round += 1
    purchase.status = PurchaseStatus.IN_REVIEW
    purchase.save(update_fields=["review_round", "status"])
    PurchaseReview.objects.bulk_create(
        PurchaseReview(request=purchase, round=purchase.review_round, department=departments[c])
        for c in REVIEW_DEPARTMENTS
    )
    purchase.log_action(
        AuditAction.UPDATE,
        summary=f"提交联合预审 {purchase.number} 第{purchase.review_round}轮",
        user=actor,
    )
    return purchase


@transaction.atomic
def review_purchase_request(
    *,
    actor,
    purchase: PurchaseRequest,
    decision: str,
    comment: str = "",
    department: Department | None = None,
) -> PurchaseReview:
    """The actor's department approves or returns the request (订购前联合预审). When all four
    have approved, the request may be ordered; one return sends it back with the comment."""
    purchase = _lock(purchase)
    department = department or getattr(actor, "department", None)
    if department is None or department.code not in REVIEW_DEPARTMENTS:
        raise PermissionDenied("只有财政、卫健、市场监管、工信部门参加联合预审")
    if purchase.status != PurchaseStatus.IN_REVIEW:
        raise ValidationError({"decision": ["审核意见：该申请不在联合预审中"]})
    if decision not in (ReviewDecision.APPROVED, ReviewDecision.RETURNED):
        raise ValidationError({"decision": ["审核意见：请选择同意或退回"]})
    comment = comment.strip()[:300]
    if decision == ReviewDecision.RETURNED and not comment:
        raise ValidationError({"comment": ["审核意见：退回须说明原因"]})
    review = PurchaseReview.objects.select_for_update().get(
        request=purchase, round=purchase.review_round, department=department
    )
    if review.decision != ReviewDecision.PENDING:
        raise ValidationError({"decision": [f"审核意见：{department.name}本轮已审核"]})
    review.decision = decision
    review.comment = comment
    review.reviewer = actor
    review.decided_at = timezone.now()
    review.save()
    if decision == ReviewDecision.RETURNED:
        purchase.status = PurchaseStatus.RETURNED
        purchase.save(update_fields=["status"])
    elif not purchase.reviews.filter(
        round=purchase.review_round, decision__in=[ReviewDecision.PENDING, ReviewDecision.RETURNED]
    ).exists():
        purchase.status = PurchaseStatus.APPROVED
        purchase.save(update_fields=["status"])
    purchase.log_action(
        AuditAction.UPDATE,
        summary=f"联合预审 {purchase.number} {department.name}{review.get_decision_display()}",
        user=actor,
    )
    return review


@transaction.atomic
def place_order(
    *,
    actor=None,
    purchase: PurchaseRequest,
    order_number: str = "",
    prices: dict[int, Decimal] | None = None,
    ordered_at: datetime | None = None,
) -> PurchaseRequest:
    """Order what the four departments approved; ``prices`` (line id → price per base unit)
    are the agreed prices where they differ from the estimate."""
    purchase = _lock(purchase)
    if purchase.status != PurchaseStatus.APPROVED:
        raise ValidationError({"status": ["状态：联合预审全部同意后才能订购"]})
    for n, line in enumerate(purchase.lines.select_related("item"), start=1):
        price = (prices or {}).get(line.pk)
        line.unit_price = (
            decimal_of(price, label="成交单价", row=n, positive=False).quantize(CENT)
            if price not in (None, "")
            else line.estimated_price
        )
        line.save(update_fields=["unit_price"])
    purchase.status = PurchaseStatus.ORDERED
    purchase.order_number = order_number.strip()[:40] or purchase.number
    purchase.ordered_at = ordered_at or timezone.now()
    purchase.save(update_fields=["status", "order_number", "ordered_at"])
    purchase.log_action(AuditAction.UPDATE, summary=f"订购 {purchase.number}", user=actor)
    return purchase


@dataclass
class Acceptance:
    """What joint acceptance found for one line: how much arrived and how much passed."""

    line_id: int
    delivered: Decimal
    accepted: Decimal
    rejection_reason: str = ""


@transaction.atomic
def accept_delivery(
    *,
    actor=None,
    purchase: PurchaseRequest,
    results: Sequence[Acceptance],
    acceptance_team: str,
    received_at: datetime | None = None,
) -> PurchaseRequest:
    """Joint acceptance on arrival (到货后联合验收): quantity and quality per line; what passes
    goes into stock at the agreed price, what is rejected is recorded with the reason."""
    purchase = _lock(purchase)
    if purchase.status != PurchaseStatus.ORDERED:
        raise ValidationError({"status": ["状态：订购后才能到货验收"]})
    if not acceptance_team.strip():
        raise ValidationError({"acceptance_team": ["验收人员：请填写参加联合验收的部门和人员"]})
    lines = {line.pk: line for line in purchase.lines.select_related("item")}
    by_id = {r.line_id: r for r in results}
    if set(by_id) != set(lines):
        raise ValidationError({"lines": ["明细：每一行都须填写到货和验收数量"]})
    moves = []
    for n, (pk, line) in enumerate(lines.items(), start=1):
        result = by_id[pk]
        delivered = decimal_of(result.delivered, label="到货数量", row=n, positive=False)
        accepted = decimal_of(result.accepted, label="验收合格数量", row=n, positive=False)
        if accepted > delivered:
            raise ValidationError({"lines": [f"第{n}行 验收合格数量：不能超过到货数量"]})
        if accepted < delivered and not result.rejection_reason.strip():
            raise ValidationError({"lines": [f"第{n}行 拒收原因：部分拒收须说明原因"]})
        line.delivered = delivered
        line.accepted = accepted
        line.rejection_reason = result.rejection_reason.strip()[:200]
        if accepted > 0:
            moves.append((line, n))
    if not moves:
        raise ValidationError({"lines": ["明细：没有验收合格的物资，无法入库"]})
    posted = post_moves(
        [
            Move(
                item=line.item,
                quantity=line.accepted,
                from_location=purchase.supplier,
                to_location=purchase.location,
                kind=MoveKind.PURCHASE,
                amount=line.accepted_amount,
                moved_at=received_at,
                document=purchase.number,
                label=row_label(n),
            )
            for line, n in moves
        ],
        actor=actor,
    )
    for (line, _n), move in zip(moves, posted, strict=True):
        line.move = move
    for line in lines.values():
        line.save(update_fields=["delivered", "accepted", "rejection_reason", "move"])
    purchase.status = PurchaseStatus.RECEIVED
    purchase.acceptance_team = acceptance_team.strip()[:200]
    purchase.received_at = received_at or timezone.now()
    purchase.save(update_fields=["status", "acceptance_team", "received_at"])
    rejected = sum((line.rejected for line in lines.values()), Decimal(0))
    purchase.log_action(
        AuditAction.UPDATE,
        summary=f"联合验收入库 {purchase.number}",
        detail={"rejected": fmt(rejected)},
        user=actor,
    )
    return purchase

"""Writes of emergency supplies (H1–H8): one function per act, keyword-only, atomic, audited.
Stock changes only through ``ledger.post_moves`` / ``ledger.reverse_moves``.

Bad input raises ValidationError with a Chinese message that names the field (and the row,
"第2行"); since each function is one transaction, nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from shuangying.accounts.models import Department
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from .choices import (
    REVIEW_DEPARTMENTS,
    STORE_KINDS,
    DispatchStatus,
    DonationStatus,
    IssueStatus,
    LocationKind,
    MoveKind,
    PurchaseStatus,
    RecipientKind,
    RequestStatus,
    ReviewDecision,
)
from .ledger import Move, fmt, post_moves, reverse_moves
from .models import (
    Category,
    DispatchLine,
    DispatchOrder,
    Donation,
    DonationLine,
    EnterpriseRequest,
    Issue,
    IssueLine,
    Item,
    Location,
    ProcessingRun,
    PurchaseLine,
    PurchaseRequest,
    PurchaseReview,
    Recipient,
    StockMove,
    UnitConversion,
)

CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("1e12")


def _audit(request, actor, action, object_type, obj, summary, **detail):
    record_event(
        request=request,
        user=actor,
        action=action,
        object_type=object_type,
        object_id=getattr(obj, "pk", obj) or "",
        summary=summary,
        detail=detail or None,
    )


def _row(n: int | None) -> str:
    return f"第{n}行 " if n else ""


def decimal_of(value, *, label: str, row: int | None = None, positive=True) -> Decimal:
    """A Decimal from user input, or ValidationError naming the field (and row)."""
    try:
        # "1,000" as typed or pasted from Excel is 1000.
        text = str(value).strip().replace(",", "").replace("\uff0c", "")
        number = value if isinstance(value, Decimal) else Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(f"{_row(row)}{label}:应为数字") from None
    if not number.is_finite():
        raise ValidationError(f"{_row(row)}{label}:应为数字")
    if positive and number <= 0:
        raise ValidationError(f"{_row(row)}{label}:应大于0")
    if number < 0:
        raise ValidationError(f"{_row(row)}{label}:不能为负数")
    if abs(number) >= MAX_QUANTITY:
        raise ValidationError(f"{_row(row)}{label}:数值过大")
    return number


def to_base(item: Item, quantity: Decimal, unit: str = "", *, row: int | None = None) -> Decimal:
    """``quantity`` in ``unit`` as the item's base unit (1 桶 of alcohol = 2 kg; 1 t = 1000 kg).
    At most three decimal places are kept, as the ledger does."""
    unit = (unit or "").strip()
    if unit and unit != item.unit:
        conversion = UnitConversion.objects.filter(item=item, unit=unit).first()
        if conversion is None:
            known = "、".join([item.unit, *item.conversions.values_list("unit", flat=True)])
            raise ValidationError(f"{_row(row)}单位:{item.name}没有“{unit}”这一单位(可用:{known})")
        quantity = quantity * conversion.factor
    base = quantity.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if base <= 0:
        raise ValidationError(f"{_row(row)}数量:折合{item.unit}后应大于0")
    return base


def _next_number(model, prefix: str, field: str = "number") -> str:
    """PREFIX-YYYYMMDD-NNN, the day's next number."""
    day = timezone.localdate().strftime("%Y%m%d")
    stem = f"{prefix}-{day}-"
    last = model.objects.filter(**{f"{field}__startswith": stem}).aggregate(m=Max(field))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


def _require_store(location: Location, label: str = "库点") -> None:
    if location.kind not in STORE_KINDS:
        raise ValidationError({"location": [f"{label}:应为储备库(县级储备库、部门库或乡镇库)"]})


# --- catalogue and locations ----------------------------------------------------------------


@transaction.atomic
def create_category(*, actor=None, request=None, name: str, sort_order: int = 0) -> Category:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称:必填"]})
    if Category.objects.filter(name=name).exists():
        raise ValidationError({"name": ["名称:该类别已存在"]})
    category = Category.objects.create(name=name, sort_order=sort_order)
    _audit(request, actor, AuditAction.CREATE, "supply_category", category, f"新增物资类别 {name}")
    return category


def _conversions(item: Item, conversions: Sequence[tuple[str, Decimal]]) -> None:
    seen = set()
    for n, (unit, factor) in enumerate(conversions, start=1):
        unit = unit.strip()
        if not unit:
            continue
        if unit == item.unit or unit in seen:
            raise ValidationError({"conversions": [f"单位换算第{n}项:单位“{unit}”重复"]})
        seen.add(unit)
        factor = decimal_of(factor, label=f"单位换算第{n}项 折合数量")
        UnitConversion.objects.update_or_create(item=item, unit=unit, defaults={"factor": factor})
    item.conversions.exclude(unit__in=seen).delete()


@transaction.atomic
def save_item(
    *,
    actor=None,
    request=None,
    item: Item | None = None,
    category: Category,
    name: str,
    unit: str,
    specification: str = "",
    min_stock: Decimal = Decimal("0"),
    daily_consumption: Decimal | None = None,
    conversions: Sequence[tuple[str, Decimal]] = (),
) -> Item:
    """Create or change a catalogue item with its unit conversions (H1)."""
    name, unit = name.strip(), unit.strip()
    if not name:
        raise ValidationError({"name": ["名称:必填"]})
    if not unit:
        raise ValidationError({"unit": ["计量单位:必填"]})
    clash = Item.objects.filter(name=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
        if item.unit != unit and StockMove.objects.filter(item=item).exists():
            raise ValidationError({"unit": ["计量单位:已有出入库记录,不能更改基本单位"]})
    if clash.exists():
        raise ValidationError({"name": ["名称:该物资已在目录中"]})
    min_stock = decimal_of(min_stock, label="最低库存", positive=False)
    if daily_consumption is not None:
        daily_consumption = decimal_of(daily_consumption, label="日消耗量")
    created = item is None
    item = item or Item()
    item.category = category
    item.name = name
    item.unit = unit
    item.specification = specification.strip()
    item.min_stock = min_stock
    item.daily_consumption = daily_consumption
    item.save()
    _conversions(item, conversions)
    _audit(
        request,
        actor,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "supply_item",
        item,
        f"{'新增' if created else '修改'}物资 {name}",
    )
    return item


@transaction.atomic
def create_location(
    *, actor=None, request=None, name: str, kind: str, division, department=None
) -> Location:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称:必填"]})
    if kind not in LocationKind.values:
        raise ValidationError({"kind": ["类型:无效"]})
    if Location.objects.filter(kind=kind, name=name).exists():
        raise ValidationError({"name": ["名称:同类库点名称已存在"]})
    location = Location.objects.create(
        name=name, kind=kind, division=division, department=department
    )
    _audit(request, actor, AuditAction.CREATE, "supply_location", location, f"新增库点 {name}")
    return location


def outside_location(kind: str, name: str, division) -> Location:
    """The supplier, donor, processing or consumption location of that name, made on first
    use (these are the ledger's other ends, not stores)."""
    name = name.strip()[:60]
    location, _ = Location.objects.get_or_create(
        kind=kind, name=name, defaults={"division": division}
    )
    return location


@transaction.atomic
def create_recipient(
    *,
    actor=None,
    request=None,
    name: str,
    kind: str,
    division,
    department=None,
    credit_code: str = "",
    contact: str = "",
) -> Recipient:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称:必填"]})
    if kind not in RecipientKind.values:
        raise ValidationError({"kind": ["类型:无效"]})
    credit_code = credit_code.strip().upper()
    if credit_code and len(credit_code) != 18:
        raise ValidationError({"credit_code": ["统一社会信用代码:应为18位"]})
    if Recipient.objects.filter(kind=kind, name=name).exists():
        raise ValidationError({"name": ["名称:该领用单位已存在"]})
    recipient = Recipient.objects.create(
        name=name,
        kind=kind,
        division=division,
        department=department,
        credit_code=credit_code,
        contact=contact.strip()[:30],
        consumption=outside_location(LocationKind.CONSUMPTION, name, division),
    )
    _audit(
        request, actor, AuditAction.CREATE, "supply_recipient", recipient, f"新增领用单位 {name}"
    )
    return recipient


# --- opening balances and transfers (H6) -------------------------------------------------------


@dataclass
class Line:
    """One row of a document as typed: the item, a quantity in ``unit`` (the item's base unit
    when empty) and a price or value where the document has one."""

    item: Item
    quantity: Decimal
    unit: str = ""
    price: Decimal | None = None
    row: int | None = None


def _base_lines(lines: Sequence[Line], *, price_label: str | None = None) -> list[Line]:
    if not lines:
        raise ValidationError({"lines": ["明细:至少填写一行物资"]})
    out = []
    seen = set()
    for n, line in enumerate(lines, start=1):
        row = line.row or n
        if line.item.pk in seen:
            raise ValidationError({"lines": [f"第{row}行 物资:{line.item.name}重复,请合并为一行"]})
        seen.add(line.item.pk)
        quantity = decimal_of(line.quantity, label="数量", row=row)
        base = to_base(line.item, quantity, line.unit, row=row)
        price = None
        if price_label is not None:
            price = decimal_of(
                line.price if line.price is not None else "0",
                label=price_label,
                row=row,
                positive=False,
            )
            if line.unit and line.unit != line.item.unit:
                # A price per 桶 becomes a price per kg.
                price = (price * quantity / base).quantize(Decimal("0.000001"))
        out.append(Line(item=line.item, quantity=base, unit=line.item.unit, price=price, row=row))
    return out


@transaction.atomic
def record_opening_balance(
    *,
    actor=None,
    request=None,
    location: Location,
    lines: Sequence[Line],
    moved_at: datetime | None = None,
    note: str = "期初储备",
) -> list[StockMove]:
    """Reserves held before the ledger began (Quwo's 100 cotton tents, 791 cotton coats): moves
    from the opening location into the store; ``price`` is the value per base unit."""
    _require_store(location)
    lines = _base_lines(lines, price_label="单价")
    opening = outside_location(LocationKind.OPENING, "期初储备", location.division)
    moves = post_moves(
        [
            Move(
                item=line.item,
                quantity=line.quantity,
                from_location=opening,
                to_location=location,
                kind=MoveKind.OPENING,
                amount=(line.quantity * (line.price or 0)).quantize(CENT),
                moved_at=moved_at,
                note=note,
                label=_row(line.row),
            )
            for line in lines
        ],
        actor=actor,
    )
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "stock_move",
        location,
        f"登记期初储备 {location.name}",
        rows=len(moves),
    )
    return moves


@transaction.atomic
def transfer_stock(
    *,
    actor=None,
    request=None,
    from_location: Location,
    to_location: Location,
    lines: Sequence[Line],
    moved_at: datetime | None = None,
    note: str = "",
) -> list[StockMove]:
    """Move stock between two stores (调拨)."""
    _require_store(from_location, "调出库点")
    _require_store(to_location, "调入库点")
    if from_location.pk == to_location.pk:
        raise ValidationError({"to_location": ["调入库点:不能与调出库点相同"]})
    lines = _base_lines(lines)
    document = _next_number(StockMove, "DB", "document")
    moves = post_moves(
        [
            Move(
                item=line.item,
                quantity=line.quantity,
                from_location=from_location,
                to_location=to_location,
                kind=MoveKind.TRANSFER,
                moved_at=moved_at,
                document=document,
                note=note,
                label=_row(line.row),
            )
            for line in lines
        ],
        actor=actor,
    )
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "stock_move",
        document,
        f"调拨 {from_location.name}→{to_location.name} {len(moves)}项",
    )
    return moves


# --- procurement (H2) -------------------------------------------------------------------------


@transaction.atomic
def create_purchase_request(
    *,
    actor=None,
    request=None,
    location: Location,
    supplier_name: str,
    reason: str,
    lines: Sequence[Line],
    budget=None,
    number: str = "",
) -> PurchaseRequest:
    """A purchase request (draft): items, quantities, estimated prices, supplier, reason."""
    _require_store(location, "入库库点")
    if not supplier_name.strip():
        raise ValidationError({"supplier": ["供应商:必填"]})
    if not reason.strip():
        raise ValidationError({"reason": ["采购理由:必填"]})
    lines = _base_lines(lines, price_label="预估单价")
    purchase = PurchaseRequest.objects.create(
        number=number or _next_number(PurchaseRequest, "CG"),
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
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "purchase_request",
        purchase,
        f"新增采购申请 {purchase.number}",
        lines=len(lines),
    )
    return purchase


def _lock(purchase: PurchaseRequest) -> PurchaseRequest:
    return PurchaseRequest.objects.select_for_update().get(pk=purchase.pk)


@transaction.atomic
def submit_purchase_request(*, actor=None, request=None, purchase: PurchaseRequest):
    """Send the request to the joint pre-review: one pending review per department of
    REVIEW_DEPARTMENTS, in a new round (a returned request comes back to all four)."""
    purchase = _lock(purchase)
    if purchase.status not in (PurchaseStatus.DRAFT, PurchaseStatus.RETURNED):
        raise ValidationError({"status": ["状态:只有草稿或已退回的申请可以提交预审"]})
    departments = {d.code: d for d in Department.objects.filter(code__in=REVIEW_DEPARTMENTS)}
    missing = [code for code in REVIEW_DEPARTMENTS if code not in departments]
    if missing:
        raise ValidationError(
            {"status": [f"联合预审:缺少部门 {'、'.join(missing)},请先在部门中添加"]}
        )
    purchase.review_round += 1
    purchase.status = PurchaseStatus.IN_REVIEW
    purchase.save(update_fields=["review_round", "status"])
    PurchaseReview.objects.bulk_create(
        PurchaseReview(request=purchase, round=purchase.review_round, department=departments[c])
        for c in REVIEW_DEPARTMENTS
    )
    _audit(
        request,
        actor,
        AuditAction.UPDATE,
        "purchase_request",
        purchase,
        f"提交联合预审 {purchase.number} 第{purchase.review_round}轮",
    )
    return purchase


@transaction.atomic
def review_purchase_request(
    *,
    actor,
    request=None,
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
        raise ValidationError({"decision": ["审核意见:该申请不在联合预审中"]})
    if decision not in (ReviewDecision.APPROVED, ReviewDecision.RETURNED):
        raise ValidationError({"decision": ["审核意见:请选择同意或退回"]})
    comment = comment.strip()[:300]
    if decision == ReviewDecision.RETURNED and not comment:
        raise ValidationError({"comment": ["审核意见:退回须说明原因"]})
    review = PurchaseReview.objects.select_for_update().get(
        request=purchase, round=purchase.review_round, department=department
    )
    if review.decision != ReviewDecision.PENDING:
        raise ValidationError({"decision": [f"审核意见:{department.name}本轮已审核"]})
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
    _audit(
        request,
        actor,
        AuditAction.UPDATE,
        "purchase_request",
        purchase,
        f"联合预审 {purchase.number} {department.name}{review.get_decision_display()}",
    )
    return review


@transaction.atomic
def place_order(
    *,
    actor=None,
    request=None,
    purchase: PurchaseRequest,
    order_number: str = "",
    prices: dict[int, Decimal] | None = None,
    ordered_at: datetime | None = None,
) -> PurchaseRequest:
    """Order what the four departments approved; ``prices`` (line id → price per base unit)
    are the agreed prices where they differ from the estimate."""
    purchase = _lock(purchase)
    if purchase.status != PurchaseStatus.APPROVED:
        raise ValidationError({"status": ["状态:联合预审全部同意后才能订购"]})
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
    _audit(
        request, actor, AuditAction.UPDATE, "purchase_request", purchase, f"订购 {purchase.number}"
    )
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
    request=None,
    purchase: PurchaseRequest,
    results: Sequence[Acceptance],
    acceptance_team: str,
    received_at: datetime | None = None,
) -> PurchaseRequest:
    """Joint acceptance on arrival (到货后联合验收): quantity and quality per line; what passes
    goes into stock at the agreed price, what is rejected is recorded with the reason."""
    purchase = _lock(purchase)
    if purchase.status != PurchaseStatus.ORDERED:
        raise ValidationError({"status": ["状态:订购后才能到货验收"]})
    if not acceptance_team.strip():
        raise ValidationError({"acceptance_team": ["验收人员:请填写参加联合验收的部门和人员"]})
    lines = {line.pk: line for line in purchase.lines.select_related("item")}
    by_id = {r.line_id: r for r in results}
    if set(by_id) != set(lines):
        raise ValidationError({"lines": ["明细:每一行都须填写到货和验收数量"]})
    moves = []
    for n, (pk, line) in enumerate(lines.items(), start=1):
        result = by_id[pk]
        delivered = decimal_of(result.delivered, label="到货数量", row=n, positive=False)
        accepted = decimal_of(result.accepted, label="验收合格数量", row=n, positive=False)
        if accepted > delivered:
            raise ValidationError({"lines": [f"第{n}行 验收合格数量:不能超过到货数量"]})
        if accepted < delivered and not result.rejection_reason.strip():
            raise ValidationError({"lines": [f"第{n}行 拒收原因:部分拒收须说明原因"]})
        line.delivered = delivered
        line.accepted = accepted
        line.rejection_reason = result.rejection_reason.strip()[:200]
        if accepted > 0:
            moves.append((line, n))
    if not moves:
        raise ValidationError({"lines": ["明细:没有验收合格的物资,无法入库"]})
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
                label=_row(n),
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
    _audit(
        request,
        actor,
        AuditAction.UPDATE,
        "purchase_request",
        purchase,
        f"联合验收入库 {purchase.number}",
        rejected=fmt(rejected),
    )
    return purchase


# --- donations (H3) ---------------------------------------------------------------------------


@transaction.atomic
def record_donation(
    *,
    actor=None,
    request=None,
    donor_kind: str,
    donor_name: str,
    anonymous: bool = False,
    location: Location,
    lines: Sequence[Line],
    received_on: date,
    note: str = "",
    number: str = "",
) -> Donation:
    """A donation as it arrives (pending acceptance); ``price`` of a line is its declared
    value in total (元), not per unit."""
    _require_store(location, "入库库点")
    donor_name = donor_name.strip()[:100]
    if not donor_name and not anonymous:
        raise ValidationError({"donor_name": ["捐赠方:必填(不愿具名请勾选匿名捐赠)"]})
    donor_label = donor_name if donor_name else "匿名捐赠者"
    base = _base_lines(lines, price_label="申报价值")
    donation = Donation.objects.create(
        number=number or _next_number(Donation, "JZ"),
        donor_kind=donor_kind,
        donor_name=donor_name,
        anonymous=anonymous,
        donor_location=outside_location(LocationKind.DONOR, donor_label, location.division),
        location=location,
        received_on=received_on,
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    DonationLine.objects.bulk_create(
        DonationLine(
            donation=donation,
            item=line.item,
            quantity=line.quantity,
            # The declared value is a total: undo _base_lines' per-unit conversion.
            declared_value=(
                Decimal(str(orig.price or 0)) if orig.price is not None else Decimal(0)
            ).quantize(CENT),
        )
        for line, orig in zip(base, lines, strict=True)
    )
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "donation",
        donation,
        f"登记捐赠 {donation.number} {donation.public_name}",
    )
    return donation


@transaction.atomic
def accept_donation(
    *,
    actor=None,
    request=None,
    donation: Donation,
    accepted: dict[int, Decimal] | None = None,
    reasons: dict[int, str] | None = None,
    acceptance_team: str = "",
    accepted_at: datetime | None = None,
) -> Donation:
    """Accept a donation like a delivery; all of a line unless ``accepted`` says less (with
    a reason). The accepted part goes into stock at its share of the declared value."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status != DonationStatus.PENDING:
        raise ValidationError({"status": ["状态:该捐赠已验收"]})
    if not acceptance_team.strip():
        raise ValidationError({"acceptance_team": ["验收人员:必填"]})
    moves = []
    lines = list(donation.lines.select_related("item"))
    for n, line in enumerate(lines, start=1):
        given = (accepted or {}).get(line.pk)
        qty = (
            line.quantity
            if given in (None, "")
            else decimal_of(given, label="验收合格数量", row=n, positive=False)
        )
        if qty > line.quantity:
            raise ValidationError({"lines": [f"第{n}行 验收合格数量:不能超过捐赠数量"]})
        reason = ((reasons or {}).get(line.pk) or "").strip()
        if qty < line.quantity and not reason:
            raise ValidationError({"lines": [f"第{n}行 拒收原因:部分拒收须说明原因"]})
        line.accepted = qty
        line.rejection_reason = reason[:200]
        if qty > 0:
            value = (line.declared_value * qty / line.quantity).quantize(CENT)
            moves.append(
                (
                    line,
                    Move(
                        item=line.item,
                        quantity=qty,
                        from_location=donation.donor_location,
                        to_location=donation.location,
                        kind=MoveKind.DONATION,
                        amount=value,
                        moved_at=accepted_at,
                        document=donation.number,
                        label=_row(n),
                    ),
                )
            )
    posted = post_moves([m for _l, m in moves], actor=actor)
    for (line, _m), move in zip(moves, posted, strict=True):
        line.move = move
    for line in lines:
        line.save(update_fields=["accepted", "rejection_reason", "move"])
    donation.status = DonationStatus.ACCEPTED
    donation.acceptance_team = acceptance_team.strip()[:200]
    donation.accepted_at = accepted_at or timezone.now()
    donation.save(update_fields=["status", "acceptance_team", "accepted_at"])
    _audit(
        request, actor, AuditAction.UPDATE, "donation", donation, f"捐赠验收入库 {donation.number}"
    )
    return donation


# --- processing (H4) --------------------------------------------------------------------------


def average_cost(item: Item, location: Location | None = None) -> Decimal:
    """Value per base unit of what came in (weighted average of receipts)."""
    from .reports import unit_costs

    return unit_costs([item.pk]).get(item.pk, Decimal(0))


@transaction.atomic
def record_processing(
    *,
    actor=None,
    request=None,
    location: Location,
    processor: str,
    input_item: Item,
    input_quantity: Decimal,
    output_item: Item,
    output_quantity: Decimal,
    input_unit: str = "",
    output_unit: str = "",
    processed_at: datetime | None = None,
    note: str = "",
) -> ProcessingRun:
    """Turn input stock into output stock at ``processor`` (3 t concentrate → ~6.3 t of
    solution in 10 L jugs). Both sides are moves through the processing location; the output
    carries the input's value; the yield is the output in the input's unit over the input."""
    _require_store(location)
    if not processor.strip():
        raise ValidationError({"processor": ["加工单位:必填"]})
    if input_item.pk == output_item.pk:
        raise ValidationError({"output_item": ["产出物资:不能与投入物资相同"]})
    qty_in = to_base(input_item, decimal_of(input_quantity, label="投入数量"), input_unit)
    qty_out = to_base(output_item, decimal_of(output_quantity, label="产出数量"), output_unit)
    yield_ratio = None
    if output_item.unit == input_item.unit:
        yield_ratio = (qty_out / qty_in).quantize(Decimal("0.0001"))
    else:
        conversion = output_item.conversions.filter(unit=input_item.unit).first()
        if conversion is not None:
            yield_ratio = (qty_out / conversion.factor / qty_in).quantize(Decimal("0.0001"))
    site = outside_location(LocationKind.PROCESSING, processor, location.division)
    value = (qty_in * average_cost(input_item)).quantize(CENT)
    document = _next_number(StockMove, "JG", "document")
    out_move, in_move = post_moves(
        [
            Move(
                item=input_item,
                quantity=qty_in,
                from_location=location,
                to_location=site,
                kind=MoveKind.PROCESSING_OUT,
                amount=value,
                moved_at=processed_at,
                document=document,
                note=note,
            ),
            Move(
                item=output_item,
                quantity=qty_out,
                from_location=site,
                to_location=location,
                kind=MoveKind.PROCESSING_IN,
                amount=value,
                moved_at=processed_at,
                document=document,
                note=note,
            ),
        ],
        actor=actor,
    )
    run = ProcessingRun.objects.create(
        location=location,
        processor=processor.strip()[:100],
        input_item=input_item,
        input_quantity=qty_in,
        output_item=output_item,
        output_quantity=qty_out,
        yield_ratio=yield_ratio,
        processed_at=processed_at or timezone.now(),
        note=note.strip()[:300],
        input_move=out_move,
        output_move=in_move,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "processing_run",
        run,
        f"加工 {input_item.name}{fmt(qty_in)}{input_item.unit}→"
        f"{output_item.name}{fmt(qty_out)}{output_item.unit}",
    )
    return run


# --- dispatch (H5) ----------------------------------------------------------------------------


@transaction.atomic
def create_dispatch_order(
    *,
    actor=None,
    request=None,
    source: Location,
    recipient: Recipient,
    lines: Sequence[Line],
    ordered_on: date | None = None,
    note: str = "",
    number: str = "",
) -> DispatchOrder:
    """The command's dispatch order (调用指令): who gets how much of what, from which store."""
    _require_store(source, "发放库点")
    lines = _base_lines(lines)
    order = DispatchOrder.objects.create(
        number=number or _next_number(DispatchOrder, "DY"),
        source=source,
        recipient=recipient,
        ordered_on=ordered_on or timezone.localdate(),
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    DispatchLine.objects.bulk_create(
        DispatchLine(order=order, item=line.item, quantity=line.quantity) for line in lines
    )
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "dispatch_order",
        order,
        f"下达调用指令 {order.number} {recipient.name}",
        lines=len(lines),
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
    request=None,
    order: DispatchOrder,
    quantities: dict[int, Decimal],
    issued_at: datetime | None = None,
    number: str = "",
) -> Issue:
    """Issue one batch of a dispatch order: for each dispatch line id, the quantity (base unit)
    going out now. Never more than the order still asks for, never more than is on hand."""
    order = DispatchOrder.objects.select_for_update().get(pk=order.pk)
    if order.status in (DispatchStatus.CANCELLED, DispatchStatus.ISSUED):
        raise ValidationError({"status": [f"状态:调用指令{order.get_status_display()},不能再发放"]})
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
                        f"第{n}行 发放数量:{line.item.name}指令尚余{fmt(line.remaining)}"
                        f"{line.item.unit},不能发放{fmt(qty)}{line.item.unit}"
                    ]
                }
            )
        picked.append((n, line, qty))
    unknown = set(quantities) - set(lines)
    if unknown:
        raise ValidationError({"lines": ["明细:含有不属于该调用指令的行"]})
    if not picked:
        raise ValidationError({"lines": ["发放数量:至少填写一行"]})
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
                label=_row(n),
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
    _audit(
        request,
        actor,
        AuditAction.CREATE,
        "issue",
        issue,
        f"发放 {issue.number} {order.recipient.name}",
        lines=len(picked),
    )
    return issue


@transaction.atomic
def sign_issue(*, actor, request=None, issue: Issue, signed_name: str) -> Issue:
    """The recipient signs for a batch in the app (签收)."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    signed_name = signed_name.strip()[:30]
    if not signed_name:
        raise ValidationError({"signed_name": ["签收人:请填写签收人姓名"]})
    if issue.status != IssueStatus.ISSUED:
        raise ValidationError({"signed_name": [f"签收人:该批次{issue.get_status_display()}"]})
    if getattr(actor, "pk", None) and actor.pk == issue.handled_by_id:
        raise PermissionDenied("经办发放的人不能替领用单位签收")
    issue.status = IssueStatus.SIGNED
    issue.signed_name = signed_name
    issue.signed_by = actor if getattr(actor, "pk", None) else None
    issue.signed_at = timezone.now()
    issue.save(update_fields=["status", "signed_name", "signed_by", "signed_at"])
    _audit(request, actor, AuditAction.UPDATE, "issue", issue, f"签收 {issue.number}")
    return issue


@transaction.atomic
def cancel_issue(*, actor=None, request=None, issue: Issue, reason: str) -> Issue:
    """Cancel a batch that has not been signed for: reversing moves bring the stock back and
    the dispatch order may be issued again. Nothing is deleted."""
    # Locks in the one order every writer uses: dispatch order, then batch, then balances
    # (issue_batch holds the order while it takes the balances).
    order = DispatchOrder.objects.select_for_update().get(pk=issue.order_id)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    reason = reason.strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["撤销原因:必填"]})
    if issue.status != IssueStatus.ISSUED:
        raise ValidationError({"reason": [f"撤销原因:该批次{issue.get_status_display()},不能撤销"]})
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
    _audit(
        request,
        actor,
        AuditAction.UPDATE,
        "issue",
        issue,
        f"撤销发放 {issue.number}",
        reason=reason,
    )
    return issue


@transaction.atomic
def cancel_dispatch_order(*, actor=None, request=None, order: DispatchOrder, reason: str):
    """Withdraw what is left of a dispatch order; batches already issued stay (cancel them one
    by one to bring their stock back)."""
    order = DispatchOrder.objects.select_for_update().get(pk=order.pk)
    if not reason.strip():
        raise ValidationError({"reason": ["撤销原因:必填"]})
    if order.status in (DispatchStatus.CANCELLED, DispatchStatus.ISSUED):
        raise ValidationError({"reason": [f"撤销原因:调用指令{order.get_status_display()}"]})
    order.status = DispatchStatus.CANCELLED
    order.note = f"{order.note} [撤销:{reason.strip()}]"[:300]
    order.save(update_fields=["status", "note"])
    _audit(
        request, actor, AuditAction.UPDATE, "dispatch_order", order, f"撤销调用指令 {order.number}"
    )
    return order


# --- enterprise requests (H8) ----------------------------------------------------------------


@transaction.atomic
def create_enterprise_request(
    *,
    actor=None,
    request=None,
    recipient: Recipient,
    item: Item,
    quantity: Decimal,
    unit: str = "",
    reason: str = "",
    requested_on: date | None = None,
) -> EnterpriseRequest:
    if recipient.kind != RecipientKind.ENTERPRISE:
        raise ValidationError({"recipient": ["企业:请选择企业类型的领用单位"]})
    qty = to_base(item, decimal_of(quantity, label="需求数量"), unit)
    req = EnterpriseRequest.objects.create(
        recipient=recipient,
        item=item,
        quantity=qty,
        reason=reason.strip()[:200],
        requested_on=requested_on or timezone.localdate(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _audit(
        request, actor, AuditAction.CREATE, "enterprise_request", req, f"企业需求 {recipient.name}"
    )
    return req


@transaction.atomic
def meet_request_from_stock(
    *, actor=None, request=None, req: EnterpriseRequest, source: Location
) -> DispatchOrder:
    """Meet an enterprise's request from stock: a dispatch order to the enterprise."""
    req = EnterpriseRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.OPEN:
        raise ValidationError({"status": ["状态:该需求已处理"]})
    order = create_dispatch_order(
        actor=actor,
        request=request,
        source=source,
        recipient=req.recipient,
        lines=[Line(item=req.item, quantity=req.quantity)],
        note=f"企业需求:{req.reason}"[:300],
    )
    req.status = RequestStatus.FROM_STOCK
    req.dispatch_order = order
    req.save(update_fields=["status", "dispatch_order"])
    return order


@transaction.atomic
def meet_request_by_purchase(
    *,
    actor=None,
    request=None,
    req: EnterpriseRequest,
    location: Location,
    supplier_name: str,
    estimated_price: Decimal,
) -> PurchaseRequest:
    """Meet an enterprise's request by a purchase on its behalf (a purchase request that goes
    through the same joint pre-review)."""
    req = EnterpriseRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.OPEN:
        raise ValidationError({"status": ["状态:该需求已处理"]})
    purchase = create_purchase_request(
        actor=actor,
        request=request,
        location=location,
        supplier_name=supplier_name,
        reason=f"帮助{req.recipient.name}采购:{req.reason}"[:300],
        lines=[Line(item=req.item, quantity=req.quantity, price=estimated_price)],
    )
    req.status = RequestStatus.BY_PURCHASE
    req.purchase = purchase
    req.save(update_fields=["status", "purchase"])
    return purchase

"""Enterprise requests (H8): met from stock or by a purchase on the enterprise's behalf."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import RecipientKind, RequestStatus
from ..models import DispatchOrder, EnterpriseRequest, Item, Location, PurchaseRequest, Recipient
from .common import Line, decimal_of, to_base
from .dispatch import create_dispatch_order
from .procurement import create_purchase_request


@transaction.atomic
def create_enterprise_request(
    *,
    actor=None,
    recipient: Recipient,
    item: Item,
    quantity: Decimal,
    unit: str = "",
    reason: str = "",
    requested_on: date | None = None,
) -> EnterpriseRequest:
    if recipient.kind != RecipientKind.ENTERPRISE:
        raise ValidationError({"recipient": ["企业：请选择企业类型的领用单位"]})
    qty = to_base(item, decimal_of(quantity, label="需求数量"), unit)
    req = EnterpriseRequest.objects.create(
        recipient=recipient,
        item=item,
        quantity=qty,
        reason=reason.strip()[:200],
        requested_on=requested_on or timezone.localdate(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    req.log_action(AuditAction.CREATE, summary=f"企业需求 {recipient.name}", user=actor)
    return req


@transaction.atomic
def meet_request_from_stock(
    *, actor=None, req: EnterpriseRequest, source: Location
) -> DispatchOrder:
    """Meet an enterprise's request from stock: a dispatch order to the enterprise."""
    req = EnterpriseRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.OPEN:
        raise ValidationError({"status": ["状态：该需求已处理"]})
    order = create_dispatch_order(
        actor=actor,
        source=source,
        recipient=req.recipient,
        lines=[Line(item=req.item, quantity=req.quantity)],
        note=f"企业需求：{req.reason}"[:300],
    )
    req.status = RequestStatus.FROM_STOCK
    req.dispatch_order = order
    req.save(update_fields=["status", "dispatch_order"])
    return order


@transaction.atomic
def meet_request_by_purchase(
    *,
    actor=None,
    req: EnterpriseRequest,
    location: Location,
    supplier_name: str,
    estimated_price: Decimal,
) -> PurchaseRequest:
    """Meet an enterprise's request by a purchase on its behalf (a purchase request that goes
    through the same joint pre-review)."""
    req = EnterpriseRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.OPEN:
        raise ValidationError({"status": ["状态：该需求已处理"]})
    purchase = create_purchase_request(
        actor=actor,
        location=location,
        supplier_name=supplier_name,
        reason=f"帮助{req.recipient.name}采购：{req.reason}"[:300],
        lines=[Line(item=req.item, quantity=req.quantity, price=estimated_price)],
    )
    req.status = RequestStatus.BY_PURCHASE
    req.purchase = purchase
    req.save(update_fields=["status", "purchase"])
    return purchase

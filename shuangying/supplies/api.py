"""Supplies over the API (H5, H7): the item report for a period, stock on hand, and issuing a
batch of a dispatch order, with the pages' jurisdiction and services.

No ``from __future__ import annotations`` here: ninja reads a handler's annotations through
``@requires``' wrapper, whose globals are apibase's, so they must be objects, not strings."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.apibase import COMMON_ERRORS, ApiError, DbId, api_error, requires

from .ledger import InsufficientStock
from .models import DispatchOrder, Location, StockBalance
from .reports import FIELDS, item_report
from .schemas import IssueIn, IssueOut, ItemReportRow, ReportQuery, StockRow
from .services import issue_batch

router = Router(tags=["应急物资"])


def plain(value: Decimal) -> Decimal:
    """5800.000 → 5800, 0.750 → 0.75 (no exponent)."""
    return Decimal(f"{value.normalize():f}")


@router.get(
    "/supplies/report",
    response={200: list[ItemReportRow], **COMMON_ERRORS},
    summary="物资收发存报表（按物资、期间）",
    description="每种物资一行：期初、采购、捐赠、加工产出、加工投入、发放、期末库存、金额。"
    "范围为您管辖的库点。",
)
@requires("supplies.view_stockbalance")
def supplies_report(request, period: Query[ReportQuery]):
    user = request.auth
    end = period.end or timezone.localdate()
    if period.start and period.start > end:
        raise ApiError(422, "invalid_start", "开始日期：不能晚于结束日期", "start")
    rows = item_report(start=period.start, end=end, locations=Location.objects.restrict(user))
    return [
        {"item": r.item, "unit": r.unit, **{f: plain(getattr(r, f)) for f in FIELDS}} for r in rows
    ]


@router.get(
    "/supplies/stock",
    response={200: list[StockRow], **COMMON_ERRORS},
    summary="各库点库存（限管辖范围）",
)
@requires("supplies.view_stockbalance")
def supplies_stock(request):
    user = request.auth
    rows = (
        StockBalance.objects.restrict(user)
        .filter(quantity__gt=0)
        .select_related("location", "item")
        .order_by("location__name", "item_id")
    )
    return [
        {
            "location_id": b.location_id,
            "location": b.location.name,
            "item_id": b.item_id,
            "item": b.item.name,
            "unit": b.item.unit,
            "quantity": plain(b.quantity),
            "min_stock": plain(b.item.min_stock),
        }
        for b in rows
    ]


@router.post(
    "/supplies/dispatch-orders/{order_id}/issues",
    response={201: IssueOut, **COMMON_ERRORS},
    summary="按调用指令发放一个批次",
    description="库存不足时返回 409 与 code=insufficient_stock，不会部分出库。",
)
@requires("supplies.add_issue")
def issue_batch_api(request, order_id: DbId, payload: IssueIn):
    user = request.auth
    order = get_restricted_or_404(DispatchOrder.objects.select_related("source"), user, pk=order_id)
    if not Location.objects.restrict(user).filter(pk=order.source_id).exists():
        raise ApiError(403, "permission_denied", "您无权从该库点发放")
    try:
        issue = issue_batch(
            actor=user,
            order=order,
            quantities={line.line: line.quantity for line in payload.lines},
        )
    except InsufficientStock as exc:
        raise ApiError(409, "insufficient_stock", exc.text, "quantity") from None
    except ValidationError as exc:
        raise api_error(exc) from None
    return Status(201, issue)

"""Quarantine over the API (F1, F2, F4): order (a person already in quarantine gets their
order extended, 200, not a second one), list and read orders in the user's jurisdiction,
extend or reduce, release (409 naming the unmet condition), and the counts. The same services
and jurisdiction as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbId,
    ErrorOut,
    PageParams,
    api_error,
    paginate,
    requires,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.people.models import Person

from . import services, stats
from .models import QuarantineOrder, Room, Site
from .rules import unmet_conditions
from .schemas import (
    ExtendIn,
    OpenOut,
    OrderDetailOut,
    OrderIn,
    OrderPage,
    OrderQuery,
    ReleaseIn,
    StatsOut,
    StatsQuery,
)

router = Router(tags=["隔离管理"])


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def order_out(order: QuarantineOrder) -> dict:
    return {
        "id": order.pk,
        "person_id": order.person_id,
        "person_name": order.person.name,
        "id_number_masked": order.person.id_number_masked,
        "division": order.division.name,
        "kind": order.kind,
        "kind_label": order.get_kind_display(),
        "reason": order.reason,
        "reason_label": order.reason_label,
        "start_date": order.start_date,
        "end_date": order.end_date,
        "days": order.days,
        "state": order.state,
        "state_label": order.get_state_display(),
        "grid_worker": _name(order.grid_worker),
        "released_at": order.released_at,
    }


def order_detail_out(order: QuarantineOrder) -> dict:
    unmet = unmet_conditions(order, timezone.localdate()) if order.state == "active" else []
    return {
        **order_out(order),
        "changes": [
            {
                "kind": c.kind,
                "days": c.days,
                "from_end": c.from_end,
                "to_end": c.to_end,
                "reason": c.reason,
                "at": c.at,
                "by": c.by_name,
            }
            for c in order.changes.all()
        ],
        "stays": [
            {
                "site": s.room.site.name,
                "room": s.room.number,
                "bed": s.bed,
                "from_at": s.from_at,
                "to_at": s.to_at,
            }
            for s in order.stays.select_related("room__site")
        ],
        "unmet_conditions": [u.message for u in unmet],
    }


def _orders(user):
    return QuarantineOrder.objects.restrict(user).select_related(
        "person", "division", "grid_worker"
    )


def _errors(exc) -> ApiError:
    if isinstance(exc, PermissionDenied):
        return ApiError(403, "permission_denied", str(exc) or "您的角色无权执行此操作")
    return api_error(exc)


@router.post(
    "/quarantine/orders",
    response={200: OpenOut, 201: OpenOut, **COMMON_ERRORS},
    summary="下达隔离令",
    description="一人只有一条隔离中的隔离令：新下达时返回 201；该人员已在隔离中时不新建，"
    "新期满日期更晚则延长原隔离令，返回 200 与说明（`created` 为 false）。`days` 缺省按隔离原因"
    "取设置中的天数（默认14天）；集中隔离可同时指定 `room_id` 分配房间。",
)
@requires("quarantine.add_quarantineorder")
def create_order(request, payload: OrderIn):
    user = request.auth
    person = Person.objects.restrict(user).filter(pk=payload.person_id).first()
    if person is None:
        raise ApiError(422, "invalid_person_id", "人员：不存在或不在您的管辖范围内", "person_id")
    room = None
    if payload.room_id is not None:
        room = Room.objects.restrict(user).filter(pk=payload.room_id).first()
        if room is None:
            raise ApiError(422, "invalid_room_id", "房间：不存在或不在您的管辖范围内", "room_id")
        if not user.has_perm("quarantine.add_stay"):
            raise ApiError(403, "permission_denied", "房间：您的角色无权分配隔离房间", "room_id")
    try:
        with transaction.atomic():
            result = services.open_order(
                person=person,
                kind=payload.kind,
                reason=payload.reason,
                reason_text=payload.reason_text,
                start_date=payload.start,
                days=payload.days,
                actor=user,
            )
            if room is not None and result.created:
                services.allocate_room(order=result.order, room=room, actor=user)
    except (ValidationError, PermissionDenied) as exc:
        raise _errors(exc) from None
    order = _orders(user).get(pk=result.order.pk)
    body = {"created": result.created, "message": result.message, "order": order_detail_out(order)}
    return Status(201 if result.created else 200, body)


@router.get(
    "/quarantine/orders",
    response={200: OrderPage, **COMMON_ERRORS},
    summary="隔离令列表（限管辖范围，分页）",
    description="`state`：active（隔离中）、released（已解除）；`reason` 按隔离原因筛选。"
    "证件号码只返回脱敏值；每次查询记入审计日志。",
)
@requires("quarantine.view_quarantineorder")
def list_orders(request, filters: Query[OrderQuery], page: Query[PageParams]):
    user = request.auth
    qs = _orders(user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    result = paginate(qs, page)
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="quarantine_order",
        summary=f"查询隔离令 {result['count']}条",
        detail={"状态": filters.state or "", "原因": filters.reason or "", "起始": page.offset},
    )
    return {**result, "items": [order_out(o) for o in result["items"]]}


@router.get(
    "/quarantine/orders/{quarantine_id}",
    response={200: OrderDetailOut, **COMMON_ERRORS},
    summary="一条隔离令：变更记录、入住记录和尚未满足的解除条件",
)
@requires("quarantine.view_quarantineorder")
def get_order(request, quarantine_id: DbId):
    order = get_restricted_or_404(_orders(request.auth), request.auth, pk=quarantine_id)
    record_event(
        user=request.auth,
        action=AuditAction.VIEW,
        object_type="quarantine_order",
        object_id=order.pk,
        summary="查看隔离令",
    )
    return order_detail_out(order)


@router.post(
    "/quarantine/orders/{quarantine_id}/extend",
    response={200: OrderDetailOut, **COMMON_ERRORS},
    summary="延长或缩短隔离期（须填原因）",
    description="`days` 正数延长、负数缩短；每次变更连同原因、操作人和时间留存。",
)
@requires("quarantine.change_quarantineorder")
def extend_order(request, quarantine_id: DbId, payload: ExtendIn):
    user = request.auth
    order = get_restricted_or_404(_orders(user), user, "change", pk=quarantine_id)
    try:
        services.change_order(order=order, days=payload.days, reason=payload.reason, actor=user)
    except (ValidationError, PermissionDenied) as exc:
        raise _errors(exc) from None
    return order_detail_out(_orders(user).get(pk=order.pk))


@router.post(
    "/quarantine/orders/{quarantine_id}/release",
    response={200: OrderDetailOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="解除隔离",
    description="条件见设置：隔离期满，且在规定的检测日（默认第7天和第13天）有阴性结果。"
    "条件未满足时返回 409，`field` 为 end_date（未期满）或 tests（缺少阴性结果），"
    "`message` 说明缺少哪一项；已解除的返回 409、code=already_released。",
)
@requires("quarantine.release_quarantineorder")
def release(request, quarantine_id: DbId, payload: ReleaseIn):
    user = request.auth
    order = get_restricted_or_404(_orders(user), user, "release", pk=quarantine_id)
    try:
        services.release_order(order=order, note=payload.note, actor=user)
    except PermissionDenied as exc:
        raise _errors(exc) from None
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == "order":
            raise ApiError(409, "already_released", "；".join(messages), "order") from None
        if field in ("end_date", "tests"):
            text = "；".join(m for ms in exc.message_dict.values() for m in ms)
            raise ApiError(409, "conditions_unmet", text, field) from None
        raise api_error(exc) from None
    return order_detail_out(_orders(user).get(pk=order.pk))


def _row(name, c: stats.Counts) -> dict:
    return {
        "name": str(name),
        "cumulative": c.cumulative,
        "released": c.released,
        "current": c.current,
    }


@router.get(
    "/quarantine/stats",
    response={200: StatsOut, **COMMON_ERRORS},
    summary="隔离人数统计",
    description="截至 `date`（默认今天）当天结束：累计隔离、累计解除、仍在隔离，"
    "按隔离方式、原因、隔离点和乡镇分列；`due_today` 为今天到期待解除的人数。限管辖范围。",
)
@requires("quarantine.view_quarantineorder")
def quarantine_stats(request, filters: Query[StatsQuery]):
    user = request.auth
    day = filters.date or timezone.localdate()
    orders = QuarantineOrder.objects.restrict(user)
    total = stats.counts(orders, day)
    return {
        "date": day,
        "cumulative": total.cumulative,
        "released": total.released,
        "current": total.current,
        "due_today": stats.due_today(orders, day).count(),
        "by_kind": [_row(n, c) for n, c in stats.by_kind(orders, day)],
        "by_reason": [_row(n, c) for n, c in stats.by_reason(orders, day)],
        "by_site": [_row(s.name, c) for s, c in stats.by_site(Site.objects.restrict(user), day)],
        "by_township": [_row(t.name, c) for t, c in stats.by_township(orders, day)],
    }

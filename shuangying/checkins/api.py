"""Check-ins over the API (C2, C5): the public check-in (no login, rate-limited), an offline
queue's upload (staff), a person's trajectory and a place's visitors (jurisdiction, masking,
audit as on the pages)."""

import gc
import json
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbId,
    ErrorOut,
    PageParams,
    api_error,
    batch_items,
    paginate,
    requires,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core import ratelimit
from shuangying.core.masking import mask_name
from shuangying.identity.services import MISMATCH, IdentityMismatch, persons_for_refs
from shuangying.places.tokens import PlaceTokenError, resolve_token

from .choices import Source
from .schemas import (
    BATCH_MAX_ITEMS,
    BATCH_REQUEST_BODY,
    BatchOut,
    CheckinIn,
    CheckinOut,
    TrajectoryPage,
    VisitorPage,
    WindowQuery,
)
from .services import (
    TOKEN_MESSAGES,
    Identity,
    RegistrationThrottled,
    UuidReused,
    clean_declaration,
    record_checkin,
    record_checkin_batch,
)
from .trajectory import MAX_WINDOW_DAYS, TrajectoryRow, VisitorRow, read_trajectory, read_visitors

router = Router(tags=["扫码登记与轨迹"])


def _code(code) -> dict | None:
    if code is None:
        return None
    return {
        "colour": code.colour,
        "label": code.label,
        "hex": code.hex,
        "reason": code.reason,
        "since": code.since,
        "until": code.until,
    }


def _brief(result) -> dict:
    return {"name": mask_name(result.person.name), "ref": result.ref or None}


@router.post(
    "/checkins",
    auth=None,
    response={
        200: CheckinOut,
        201: CheckinOut,
        409: ErrorOut,
        410: ErrorOut,
        429: ErrorOut,
        **COMMON_ERRORS,
    },
    summary="扫码登记（公开，无需登录）",
    description=(
        "场所码、客户端生成的UUID、身份（或上次返回的 `person.ref`）和健康申报。"
        "姓名须与登记信息一致（不一致返回422 `identity_mismatch`，只说“信息不符”）；"
        "手机号为已核实登记的号码时身份即绑定，否则登记照常记录、向该手机号发送验证码"
        "(`otp_sent`)，以同一UUID带 `otp` 再次提交即完成绑定。只有身份已绑定时返回 "
        "`person.ref` 和健康码，申报立即生效；未绑定时申报待网格员核实（`pending`）。"
        "同一UUID重复提交相同内容只记一条（200,`created: false`），内容不同返回409 "
        "`uuid_reused_with_different_content`。登记时间只接受当前时间前后5分钟。"
        "场所码伪造返回404，作废或过期返回410，均不写入任何记录。按地址和设备限流（429）。"
    ),
)
def create_checkin(request, payload: CheckinIn):
    device = request.headers.get("X-Device-Id", "") or payload.person_ref or ""
    if not ratelimit.allow(request, "checkin", device):
        raise ApiError(429, "rate_limited", "操作太频繁，请稍后再试")
    try:
        code = resolve_token(payload.place_token)
    except PlaceTokenError as exc:
        status = 404 if exc.reason == "forged" else 410
        raise ApiError(
            status, f"place_token_{exc.reason}", TOKEN_MESSAGES[exc.reason], "place_token"
        ) from None
    try:
        person = identity = None
        if payload.person_ref:
            found = persons_for_refs([payload.person_ref])
            if not found:
                raise ValidationError({"person_ref": "人员引用：无效，请填写身份信息"})
            person = found[0]
        else:
            identity = Identity.parse(
                payload.name, payload.id_number, payload.document_type, payload.phone or ""
            )
        companions = [
            Identity.parse(c.name, c.id_number, c.document_type, prefix=f"companions.{i}.")
            for i, c in enumerate(payload.companions)
        ]
        result = record_checkin(
            place=code.place,
            client_uuid=payload.client_uuid,
            person=person,
            identity=identity,
            otp=payload.otp or "",
            companions=companions,
            declaration=clean_declaration(
                temperature=payload.temperature,
                has_fever=payload.fever,
                symptoms=payload.symptoms,
                travel=payload.travel,
                travel_from=payload.travel_from,
            ),
            source=Source.API,
            at=payload.checked_in_at,
            may_register=lambda: ratelimit.allow(
                request, "checkin_register", f"place:{code.place.pk}"
            ),
        )
    except ValidationError as exc:
        raise api_error(exc) from None
    except IdentityMismatch:
        raise ApiError(422, "identity_mismatch", MISMATCH) from None
    except UuidReused:
        raise ApiError(
            409,
            "uuid_reused_with_different_content",
            "客户端编号：已用于内容不同的另一次登记",
            "client_uuid",
        ) from None
    except RegistrationThrottled:
        raise ApiError(429, "rate_limited", "新登记人员过多，请稍后再试") from None
    body = {
        "id": result.checkin.pk,
        "created": result.created,
        "checked_in_at": result.checkin.checked_in_at,
        "place": code.place.name,
        "bound": result.bound,
        "otp_sent": result.otp_sent,
        "pending": result.pending,
        "person": _brief(result),
        "health_code": _code(result.code),
        "companions": [
            {
                "id": c.checkin.pk,
                "created": c.created,
                "person": _brief(c),
                "health_code": _code(c.code),
            }
            for c in result.companions
        ],
    }
    return Status(201 if result.created else 200, body)


@router.post(
    "/checkins/batch",
    response={200: BatchOut, **COMMON_ERRORS},
    summary="离线登记批量上传",
    description=(
        "离线队列一次上传最多10,000条，每条按 `client_uuid` 幂等（重复上传不重复记录）。"
        "逐条返回登记编号或错误，一条有误（包括字段类型不对）不影响其他条目。"
        "同行人作为单独的条目上传。需要卡口值守等有登记权限的账户。"
    ),
    openapi_extra={"requestBody": BATCH_REQUEST_BODY},
)
@requires("checkins.add_checkin")
def upload_batch(request):
    # The body is read here rather than by a schema: pydantic models for every item would be
    # the upload's largest cost, and one bad item would fail them all (the service checks
    # each item and answers its errors; the document above still describes the payload).
    with gc_paused():
        return _upload_batch(request, request.auth)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for the duration: an upload makes hundreds of
    thousands of short-lived acyclic objects (the parsed items, the answers), which reference
    counting frees: the collector's passes over them would only cost time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _upload_batch(request, user) -> HttpResponse:
    items = batch_items(request.body, label="登记条目", max_items=BATCH_MAX_ITEMS)
    results = record_checkin_batch(items=items, actor=user)
    answers, created, errors = [], 0, 0
    for r in results:
        error = None
        if r.error_code:
            errors += 1
            error = {"code": r.error_code, "field": r.error_field, "message": r.error_message}
        created += r.created
        answers.append(
            {"client_uuid": r.client_uuid, "id": r.id, "created": r.created, "error": error}
        )
    body = {
        "received": len(results),
        "created": created,
        "duplicates": len(results) - created - errors,
        "errors": errors,
        "items": answers,
    }
    return HttpResponse(json.dumps(body), content_type="application/json; charset=utf-8")


def _aware(value):
    # A time without an offset is the county's local time (it was a 500 before).
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _window(query: WindowQuery, default_days: int):
    end = _aware(query.end) or timezone.now()
    start = _aware(query.start) or end - timedelta(days=default_days)
    if start > end:
        raise ApiError(422, "invalid_start", "开始时间：不能晚于结束时间", "start")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise ApiError(422, "invalid_start", f"开始时间：时间范围最长{MAX_WINDOW_DAYS}天", "start")
    return start, end


def _passage(r) -> dict | None:
    if not r.is_passage:
        return None
    return {
        "direction": r.direction,
        "outcome": r.outcome,
        "is_vehicle": r.is_vehicle,
        "plate": r.plate,
    }


@router.get(
    "/persons/{person_id}/trajectory",
    response={200: TrajectoryPage, **COMMON_ERRORS},
    summary="人员行动轨迹（扫码登记和卡口通行，按时间顺序）",
    description=(
        "管辖范围外的人员返回404。默认最近14天，最长92天。每条记录的 `kind` 说明来源："
        "`checkin` 为扫码登记，`checkpoint` 为卡口通行（带 `passage`：方向、处置、车辆）；"
        "卡口通行只对有卡口记录查看权限的角色返回。每次查询记入审计日志。"
    ),
)
@requires("checkins.view_checkin")
def person_trajectory_api(
    request, person_id: DbId, window: Query[WindowQuery], page: Query[PageParams]
):
    start, end = _window(window, 14)
    read = read_trajectory(request.auth, person_id, start, end)
    person = read.subject
    result = paginate(read.rows, page)
    rows = [TrajectoryRow(**item) for item in result["items"]]
    result["items"] = [
        {
            "kind": r.kind,
            "id": r.id,
            "checked_in_at": r.at,
            "place": {"id": r.place_id, "name": r.place_name, "division": r.division_name},
            "temperature": r.temperature,
            "has_fever": r.has_fever,
            "symptoms": r.symptom_list,
            "travel": r.travel,
            "passage": _passage(r),
        }
        for r in rows
    ]
    record_event(
        action=AuditAction.VIEW,
        object_type="person",
        object_id=person.pk,
        summary=f"API 行动轨迹 {person.name} 共{result['count']}条",
        detail=read.detail(start, end),
    )
    return result


@router.get(
    "/places/{place_id}/visitors",
    response={200: VisitorPage, **COMMON_ERRORS},
    summary="场所到访人员（卡口含通行记录）",
    description=(
        "管辖范围外的场所返回404。默认最近1天，最长92天。证件号码和电话只返回脱敏值。"
        "场所是卡口时，按时间顺序一并返回卡口通行记录(`kind` 为 `checkpoint`；证件号未登记的"
        "通行 `person` 为空，`id_number_masked` 为卡口记录的脱敏证件号)。"
    ),
)
@requires("checkins.view_checkin")
def place_visitors_api(
    request, place_id: DbId, window: Query[WindowQuery], page: Query[PageParams]
):
    start, end = _window(window, 1)
    read = read_visitors(request.auth, place_id, start, end)
    place = read.subject
    result = paginate(read.rows, page)
    rows = [VisitorRow(**item) for item in result["items"]]
    result["items"] = [
        {
            "kind": r.kind,
            "id": r.id,
            "checked_in_at": r.at,
            "person": None
            if r.person_id is None
            else {
                "id": r.person_id,
                "name": r.person_name,
                "id_number_masked": r.id_number_masked,
                "phone_masked": r.phone_masked,
                "is_verified": r.is_verified,
            },
            "id_number_masked": r.id_number_masked or "",
            "temperature": r.temperature,
            "has_fever": r.has_fever,
            "symptoms": r.symptom_list,
            "travel": r.travel,
            "passage": _passage(r),
        }
        for r in rows
    ]
    record_event(
        action=AuditAction.LIST,
        object_type="place",
        object_id=place.pk,
        summary=f"API 场所到访人员 {place.name} 共{result['count']}人次",
        detail=read.detail(start, end),
    )
    return result

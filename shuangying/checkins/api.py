"""Check-ins over the API (C2, C5): the public check-in (no login, rate-limited), an offline
queue's upload (staff), a person's trajectory and a place's visitors (jurisdiction, masking,
audit as on the pages)."""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbId,
    ErrorOut,
    PageParams,
    paginate,
    require_perm,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core import ratelimit
from shuangying.core.masking import mask_name
from shuangying.people.identity import IdentityError, normalize_document, normalize_phone
from shuangying.people.models import Person
from shuangying.places.models import Place
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
    clean_declaration,
    persons_for_refs,
    record_checkin,
    record_checkin_batch,
)
from .trajectory import (
    MAX_WINDOW_DAYS,
    TrajectoryRow,
    VisitorRow,
    passages_for,
    person_trajectory,
    place_visitors,
)

router = Router(tags=["扫码登记与轨迹"])


def _code(code) -> dict:
    return {
        "colour": code.colour,
        "label": code.label,
        "hex": code.hex,
        "reason": code.reason,
        "since": code.since,
        "until": code.until,
    }


def _brief(result) -> dict:
    return {"name": mask_name(result.person.name), "ref": result.ref}


def _field_error(exc: ValidationError) -> ApiError:
    field, messages = next(iter(exc.message_dict.items()))
    return ApiError(422, f"invalid_{field}", ";".join(messages), field)


@router.post(
    "/checkins",
    auth=None,
    response={200: CheckinOut, 201: CheckinOut, 410: ErrorOut, 429: ErrorOut, **COMMON_ERRORS},
    summary="扫码登记(公开,无需登录)",
    description=(
        "场所码、客户端生成的UUID、身份(或上次返回的 `person.ref`)和健康申报;"
        "返回登记编号和健康码颜色及原因。同一UUID重复提交只记一条(返回200和 `created: false`)。"
        "场所码伪造返回404,作废或过期返回410,均不写入任何记录。按地址和设备限流(429)。"
    ),
)
def create_checkin(request, payload: CheckinIn):
    device = request.headers.get("X-Device-Id", "") or payload.person_ref or ""
    if not ratelimit.allow(request, "checkin", device):
        raise ApiError(429, "rate_limited", "操作太频繁,请稍后再试")
    try:
        code = resolve_token(payload.place_token)
    except PlaceTokenError as exc:
        status = 404 if exc.reason == "forged" else 410
        raise ApiError(
            status, f"place_token_{exc.reason}", TOKEN_MESSAGES[exc.reason], "place_token"
        ) from None
    person = None
    if payload.person_ref:
        found = persons_for_refs([payload.person_ref])
        if not found:
            raise ApiError(422, "invalid_person_ref", "人员引用:无效,请填写身份信息", "person_ref")
        person = found[0]
    else:
        try:
            normalize_document(payload.document_type, payload.id_number or "")
        except IdentityError as exc:
            raise ApiError(422, "invalid_id_number", f"证件号码:{exc}", "id_number") from None
        try:
            normalize_phone(payload.phone or "")
        except IdentityError as exc:
            raise ApiError(422, "invalid_phone", f"手机号:{exc}", "phone") from None
        if not (payload.name or "").strip():
            raise ApiError(422, "invalid_name", "姓名:不能为空", "name")
    for index, companion in enumerate(payload.companions):
        try:
            normalize_document(companion.document_type, companion.id_number)
        except IdentityError as exc:
            raise ApiError(
                422, "invalid_companion", f"同行人{index + 1}的证件号码:{exc}", "companions"
            ) from None
    try:
        declaration = clean_declaration(
            temperature=payload.temperature,
            has_fever=payload.fever,
            symptoms=payload.symptoms,
            travel=payload.travel,
            travel_from=payload.travel_from,
        )
        result = record_checkin(
            place=code.place,
            client_uuid=payload.client_uuid,
            person=person,
            identity=None
            if person
            else Identity(payload.name, payload.id_number, payload.document_type, payload.phone),
            companions=[Identity(c.name, c.id_number, c.document_type) for c in payload.companions],
            declaration=declaration,
            source=Source.API,
            at=payload.checked_in_at,
            request=request,
        )
    except ValidationError as exc:
        raise _field_error(exc) from None
    body = {
        "id": result.checkin.pk,
        "created": result.created,
        "checked_in_at": result.checkin.checked_in_at,
        "place": code.place.name,
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
        "离线队列一次上传最多10,000条,每条按 `client_uuid` 幂等(重复上传不重复记录)。"
        "逐条返回登记编号或错误,一条有误(包括字段类型不对)不影响其他条目。"
        "同行人作为单独的条目上传。需要卡口值守等有登记权限的账户。"
    ),
    openapi_extra={"requestBody": BATCH_REQUEST_BODY},
)
def upload_batch(request):
    # The body is read here rather than by a schema: validating 10,000 items as pydantic
    # models cost more than the rest of the upload together (the service checks each item
    # and answers its errors; the document above still describes the payload).
    user = request.auth
    require_perm(user, "checkins.add_checkin")
    with gc_paused():
        return _upload_batch(request, user)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for the duration: an upload makes hundreds of
    thousands of short-lived acyclic objects (the parsed items, the answers), which reference
    counting frees, and the collector's passes over them cost a fifth of the request."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _upload_batch(request, user) -> HttpResponse:
    items = _batch_items(request.body)
    results = record_checkin_batch(items=items, actor=user, request=request)
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


def _batch_items(raw: bytes) -> list:
    """The upload's ``items``, or a 422 for the request as a whole."""
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(422, "invalid_input", "请求体:不是有效的JSON") from None
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ApiError(422, "invalid_input", "登记条目:必填,应为列表", "items")
    if not 1 <= len(items) <= BATCH_MAX_ITEMS:
        raise ApiError(422, "invalid_input", f"登记条目:应为1–{BATCH_MAX_ITEMS:,}条", "items")
    return items


def _aware(value):
    # A time without an offset is the county's local time (it was a 500 before).
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _window(query: WindowQuery, default_days: int):
    end = _aware(query.end) or timezone.now()
    start = _aware(query.start) or end - timedelta(days=default_days)
    if start > end:
        raise ApiError(422, "invalid_start", "开始时间:不能晚于结束时间", "start")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise ApiError(422, "invalid_start", f"开始时间:时间范围最长{MAX_WINDOW_DAYS}天", "start")
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
    summary="人员行动轨迹(扫码登记和卡口通行,按时间顺序)",
    description=(
        "管辖范围外的人员返回404。默认最近14天,最长92天。每条记录的 `kind` 说明来源:"
        "`checkin` 为扫码登记,`checkpoint` 为卡口通行(带 `passage`:方向、处置、车辆);"
        "卡口通行只对有卡口记录查看权限的角色返回。每次查询记入审计日志。"
    ),
)
def person_trajectory_api(
    request, person_id: DbId, window: Query[WindowQuery], page: Query[PageParams]
):
    user = request.auth
    require_perm(user, "checkins.view_checkin")
    person = get_restricted_or_404(Person, user, pk=person_id)
    start, end = _window(window, 14)
    passages = passages_for(user)
    result = paginate(person_trajectory(person, start, end, passages=passages), page)
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
        request=request,
        user=user,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=person.pk,
        summary=f"API 行动轨迹 {person.name} 共{result['count']}条",
        detail={"start": start.isoformat(), "end": end.isoformat(), "passages": passages},
    )
    return result


@router.get(
    "/places/{place_id}/visitors",
    response={200: VisitorPage, **COMMON_ERRORS},
    summary="场所到访人员(卡口含通行记录)",
    description=(
        "管辖范围外的场所返回404。默认最近1天,最长92天。证件号码和电话只返回脱敏值。"
        "场所是卡口时,按时间顺序一并返回卡口通行记录(`kind` 为 `checkpoint`;证件号未登记的"
        "通行 `person` 为空,`id_number_masked` 为卡口记录的脱敏证件号)。"
    ),
)
def place_visitors_api(
    request, place_id: DbId, window: Query[WindowQuery], page: Query[PageParams]
):
    user = request.auth
    require_perm(user, "checkins.view_checkin")
    place = get_restricted_or_404(Place, user, pk=place_id)
    start, end = _window(window, 1)
    passages = passages_for(user)
    result = paginate(place_visitors(place, start, end, passages=passages), page)
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
        request=request,
        user=user,
        action=AuditAction.LIST,
        object_type="place",
        object_id=place.pk,
        summary=f"API 场所到访人员 {place.name} 共{result['count']}人次",
        detail={"start": start.isoformat(), "end": end.isoformat(), "passages": passages},
    )
    return result

"""Health codes over the API (D1–D3), routes named after GB/T 38963-2020's operations:
declare health (申报健康), declare trip (申报行程), query (查询), issue code (制码), verify code
(验码), correct (纠错); plus events from other modules and the risk-area list.

Persons are fetched with the pages' jurisdiction (``get_restricted_or_404``); verification and
the public key need no login, so a gate can check codes (offline, with the key)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from shuangying.access import get_restricted_or_404
from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbId,
    ErrorOut,
    PageParams,
    api_error,
    paginate,
    require_perm,
    requires,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core import ratelimit
from shuangying.core.excel import ExcelFileError
from shuangying.identity.devices import DEVICE_COOKIE, remembered_persons
from shuangying.people.models import Person

from . import tokens
from .choices import EventKind
from .engine import CodeResult, current_code
from .models import HealthEvent, RiskArea
from .permissions import may_record
from .schemas import (
    AppealOut,
    CorrectIn,
    DeclareHealthIn,
    DeclareOut,
    DeclareTripIn,
    EventIn,
    EventOut,
    IssueOut,
    MineOut,
    PersonIdIn,
    PublicKeyOut,
    QueryOut,
    RiskAreaImportOut,
    RiskAreaIn,
    RiskAreaOut,
    RiskAreaPage,
    RiskAreaPatch,
    RiskAreaQuery,
    VerifyIn,
    VerifyOut,
)
from .services import (
    declare_health,
    declare_trip,
    file_appeal,
    import_risk_areas,
    issue_code,
    record_health_event,
    save_risk_area,
    verify_code,
)

router = Router(tags=["健康码"])

VERIFY_LIMITED = "验码太频繁，请一分钟后再试；卡口可下载公钥离线验码"


def _person(request, person_id: DbId, perm: str = "healthcodes.view_healthcodestate") -> Person:
    user = request.auth
    require_perm(user, perm)
    require_perm(user, "people.view_person")
    return get_restricted_or_404(Person, user, pk=person_id)


def _code(person: Person, result: CodeResult) -> dict:
    return {
        "person_id": person.pk,
        "colour": result.colour,
        "label": result.label,
        "hex": result.hex,
        "reason": result.reason,
        "since": result.since,
        "until": result.until,
        "ruleset_version": result.ruleset_version,
    }


@router.post(
    "/healthcodes/issue",
    response={200: IssueOut, **COMMON_ERRORS},
    summary="制码：签发人员当前健康码（短时有效的签名令牌）",
)
def issue(request, payload: PersonIdIn, response: HttpResponse):
    person = _person(request, payload.person_id)
    issued = issue_code(person=person, actor=request.auth)
    response["Cache-Control"] = "no-store"
    return {**_code(person, issued.result), "token": issued.token, "expires_at": issued.expires_at}


@router.post(
    "/healthcodes/issue/mine",
    auth=None,
    response={200: MineOut, 429: ErrorOut},
    summary="制码（居民本人）：本机扫码登记记住的人员的健康码",
    description=(
        "无需登录：凭扫码登记时本机保存的签名Cookie（不透明引用，仅身份已绑定的人员）。"
        "未登记过时返回空列表。按地址和设备限流，超出时返回429(`rate_limited`)。"
    ),
)
def issue_mine(request, response: HttpResponse):
    if not ratelimit.allow(request, "healthcode_mine", request.COOKIES.get(DEVICE_COOKIE, "")):
        raise ApiError(429, "rate_limited", "操作太频繁，请稍后再试")
    items = []
    for person in remembered_persons(request):
        issued = issue_code(person=person)
        code = _code(person, issued.result)
        items.append({**code, "token": issued.token, "expires_at": issued.expires_at})
    response["Cache-Control"] = "no-store"
    return {"items": items}


@router.post(
    "/healthcodes/verify",
    auth=None,
    response={200: VerifyOut, 422: COMMON_ERRORS[422], 429: ErrorOut},
    summary="验码：校验令牌的签名和有效期，返回码色和脱敏姓名",
    description=(
        "无需登录。令牌被篡改、伪造或已过期时 `valid` 为 false,`message` 说明原因。"
        "按地址限流，超出时返回429(`rate_limited`)；卡口可用公钥离线验码。"
    ),
)
def verify(request, payload: VerifyIn):
    if not ratelimit.allow(request, "verify"):
        raise ApiError(429, "rate_limited", VERIFY_LIMITED)
    v = verify_code(payload.token)
    return {
        "valid": v.valid,
        "colour": v.colour,
        "label": v.label,
        "hex": v.hex,
        "masked_name": v.masked_name,
        "expires_at": v.expires_at,
        "message": v.message,
    }


@router.get(
    "/healthcodes/public-key",
    auth=None,
    response={200: PublicKeyOut},
    summary="验码公钥（卡口离线验码用）",
)
def public_key(request):
    return {
        "alg": "Ed25519",
        "issuer": tokens.issuer(),
        "public_key": tokens.public_key_raw_b64(),
        "pem": tokens.public_key_pem(),
        "token_seconds": tokens.TOKEN_SECONDS,
    }


@router.get(
    "/healthcodes/query",
    response={200: QueryOut, **COMMON_ERRORS},
    summary="查询：人员当前健康码、原因和近期健康事件",
)
def query(request, person_id: DbId):
    person = _person(request, person_id)
    result = current_code(person)
    record_event(
        user=request.auth,
        action=AuditAction.VIEW,
        object_type="health_code",
        object_id=person.pk,
        summary=f"API 查询健康码 人员{person.pk}",
    )
    events = list(HealthEvent.objects.filter(person=person)[:50])
    return {**_code(person, result), "events": events}


@router.post(
    "/healthcodes/declare-health",
    response={200: DeclareOut, **COMMON_ERRORS},
    summary="申报健康：发热、症状",
)
def declare_health_api(request, payload: DeclareHealthIn):
    person = _person(request, payload.person_id, "healthcodes.add_healthevent")
    events = declare_health(
        person=person,
        actor=request.auth,
        fever=payload.fever,
        symptoms=payload.symptoms,
    )
    return {**_code(person, current_code(person)), "events_recorded": len(events)}


@router.post(
    "/healthcodes/declare-trip",
    response={200: DeclareOut, **COMMON_ERRORS},
    summary="申报行程：出发地和抵达日期，来自风险地区时按规则赋码",
)
def declare_trip_api(request, payload: DeclareTripIn):
    person = _person(request, payload.person_id, "healthcodes.add_healthevent")
    event = declare_trip(
        person=person,
        actor=request.auth,
        origin_code=payload.origin_code,
        origin=payload.origin,
        arrival_date=payload.arrival_date,
    )
    return {**_code(person, current_code(person)), "events_recorded": int(event is not None)}


@router.post(
    "/healthcodes/events",
    response={201: EventOut, **COMMON_ERRORS},
    summary="登记健康事件（隔离、密接、确诊、发热等，供其他模块和工作人员）",
)
def create_event(request, payload: EventIn):
    person = _person(request, payload.person_id, "healthcodes.add_healthevent")
    if payload.kind == "manual_override":
        raise ApiError(422, "invalid_kind", "情形：人工赋码须经申请和审批", "kind")
    if not may_record(request.auth, payload.kind):
        label = EventKind(payload.kind).label
        raise ApiError(
            403,
            "permission_denied",
            f"情形：您的角色无权登记“{label}”，须由卫生健康部门人员登记",
            "kind",
        )
    event = record_health_event(
        person=person,
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        source=payload.source,
        actor=request.auth,
        division_code=payload.division_code,
    )
    return Status(201, event)


@router.post(
    "/healthcodes/correct",
    response={201: AppealOut, **COMMON_ERRORS},
    summary="纠错：对人员健康码提出申诉，由工作人员处理",
)
def correct(request, payload: CorrectIn):
    person = _person(request, payload.person_id, "healthcodes.add_appeal")
    appeal = file_appeal(actor=request.auth, person=person, reason=payload.reason)
    return Status(201, appeal)


# --- risk areas ----------------------------------------------------------------------------


@router.get(
    "/risk-areas",
    response={200: RiskAreaPage, **COMMON_ERRORS},
    summary="风险地区列表（可按区划代码、有效日期筛选）",
)
@requires("healthcodes.view_riskarea")
def list_risk_areas(request, filters: Query[RiskAreaQuery], page: Query[PageParams]):
    qs = RiskArea.objects.restrict(request.auth)
    if filters.code:
        qs = qs.filter(code__startswith=filters.code)
    if filters.active_on:
        qs = qs.active_on(filters.active_on)
    return paginate(qs, page)


def _save(request, area=None, **fields):
    try:
        return save_risk_area(actor=request.auth, area=area, **fields)
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            error = api_error(exc, status=409, prefix="conflict")
            error.message = "风险地区：" + error.message
            raise error from None
        raise api_error(exc) from None


@router.post(
    "/risk-areas",
    response={201: RiskAreaOut, 409: COMMON_ERRORS[422], **COMMON_ERRORS},
    summary="新增风险地区",
)
@requires("healthcodes.add_riskarea")
def create_risk_area(request, payload: RiskAreaIn):
    return Status(201, _save(request, **payload.dict()))


# Before "/risk-areas/{area_id}": Django matches URL patterns in order.
@router.post(
    "/risk-areas/import",
    response={200: RiskAreaImportOut, **COMMON_ERRORS},
    summary="从Excel导入风险地区（全部导入或全部不导入，逐行报错）",
    description="表头：区划代码、地区名称、风险等级（高/中/低）、起始日期，可选 截止日期、备注。",
)
@requires("healthcodes.add_riskarea")
def import_risk_areas_api(request, file: UploadedFile | None = File(None)):  # noqa: B008
    if file is None:
        raise ApiError(422, "invalid_file", "文件：请上传Excel文件（.xlsx）", "file")
    try:
        report = import_risk_areas(actor=request.auth, data=file.read(), file_name=file.name or "")
    except ExcelFileError as exc:
        raise ApiError(422, "invalid_file", f"文件：{exc}", "file") from None
    return {
        "created": report.created,
        "updated": report.updated,
        "errors": [{"row": r, "message": m} for r, m in report.errors or []],
    }


@router.patch(
    "/risk-areas/{area_id}",
    response={200: RiskAreaOut, **COMMON_ERRORS},
    summary="修改风险地区（名称、截止日期、备注）",
)
def patch_risk_area(request, area_id: DbId, payload: RiskAreaPatch):
    area = get_restricted_or_404(RiskArea, request.auth, "change", pk=area_id)
    changes = payload.dict(exclude_unset=True)
    if "notes" in changes and changes["notes"] is None:
        changes["notes"] = ""
    if changes.get("name") is None:
        changes.pop("name", None)
    return _save(request, area=area, **changes)

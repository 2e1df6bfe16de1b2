"""Cases over the API (E4): the list (jurisdiction, paged, audited) and reclassification.

No ``from __future__ import annotations`` here: ninja reads a handler's annotations through
``@requires``' wrapper, whose globals are apibase's, so they must be objects, not strings."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema

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

from .choices import CaseClass
from .models import Case
from .services import reclassify_case

router = Router(tags=["病例"])


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number_masked: str
    division: str
    case_class: str
    case_class_label: str
    opened_at: datetime
    confirmed_at: datetime | None
    closed_at: datetime | None
    source: str


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class CaseQuery(Schema):
    case_class: CaseClass | None = Field(None, alias="class", title="分类")


class ClassifyIn(Schema):
    to_class: CaseClass = Field(..., title="新分类")
    reason: str = Field(..., max_length=200, title="原因")


def case_out(case: Case) -> dict:
    return {
        "id": case.pk,
        "person_id": case.person_id,
        "person_name": case.person.name,
        "id_number_masked": case.person.id_number_masked,
        "division": case.division.name,
        "case_class": case.case_class,
        "case_class_label": case.get_case_class_display(),
        "opened_at": case.opened_at,
        "confirmed_at": case.confirmed_at,
        "closed_at": case.closed_at,
        "source": case.source,
    }


@router.get(
    "/cases",
    response={200: CasePage, **COMMON_ERRORS},
    summary="病例列表（限管辖范围，分页）",
    description="`class` 按分类筛选：suspected、confirmed、asymptomatic、cured、died、excluded。"
    "证件号码只返回脱敏值；每次查询记入审计日志。",
)
@requires("cases.view_case")
def list_cases(request, filters: Query[CaseQuery], page: Query[PageParams]):
    user = request.auth
    qs = Case.objects.restrict(user).select_related("person", "division")
    if filters.case_class:
        qs = qs.filter(case_class=filters.case_class)
    result = paginate(qs, page)
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="case",
        summary=f"查询病例 {result['count']}条",
        detail={"分类": filters.case_class or "", "起始": page.offset},
    )
    return {**result, "items": [case_out(c) for c in result["items"]]}


@router.post(
    "/cases/{case_id}/classify",
    response={200: CaseOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="变更病例分类（须填原因）",
    description="只允许规定的变更：疑似→确诊/无症状/排除，无症状→确诊/治愈，确诊→治愈/死亡。"
    "不允许的变更返回 409 与 code=transition_not_allowed；原因必填。",
)
@requires("cases.change_case")
def classify_case(request, case_id: DbId, payload: ClassifyIn):
    user = request.auth
    case = get_restricted_or_404(Case, user, "change", pk=case_id)
    try:
        case = reclassify_case(
            case=case, to_class=payload.to_class, reason=payload.reason, actor=user
        )
    except PermissionDenied as exc:
        raise ApiError(403, "permission_denied", str(exc) or "您的角色无权执行此操作") from None
    except ValidationError as exc:
        if "to_class" in getattr(exc, "message_dict", {}):
            message = ";".join(exc.message_dict["to_class"])
            raise ApiError(409, "transition_not_allowed", message, "to_class") from None
        raise api_error(exc) from None
    case = Case.objects.select_related("person", "division").get(pk=case.pk)
    return case_out(case)

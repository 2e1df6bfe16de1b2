"""Cases over the API (E4, E5): the list (jurisdiction, paged, audited), reclassification,
the hospitals' beds, admission and discharge.

No ``from __future__ import annotations`` here: ninja reads a handler's annotations through
``@requires``' wrapper, whose globals are apibase's, so they must be objects, not strings."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status

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
from .models import Admission, Case, Hospital, Ward
from .services import admit_case, discharge_case, reclassify_case

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


class WardOut(Schema):
    id: int
    name: str
    beds: int
    occupied: int
    free: int


class HospitalOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    division: str
    wards: list[WardOut]


class AdmitIn(Schema):
    ward_id: DbId = Field(..., title="病区")
    admitted_at: datetime | None = Field(None, title="入院时间（缺省为当前时间）")


class DischargeIn(Schema):
    reason: str = Field(..., max_length=100, title="出院原因")
    discharged_at: datetime | None = Field(None, title="出院时间（缺省为当前时间）")


class AdmissionOut(Schema):
    id: int
    case_id: int
    ward_id: int
    ward: str
    hospital: str
    admitted_at: datetime
    discharged_at: datetime | None
    discharge_reason: str


def admission_out(admission: Admission) -> dict:
    admission = Admission.objects.select_related("ward__hospital").get(pk=admission.pk)
    return {
        "id": admission.pk,
        "case_id": admission.case_id,
        "ward_id": admission.ward_id,
        "ward": admission.ward.name,
        "hospital": admission.ward.hospital.name,
        "admitted_at": admission.admitted_at,
        "discharged_at": admission.discharged_at,
        "discharge_reason": admission.discharge_reason,
    }


@router.get(
    "/hospitals",
    response={200: list[HospitalOut], **COMMON_ERRORS},
    summary="救治医院与病区床位（限管辖范围）",
    description="每个病区的床位数、在院人数和空床数；与医院床位页面同一管辖范围。",
)
@requires("cases.view_hospital")
def list_hospitals(request):
    user = request.auth
    hospitals = list(Hospital.objects.restrict(user).select_related("division"))
    wards: dict[int, list[dict]] = {}
    for ward in Ward.objects.restrict(user).order_by("hospital_id", "name"):
        wards.setdefault(ward.hospital_id, []).append(
            {
                "id": ward.pk,
                "name": ward.name,
                "beds": ward.capacity,
                "occupied": ward.occupied,
                "free": ward.capacity - ward.occupied,
            }
        )
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="hospital",
        summary=f"查询医院床位 {len(hospitals)}家医院",
    )
    return [
        {
            "id": h.pk,
            "name": h.name,
            "kind": h.kind,
            "kind_label": h.get_kind_display(),
            "division": h.division.name,
            "wards": wards.get(h.pk, []),
        }
        for h in hospitals
    ]


# A service's field → (the API's field, status): a full ward and a case already in hospital
# are conflicts with the current state; a bad time is the request's own fault.
ADMIT_ERRORS = {
    "ward": ("ward_id", 409, "ward_full"),
    "case": ("case", 409, "case_not_admissible"),
    "at": ("admitted_at", 422, "invalid_admitted_at"),
}
DISCHARGE_ERRORS = {
    "admission": ("admission", 409, "already_discharged"),
    "reason": ("reason", 422, "invalid_reason"),
    "at": ("discharged_at", 422, "invalid_discharged_at"),
}


def _mapped(exc: ValidationError, table: dict) -> ApiError:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            if key in table:
                field, status, code = table[key]
                return ApiError(status, code, "；".join(messages), field)
    return api_error(exc)


@router.post(
    "/cases/{case_id}/admissions",
    response={201: AdmissionOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="病例入院（占用病区床位）",
    description="病区已满（field=ward_id）、病例已在院或已结案（field=case）返回 409；"
    "入院时间晚于当前时间或早于病例开立时间返回 422（field=admitted_at）；"
    "病区不在管辖范围内按不存在处理（422，field=ward_id）。",
)
@requires("cases.add_admission")
def admit(request, case_id: DbId, payload: AdmitIn):
    user = request.auth
    case = get_restricted_or_404(Case, user, "change", pk=case_id)
    ward = Ward.objects.restrict(user).filter(pk=payload.ward_id).first()
    if ward is None:
        raise ApiError(422, "invalid_ward_id", "病区：未找到该病区", "ward_id")
    try:
        admission = admit_case(case=case, ward=ward, actor=user, at=payload.admitted_at)
    except ValidationError as exc:
        raise _mapped(exc, ADMIT_ERRORS) from None
    return Status(201, admission_out(admission))


@router.post(
    "/admissions/{admission_id}/discharge",
    response={200: AdmissionOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="病例出院（释放病区床位）",
    description="出院原因必填；已出院返回 409（field=admission）；"
    "出院时间早于入院时间或晚于当前时间返回 422（field=discharged_at）。",
)
@requires("cases.change_admission")
def discharge(request, admission_id: DbId, payload: DischargeIn):
    user = request.auth
    admission = get_restricted_or_404(Admission, user, "change", pk=admission_id)
    try:
        admission = discharge_case(
            admission=admission, reason=payload.reason, actor=user, at=payload.discharged_at
        )
    except ValidationError as exc:
        raise _mapped(exc, DISCHARGE_ERRORS) from None
    return admission_out(admission)

"""Persons and households over the API (B1, B2) with the pages' rules: the same jurisdiction
(``restrict`` / ``get_restricted_or_404``), the same filter class (PersonFilter), the same
services for writes, masked numbers only (M1) and an audit row for every read of personal
data (M2)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpResponse
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
from shuangying.divisions.models import Division

from .choices import Relation
from .filters import PersonFilter
from .identity import IdentityError, normalize_document, normalize_phone
from .limits import RateLimited
from .models import Household, Person, Tag
from .reveals import reveal_person_fields
from .schemas import (
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdPage,
    HouseholdQuery,
    PersonDetailOut,
    PersonIn,
    PersonPage,
    PersonPatch,
    PersonQuery,
    PersonSearchIn,
    PersonWriteOut,
    RevealIn,
    RevealOut,
)
from .services import (
    PersonExistsElsewhere,
    create_household,
    find_person_by_document,
    register_person,
    update_person,
)

router = Router(tags=["人员与户"])

# The lowest level people and households are placed at is a village/community or below.
PLACEMENT_MIN_LEVEL = 3


def _person_detail_queryset():
    return Person.objects.select_related("division", "household").prefetch_related(
        "tags", "travel_entries"
    )


def _check_identity(document_type: str | None, id_number: str | None, phone: str | None) -> None:
    """Run the services' own validators first, so that the error names its field."""
    if id_number is not None:
        try:
            normalize_document(document_type, id_number)
        except IdentityError as exc:
            raise ApiError(422, "invalid_id_number", f"证件号码：{exc}", "id_number") from None
    if phone:
        try:
            normalize_phone(phone)
        except IdentityError as exc:
            raise ApiError(422, "invalid_phone", f"联系电话：{exc}", "phone") from None


def _division_for(user, division_id: DbId, *, field: str, label: str) -> Division:
    division = (
        Division.objects.restrict(user)
        .filter(pk=division_id, level__gte=PLACEMENT_MIN_LEVEL)
        .first()
    )
    if division is None:
        raise ApiError(
            422,
            f"invalid_{field}",
            f"{label}：区划不存在、不在您的管辖范围内，或不是村/社区及以下区划",
            field,
        )
    return division


def _household_for(user, household_id: int | None) -> Household | None:
    if household_id is None:
        return None
    household = Household.objects.restrict(user).filter(pk=household_id).first()
    if household is None:
        raise ApiError(422, "invalid_household", "户：该户不存在或不在您的管辖范围内", "household")
    return household


def _tags_for(codes: list[str]) -> list[Tag]:
    tags = list(Tag.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {tag.code for tag in tags})
    if unknown:
        raise ApiError(422, "invalid_tags", f"标签：未知的标签代码 {'、'.join(unknown)}", "tags")
    return tags


def _placement_denied(label: str = "所属网格") -> ApiError:
    return ApiError(
        403,
        "division_outside_jurisdiction",
        f"{label}：该区划不在您的管辖范围内，不能在此登记",
        "division",
    )


LIST_DESCRIPTION = (
    "筛选与网页人员台账相同（PersonFilter）。`q` 为完整身份证号或手机号时按密钥哈希精确查找，"
    "为4位时匹配证件号或手机号后4位，否则按姓名查找；`id_number` 按完整证件号码精确查找。"
    "证件号码和电话只返回脱敏值。每次查询都记入审计日志（不记明文）。"
)


def _search_persons(request, filters: PersonQuery, page: PageParams) -> dict:
    """The people list for ``filters``: restricted, filtered by PersonFilter, one page,
    audited without the plaintext searched for."""
    user = request.auth
    params = filters.dict(exclude_none=True, include=set(PersonFilter.base_fields))
    form = PersonFilter(params, user=user)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise ApiError(422, f"invalid_{field}", f"{label}：{errors[0]}", field)
    qs = form.filter_queryset(Person.objects.restrict(user))
    detail = form.audit_detail()
    if filters.id_number:
        _check_identity(filters.document_type, filters.id_number, None)
        found = find_person_by_document(filters.id_number, filters.document_type)
        qs = qs.filter(pk=found.pk) if found else qs.none()
        detail["id_number"] = "证件号码（完整）"
    result = paginate(qs.select_related("division").prefetch_related("tags"), page)
    record_event(
        user=user,
        action=AuditAction.SEARCH if ("q" in detail or "id_number" in detail) else AuditAction.LIST,
        object_type="person",
        summary=f"API 人员台账 第{page.offset + 1}条起，共{result['count']}人",
        detail={**detail, "limit": page.limit, "offset": page.offset},
    )
    return result


@router.get(
    "/persons",
    response={200: PersonPage, **COMMON_ERRORS},
    summary="人员台账（限管辖范围，分页，可筛选）",
    description=LIST_DESCRIPTION
    + "按完整证件号码或手机号查找时建议改用 `POST /api/persons/search`，以免号码出现在URL和访问日志中。",
)
@requires("people.view_person")
def list_persons(request, filters: Query[PersonQuery], page: Query[PageParams]):
    return _search_persons(request, filters, page)


@router.post(
    "/persons/search",
    response={200: PersonPage, **COMMON_ERRORS},
    summary="人员查询（条件放在请求体中）",
    description=LIST_DESCRIPTION
    + "条件与 `GET /api/persons` 相同，放在JSON请求体中，号码不进URL。",
)
@requires("people.view_person")
def search_persons(request, payload: PersonSearchIn):
    page = PageParams(limit=payload.limit, offset=payload.offset)
    return _search_persons(request, payload, page)


@router.post(
    "/persons",
    response={
        200: PersonWriteOut,
        201: PersonWriteOut,
        409: ErrorOut,
        429: ErrorOut,
        **COMMON_ERRORS,
    },
    summary="登记人员（一人一档）",
    description=(
        '新登记返回 201 和 `"created": true`。证件号码已登记（一人一档）时不新建：'
        '已有记录在您的管辖范围内则返回 200、该记录和 `"created": false`;'
        "不在您的管辖范围内则返回 409 `person_exists_elsewhere`，不透露该记录；"
        "该答复记入审计并按用户限次，超过后一小时内的登记均返回 429 `rate_limited`。"
    ),
)
@requires("people.add_person")
def create_person(request, payload: PersonIn):
    user = request.auth
    _check_identity(payload.document_type, payload.id_number, payload.phone)
    division = _division_for(user, payload.division, field="division", label="所属网格")
    household = _household_for(user, payload.household)
    tags = _tags_for(payload.tags)
    try:
        result = register_person(
            actor=user,
            name=payload.name,
            document_type=payload.document_type,
            id_number=payload.id_number,
            phone=payload.phone,
            sex=payload.sex or "",
            birth_date=payload.birth_date,
            division=division,
            household=household,
            relation_to_head=payload.relation_to_head or "",
            address=payload.address,
            workplace=payload.workplace,
            is_verified=payload.is_verified,
            tags=tags,
        )
    except PermissionDenied:
        raise _placement_denied() from None
    except PersonExistsElsewhere as exc:
        raise ApiError(409, "person_exists_elsewhere", exc.messages[0], "id_number") from None
    except RateLimited as exc:
        raise ApiError(429, "rate_limited", exc.message) from None
    person = _person_detail_queryset().get(pk=result.person.pk)
    person.created = result.created
    if not result.created:
        person.log_action(
            AuditAction.VIEW, user=user, summary=f"登记时匹配到已有人员 {person.name}"
        )
        return Status(200, person)
    return Status(201, person)


@router.get(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **COMMON_ERRORS},
    summary="人员详情",
)
@requires("people.view_person")
def get_person(request, person_id: DbId):
    user = request.auth
    person = get_restricted_or_404(_person_detail_queryset(), user, pk=person_id)
    person.log_action(AuditAction.VIEW, user=user, summary=f"API 查看人员 {person.name}")
    return person


@router.patch(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **COMMON_ERRORS},
    summary="修改人员信息（只改给出的字段）",
)
@requires("people.change_person")
def patch_person(request, person_id: DbId, payload: PersonPatch):
    user = request.auth
    person = get_restricted_or_404(Person, user, "change", pk=person_id)
    changes = payload.dict(exclude_unset=True)
    phone = changes.pop("phone", None)
    _check_identity(None, None, phone)
    if "division" in changes:
        changes["division"] = _division_for(
            user, changes["division"], field="division", label="所属网格"
        )
    if "household" in changes:
        changes["household"] = _household_for(user, changes["household"])
    if "tags" in changes:
        changes["tags"] = _tags_for(changes["tags"])
    if "relation_to_head" in changes:
        changes["relation_to_head"] = changes["relation_to_head"] or ""
    try:
        update_person(actor=user, person=person, phone=phone, **changes)
    except PermissionDenied:
        raise _placement_denied() from None
    return _person_detail_queryset().get(pk=person.pk)


@router.post(
    "/persons/{person_id}/reveal",
    response={200: RevealOut, 429: ErrorOut, **COMMON_ERRORS},
    summary="查看完整证件号码和电话（须选择用途并填写原因，记入审计，每小时限次）",
)
@requires("people.reveal_person")
def reveal_person(request, person_id: DbId, payload: RevealIn, response: HttpResponse):
    user = request.auth
    person = get_restricted_or_404(Person, user, pk=person_id)
    try:
        values = reveal_person_fields(
            actor=user, person=person, purpose=payload.purpose, reason=payload.reason
        )
    except ValidationError as exc:
        raise api_error(exc) from None
    except RateLimited as exc:
        raise ApiError(429, "rate_limited", exc.message) from None
    response["Cache-Control"] = "no-store"
    return {"id": person.pk, **values}


@router.get(
    "/households",
    response={200: HouseholdPage, **COMMON_ERRORS},
    summary="一户一档列表（限管辖范围，分页）",
)
@requires("people.view_household")
def list_households(request, filters: Query[HouseholdQuery], page: Query[PageParams]):
    user = request.auth
    qs = Household.objects.restrict(user).select_related("division")
    if filters.q:
        qs = qs.filter(Q(address__contains=filters.q) | Q(number__contains=filters.q))
    if filters.division is not None:
        division = Division.objects.restrict(user).filter(pk=filters.division).first()
        if division is None:
            raise ApiError(
                422, "invalid_division", "区划：区划不存在或不在您的管辖范围内", "division"
            )
        qs = qs.within(division)
    qs = qs.annotate(member_count=Count("members")).order_by("division__path", "number")
    result = paginate(qs, page)
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="household",
        summary=f"API 一户一档 第{page.offset + 1}条起，共{result['count']}户",
        detail={"q": filters.q[:20]} if filters.q else {},
    )
    return result


def _household_detail(user, household: Household) -> dict:
    """The household file with the members the user may see, head first (as on the page)."""
    members = list(
        Person.objects.restrict(user)
        .filter(household=household)
        .select_related("division")
        .prefetch_related("tags")
    )
    members.sort(key=lambda p: (p.relation_to_head != Relation.HEAD, p.birth_date or date.min))
    return {
        "id": household.pk,
        "number": household.number,
        "address": household.address,
        "notes": household.notes,
        "division": household.division,
        "member_count": len(members),
        "members": members,
    }


@router.post(
    "/households",
    response={201: HouseholdDetailOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="新建户档",
)
@requires("people.add_household")
def create_household_api(request, payload: HouseholdIn):
    user = request.auth
    division = _division_for(user, payload.division, field="division", label="所在区划")
    try:
        household = create_household(
            actor=user,
            division=division,
            number=payload.number.strip(),
            address=payload.address.strip(),
            notes=payload.notes,
        )
    except PermissionDenied:
        raise _placement_denied("所在区划") from None
    except IntegrityError:
        raise ApiError(
            409, "duplicate_household", "户编号：该区划内已有相同的户编号", "number"
        ) from None
    return Status(201, _household_detail(user, household))


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **COMMON_ERRORS},
    summary="户档详情（含成员）",
)
@requires("people.view_household")
def get_household(request, household_id: DbId):
    user = request.auth
    household = get_restricted_or_404(
        Household.objects.select_related("division"), user, pk=household_id
    )
    household.log_action(AuditAction.VIEW, user=user, summary=f"API 查看户档 {household.number}")
    return _household_detail(user, household)

"""Passes over the API (C4, C6): list, issue, revoke and the gate check, with the pages'
jurisdiction (``restrict`` / ``get_restricted_or_404``) and services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.accounts.models import Department
from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbId,
    PageParams,
    api_error,
    paginate,
    requires,
)
from shuangying.divisions.models import Division
from shuangying.people.models import Household, Person
from shuangying.places.models import Place

from .models import Pass
from .schemas import (
    CheckIn,
    CheckOut,
    PassIn,
    PassIssuedOut,
    PassPage,
    PassQuery,
    RevokeIn,
    TurnBackIn,
)
from .services import check_pass, issue_pass, record_turn_back, revoke_pass
from .tokens import token_for

router = Router(tags=["封闭管理与通行证"])


def _issued(pass_obj: Pass) -> Pass:
    pass_obj.token = token_for(pass_obj)
    return pass_obj


@router.get(
    "/passes", response={200: PassPage, **COMMON_ERRORS}, summary="通行证列表（限管辖范围）"
)
@requires("passes.view_pass")
def list_passes(request, filters: Query[PassQuery], page: Query[PageParams]):
    user = request.auth
    qs = Pass.objects.restrict(user).select_related("division")
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.q:
        qs = qs.filter(Q(holder_name__contains=filters.q) | Q(plate__contains=filters.q.upper()))
    if filters.active:
        qs = qs.filter(revoked_at__isnull=True, valid_until__gt=timezone.now())
    return paginate(qs.order_by("-issued_at", "-pk"), page)


@router.post("/passes", response={201: PassIssuedOut, **COMMON_ERRORS}, summary="签发通行证")
@requires("passes.add_pass")
def issue_pass_api(request, payload: PassIn):
    user = request.auth
    division = Division.objects.restrict(user).filter(pk=payload.division).first()
    if division is None:
        raise ApiError(
            422, "invalid_division", "所属区划：区划不存在或不在您的管辖范围内", "division"
        )
    household = person = department = None
    if payload.household is not None:
        household = Household.objects.restrict(user).filter(pk=payload.household).first()
        if household is None:
            raise ApiError(
                422, "invalid_household", "户：该户不存在或不在您的管辖范围内", "household"
            )
    if payload.person is not None:
        person = Person.objects.restrict(user).filter(pk=payload.person).first()
        if person is None:
            raise ApiError(
                422, "invalid_person", "人员：该人员不存在或不在您的管辖范围内", "person"
            )
    if payload.issuing_department is not None:
        department = Department.objects.filter(pk=payload.issuing_department).first()
        if department is None:
            raise ApiError(
                422, "invalid_issuing_department", "签发部门：部门不存在", "issuing_department"
            )
    try:
        pass_obj = issue_pass(
            actor=user,
            type=payload.type,
            division=division,
            household=household,
            person=person,
            holder_name=payload.holder_name,
            plate=payload.plate,
            route=payload.route,
            issuing_department=department,
            purpose=payload.purpose,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
        )
    except ValidationError as exc:
        raise api_error(exc) from None
    return Status(201, _issued(pass_obj))


@router.post(
    "/passes/{pass_id}/revoke",
    response={200: PassIssuedOut, **COMMON_ERRORS},
    summary="作废通行证",
)
@requires("passes.change_pass")
def revoke_pass_api(request, pass_id: DbId, payload: RevokeIn):
    user = request.auth
    pass_obj = get_restricted_or_404(
        Pass.objects.select_related("division"), user, "change", pk=pass_id
    )
    revoke_pass(actor=user, pass_obj=pass_obj, reason=payload.reason)
    return _issued(pass_obj)


@router.post(
    "/passes/check",
    response={200: CheckOut, **COMMON_ERRORS},
    summary="卡点核验通行证",
    description="每次核验都记录在案；劝返（refused）时给出原因代码和中文原因。"
    "伪造或无法识别的通行证码同样记为劝返（forged）。",
)
@requires("passes.add_passcheck")
def check_pass_api(request, payload: CheckIn):
    user = request.auth
    place = _gate(user, payload.place)
    check = check_pass(
        token=payload.token,
        place=place,
        checked_by=user,
        direction=payload.direction,
        plate=payload.plate,
    )
    return _check_out(check)


@router.post(
    "/passes/turn-back",
    response={200: CheckOut, **COMMON_ERRORS},
    summary="无证人员劝返",
    description="没有任何通行证的人员在卡点被劝返，同样记录在案（原因：非本小区（村）人员）。",
)
@requires("passes.add_passcheck")
def turn_back_api(request, payload: TurnBackIn):
    user = request.auth
    place = _gate(user, payload.place)
    check = record_turn_back(place=place, checked_by=user, direction=payload.direction)
    return _check_out(check)


def _gate(user, place_id: int):
    place = Place.objects.restrict(user).filter(pk=place_id, is_active=True).first()
    if place is None:
        raise ApiError(422, "invalid_place", "卡点：场所不存在或不在您的管辖范围内", "place")
    return place


def _check_out(check) -> dict:
    return {
        "id": check.pk,
        "outcome": check.outcome,
        "allowed": check.allowed,
        "reason": check.reason or None,
        "reason_label": check.get_reason_display() if check.reason else "",
        "pass_id": check.pass_obj_id,
        "holder_name": check.pass_obj.holder_name if check.pass_obj else "",
        "at": check.at,
    }

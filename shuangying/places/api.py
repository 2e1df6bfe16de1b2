"""Places over the API (C1) with the pages' rules: the same filter (PlaceFilter), the same
jurisdiction and the same services."""

from __future__ import annotations

from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.accounts.models import Department
from shuangying.apibase import COMMON_ERRORS, ApiError, DbId, PageParams, paginate, requires
from shuangying.divisions.models import Division

from .filters import PlaceFilter
from .models import Place
from .schemas import PlaceDetailOut, PlaceIn, PlacePage, PlaceQuery
from .services import create_place, issue_place_code
from .tokens import checkin_url, public_base_url, token_for

router = Router(tags=["场所与场所码"])


def _detail(request, place: Place) -> Place:
    """The place with its current code (token and check-in URL) as ``code``."""
    code = place.codes.filter(revoked_at__isnull=True).first()
    place.code = None
    if code is not None:
        place.code = {
            "issued_at": code.issued_at,
            "valid_until": code.valid_until,
            "token": token_for(code),
            "checkin_url": checkin_url(code, public_base_url(request)),
        }
    return place


@router.get("/places", response={200: PlacePage, **COMMON_ERRORS}, summary="场所列表（限管辖范围）")
@requires("places.view_place")
def list_places(request, filters: Query[PlaceQuery], page: Query[PageParams]):
    user = request.auth
    form = PlaceFilter(filters.dict(exclude_none=True), user=user)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(422, f"invalid_{field}", f"{form.fields[field].label}：{errors[0]}", field)
    qs = form.filter_queryset(Place.objects.restrict(user)).select_related("division")
    return paginate(qs, page)


@router.get(
    "/places/{place_id}",
    response={200: PlaceDetailOut, **COMMON_ERRORS},
    summary="场所详情（含当前场所码）",
)
@requires("places.view_place")
def get_place(request, place_id: DbId):
    user = request.auth
    place = get_restricted_or_404(Place.objects.select_related("division"), user, pk=place_id)
    return _detail(request, place)


@router.post(
    "/places", response={201: PlaceDetailOut, **COMMON_ERRORS}, summary="新增场所（同时签发场所码）"
)
@requires("places.add_place")
def create_place_api(request, payload: PlaceIn):
    user = request.auth
    division = Division.objects.restrict(user).filter(pk=payload.division, level__gte=2).first()
    if division is None:
        raise ApiError(
            422, "invalid_division", "所在区划：区划不存在或不在您的管辖范围内", "division"
        )
    unit = None
    if payload.responsible_unit is not None:
        unit = Department.objects.filter(pk=payload.responsible_unit).first()
        if unit is None:
            raise ApiError(
                422, "invalid_responsible_unit", "责任单位：部门不存在", "responsible_unit"
            )
    place = create_place(
        actor=user,
        type=payload.type,
        name=payload.name.strip(),
        division=division,
        address=payload.address,
        responsible_unit=unit,
        contact_name=payload.contact_name,
    )
    return Status(201, _detail(request, place))


@router.post(
    "/places/{place_id}/code",
    response={201: PlaceDetailOut, **COMMON_ERRORS},
    summary="作废当前场所码并重新签发",
    description="旧海报的二维码随即失效。",
)
@requires("places.change_place")
def reissue_place_code(request, place_id: DbId):
    user = request.auth
    place = get_restricted_or_404(
        Place.objects.select_related("division"), user, "change", pk=place_id
    )
    issue_place_code(actor=user, place=place)
    return Status(201, _detail(request, place))

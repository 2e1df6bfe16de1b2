"""The division tree over the API (A1, A4): the user's divisions, their subtrees and the
ancestors on the way up, as ``Division.objects.restrict`` gives them."""

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from shuangying.access import get_restricted_or_404
from shuangying.apibase import COMMON_ERRORS, DbId, PageParams, paginate, requires

from .choices import DivisionLevel
from .models import Division

router = Router(tags=["行政区划"])


class DivisionOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    level: int
    code: str
    name: str
    path: str
    is_active: bool


class DivisionDetailOut(DivisionOut):
    full_name: str

    @staticmethod
    def resolve_full_name(obj: Division) -> str:
        return obj.full_name()


class DivisionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DivisionOut]


class DivisionQuery(Schema):
    parent: DbId | None = Field(None, title="上级区划", description="上级区划ID：只列其直接下级")
    level: DivisionLevel | None = Field(
        None, title="层级", description="1县/区 2乡镇/街道 3村/社区 4小区/楼栋 5网格"
    )
    q: str | None = Field(None, title="搜索", max_length=40, description="名称包含，或代码开头")


@router.get(
    "/divisions",
    response={200: DivisionPage, **COMMON_ERRORS},
    summary="行政区划列表（限管辖范围，分页）",
)
@requires("divisions.view_division")
def list_divisions(request, filters: Query[DivisionQuery], page: Query[PageParams]):
    user = request.auth
    qs = Division.objects.restrict(user)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__startswith=filters.q))
    return paginate(qs.order_by("path"), page)


@router.get(
    "/divisions/{division_id}",
    response={200: DivisionDetailOut, **COMMON_ERRORS},
    summary="行政区划详情",
)
@requires("divisions.view_division")
def get_division(request, division_id: DbId):
    user = request.auth
    return get_restricted_or_404(Division, user, pk=division_id)

"""The fever loop over the API (E1, E2): report a fever (an episode opened or merged), list
and read episodes in the user's jurisdiction, record the next step (409 with the reason when
the loop does not allow it). The same services and jurisdiction as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Status

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
from shuangying.people.models import Person
from shuangying.places.models import Place

from . import services
from .health import health_stats, reporting_day
from .models import FeverEpisode
from .schemas import (
    EpisodeDetailOut,
    EpisodeOut,
    EpisodePage,
    FeverIn,
    FeverQuery,
    HealthStatsOut,
    IntakeOut,
    StatsQuery,
    StepIn,
)

router = Router(tags=["发热闭环"])


def _episodes(user):
    return FeverEpisode.objects.restrict(user).for_list().with_due()


def _visible(queryset, user, pk, field: str, label: str):
    if pk is None:
        return None
    found = queryset.restrict(user).filter(pk=pk).first()
    if found is None:
        raise ApiError(422, f"invalid_{field}", f"{label}：不存在或不在您的管辖范围内", field)
    return found


@router.post(
    "/fevers",
    response={200: IntakeOut, 201: IntakeOut, **COMMON_ERRORS},
    summary="报告一名发热人员",
    description=(
        "按人员编号或证件号码、手机号找到在册人员：无未结案记录时新开一条（201），已有时并入（200），"
        "每次报告都保留。人员不在册时保存为待核实报告（201,`episode` 为空），由网格员核实。"
    ),
)
@requires("fevers.add_feverreport")
def create_fever(request, payload: FeverIn):
    user = request.auth
    person = _visible(Person.objects, user, payload.person_id, "person_id", "人员")
    place = _visible(Place.objects, user, payload.place_id, "place_id", "场所")
    division = _visible(Division.objects, user, payload.division_id, "division_id", "所在地")
    fields = payload.dict(exclude={"person_id", "place_id", "division_id"})
    try:
        intake = services.report_fever(
            actor=user, person=person, place=place, division=division, **fields
        )
    except ValidationError as exc:
        raise api_error(exc) from None
    except PermissionDenied as exc:
        raise ApiError(403, "permission_denied", str(exc)) from None
    episode = None
    if intake.episode is not None:
        episode = _episodes(user).filter(pk=intake.episode.pk).first()
    created = intake.opened or intake.episode is None
    body = {"created": intake.opened, "report_id": intake.report.pk, "episode": episode}
    return Status(201 if created else 200, body)


@router.get(
    "/fevers",
    response={200: EpisodePage, **COMMON_ERRORS},
    summary="发热人员（限管辖范围，分页）",
    description="`overdue=true` 只列下一环节已超过时限的未结案记录；时限见 docs/health.md。",
)
@requires("fevers.view_feverepisode")
def list_fevers(request, filters: Query[FeverQuery], page: Query[PageParams]):
    user = request.auth
    qs = _episodes(user)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    if filters.overdue is True:
        qs = qs.overdue()
    elif filters.overdue is False:
        qs = qs.exclude(FeverEpisode.objects.overdue_q())
    result = paginate(qs.order_by("found_at", "pk"), page)
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="fever_episode",
        summary=f"API 发热人员 共{result['count']}条",
        detail={"filters": filters.dict(exclude_none=True)},
    )
    return result


def _one(user, pk: int) -> FeverEpisode:
    episode = _episodes(user).filter(pk=pk).first()
    if episode is None:
        raise ApiError(404, "not_found", "发热记录不存在或不在您的管辖范围内")
    return episode


@router.get(
    "/fevers/{fever_id}",
    response={200: EpisodeDetailOut, **COMMON_ERRORS},
    summary="一名发热人员的闭环记录和各次报告",
)
@requires("fevers.view_feverepisode")
def get_fever(request, fever_id: DbId):
    user = request.auth
    episode = _one(user, fever_id)
    episode.log_action(AuditAction.VIEW, user=user, summary=f"API 查看发热记录 {episode.pk}")
    return episode


@router.post(
    "/fevers/{fever_id}/steps",
    response={200: EpisodeOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="登记下一环节",
    description=(
        "环节须按顺序、每个只登记一次：registered → isolated（须填 isolation_place）→ sampled → "
        "resulted（须填 result）→ closed（须填 outcome）。不允许的环节返回 409 及原因。"
    ),
)
@requires("fevers.view_feverepisode")
def take_step(request, fever_id: DbId, payload: StepIn):
    user = request.auth
    episode = _one(user, fever_id)
    fields = payload.dict(exclude={"step", "at"})
    try:
        services.advance_episode(
            actor=user, episode=episode, step=payload.step, at=payload.at, **fields
        )
    except services.TransitionRefused as exc:
        raise ApiError(409, "step_not_allowed", exc.message_dict["step"][0], "step") from None
    except ValidationError as exc:
        raise api_error(exc) from None
    except PermissionDenied as exc:
        raise ApiError(403, "permission_denied", str(exc)) from None
    return _one(user, fever_id)


@router.get(
    "/health/stats",
    response={200: HealthStatsOut, **COMMON_ERRORS},
    summary="卫生健康日统计（发热、采样检测、病例）",
    description=(
        "某日（缺省为今日）管辖范围内的统计：当日发现的发热人员，截至统计时刻各环节人数和超时人数，"
        "当日结案按结论；当日采样、出结果、阳性；病例按分类的当日新增、累计和当前；"
        "全县及各乡镇连续无新增确诊的天数。过去的日期按当日结束时的情况统计，"
        "角色无权查看采样检测或病例时，对应部分为空。"
        "查询次数固定，与数据量无关。"
    ),
)
@requires("fevers.view_feverepisode")
def get_health_stats(request, filters: Query[StatsQuery]):
    user = request.auth
    day = filters.date or reporting_day()
    return health_stats(user, day)

"""Daily reports over the API (F3): one report by the grid worker (or the desk), a batch of
them answered item by item (``apibase.batch_items``), and the missing-report list: a grid
worker's from the cut-off, anyone else's an hour later (QUARANTINE_TOWNSHIP_DELAY_MINUTES)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Status

from shuangying.access import get_restricted_or_404
from shuangying.apibase import (
    COMMON_ERRORS,
    DbId,
    ItemError,
    api_error,
    batch_items,
    requires,
    validate_item,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from . import services
from .models import QuarantineOrder
from .schemas import BatchOut, BatchReportIn, MissingPage, MissingQuery, ReportIn, ReportOut

router = Router(tags=["隔离管理"])
MAX_BATCH = 10_000


def report_out(result: services.ReportResult) -> dict:
    r = result.report
    return {
        "id": r.pk,
        "order_id": r.order_id,
        "day": r.day,
        "slot": r.slot,
        "temperature": float(r.temperature),
        "symptoms": r.symptoms,
        "abnormal": r.abnormal,
        "fever_episode_id": r.fever_episode_id,
        "created": result.created,
        "corrected": result.corrected,
    }


def _submit(order, item, user):
    return services.submit_report(
        order=order,
        day=item.day,
        slot=item.slot,
        temperature=item.temperature,
        symptoms=item.symptoms,
        correction_reason=item.correction_reason,
        actor=user,
    )


@router.post(
    "/quarantine/orders/{quarantine_id}/reports",
    response={200: ReportOut, 201: ReportOut, **COMMON_ERRORS},
    summary="报告一次体温和症状（网格员代报）",
    description="每条隔离令每天每个时段（1上午、2下午）一条：同样的数值再次提交返回原报告（200），"
    "不同数值须填更正原因。体温≥37.3℃或有症状时转入发热闭环（居家隔离渠道）。",
)
@requires("quarantine.add_dailyreport")
def create_report(request, quarantine_id: DbId, payload: ReportIn):
    user = request.auth
    order = get_restricted_or_404(QuarantineOrder, user, pk=quarantine_id)
    try:
        result = _submit(order, payload, user)
    except ValidationError as exc:
        raise api_error(exc) from None
    return Status(201 if result.created else 200, report_out(result))


@router.post(
    "/quarantine/reports/batch",
    response={200: BatchOut, **COMMON_ERRORS},
    summary="批量上传健康报告（逐条答复）",
    description="`items` 为报告列表（每条含 order_id），最多10,000条；每条单独答复："
    "created、unchanged、corrected 或 error（含字段和中文说明），一条出错不影响其他条。",
)
@requires("quarantine.add_dailyreport")
def batch_reports(request):
    user = request.auth
    raw = batch_items(request.body, label="报告列表", max_items=MAX_BATCH)
    checked = [validate_item(BatchReportIn, item) for item in raw]
    ids = {c.order_id for c in checked if isinstance(c, BatchReportIn)}
    visible = {o.pk: o for o in QuarantineOrder.objects.restrict(user).filter(pk__in=ids)}
    answers = []
    for index, item in enumerate(checked):
        if isinstance(item, ItemError):
            answers.append(
                {"index": index, "status": "error", "field": item.field, "message": item.message}
            )
            continue
        assert isinstance(item, BatchReportIn)
        order = visible.get(item.order_id)
        if order is None:
            answers.append(
                {
                    "index": index,
                    "status": "error",
                    "field": "order_id",
                    "message": "隔离令：不存在或不在您的管辖范围内",
                }
            )
            continue
        try:
            result = _submit(order, item, user)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            answers.append(
                {"index": index, "status": "error", "field": field, "message": "；".join(messages)}
            )
            continue
        status = "created" if result.created else ("corrected" if result.corrected else "unchanged")
        answers.append({"index": index, "status": status, "report_id": result.report.pk})
    return {"items": answers}


@router.get(
    "/quarantine/missing-reports",
    response={200: MissingPage, **COMMON_ERRORS},
    summary="未按时报告的隔离人员",
    description="`date`（默认今天）`slot`（1上午、2下午）。网格员在截止时间后即可看到本网格的名单，"
    "乡镇和其他角色在截止一小时后看到（时间为设置）；截止前名单为空。限管辖范围。",
)
@requires("quarantine.view_quarantineorder")
def missing(request, filters: Query[MissingQuery]):
    user = request.auth
    day = filters.date or timezone.localdate()
    grid = user.groups.filter(name="grid_worker").exists()
    delay = 0 if grid else settings.QUARANTINE_TOWNSHIP_DELAY_MINUTES
    orders = QuarantineOrder.objects.restrict(user).select_related(
        "person", "division", "grid_worker"
    )
    rows = list(services.missing_reports(orders, day=day, slot=filters.slot, delay=delay)[:5000])
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="quarantine_order",
        summary=f"查询未报告人员 {day} 第{filters.slot}次 {len(rows)}人",
    )
    return {
        "date": day,
        "slot": filters.slot,
        "level": "grid" if grid else "township",
        "count": len(rows),
        "items": [
            {
                "order_id": o.pk,
                "person_name": o.person.name,
                "id_number_masked": o.person.id_number_masked,
                "division": o.division.name,
                "grid_worker": (o.grid_worker.get_full_name() or o.grid_worker.get_username())
                if o.grid_worker
                else "",
                "end_date": o.end_date,
            }
            for o in rows
        ],
    }

"""Samples and results over the API (E3): take a sample (booked at once), a batch of results
(each item answered in its own slot, the field named), a lab's queue for a day.

No ``from __future__ import annotations`` here: ninja reads a handler's annotations through
``@requires``' wrapper, whose globals are apibase's, so they must be objects, not strings."""

import datetime as dt
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from shuangying.access import get_restricted_or_404
from shuangying.apibase import COMMON_ERRORS, DbId, api_error, requires
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.people.models import Person

from .choices import SampleType
from .ledger import parse_time
from .models import Lab, Sample, SamplingPoint
from .services import ResultItem, record_results, take_sample
from .services.booking import queue_days

router = Router(tags=["采样与检测"])
MAX_BATCH = 1000


class SampleIn(Schema):
    person_id: DbId = Field(..., title="人员")
    barcode: str = Field(..., max_length=40, title="样本条码")
    sample_type: SampleType = Field(SampleType.THROAT, title="样本类型")
    sampled_at: datetime | None = Field(None, title="采样时间")
    point_id: DbId | None = Field(None, title="采样点")
    lab_id: DbId | None = Field(None, title="实验室")
    pool_barcode: str = Field("", max_length=40, title="混采管条码")
    pool_size: int | None = Field(None, title="混采规格")


class SampleOut(Schema):
    id: int
    barcode: str
    person_id: int
    sample_type: str
    sampled_at: datetime
    lab_id: int
    lab: str
    booked_day: date
    overflowed: bool = Field(..., description="容量不足，已顺延到后一日或转送其他实验室")
    pool_barcode: str
    result: str
    needs_resample: bool


class ResultIn(Schema):
    barcode: str = Field("", max_length=100, title="条码")
    result: str = Field("", max_length=20, title="结果")
    resulted_at: str = Field("", max_length=40, title="出结果时间")
    correction: bool = Field(False, title="更正")
    reason: str = Field("", max_length=200, title="更正原因")


class ResultsIn(Schema):
    items: list[ResultIn] = Field(..., min_length=1, max_length=MAX_BATCH, title="结果")


class ResultOut(Schema):
    barcode: str
    status: str = Field(..., description="recorded、unchanged、corrected 或 error")
    field: str | None = None
    message: str = ""
    case_id: int | None = Field(None, description="阳性结果开立（或已有）的疑似病例")


class ResultsOut(Schema):
    recorded: int
    errors: int
    items: list[ResultOut]


class QueueQuery(Schema):
    date: dt.date | None = Field(None, title="日期")


class QueueOut(Schema):
    lab_id: int
    lab: str
    day: date
    capacity: int
    booked: int
    samples: list[SampleOut]


def sample_out(s: Sample) -> dict:
    return {
        "id": s.pk,
        "barcode": s.barcode,
        "person_id": s.person_id,
        "sample_type": s.sample_type,
        "sampled_at": s.sampled_at,
        "lab_id": s.lab_id,
        "lab": s.lab.name,
        "booked_day": s.booked_day,
        "overflowed": s.overflowed,
        "pool_barcode": s.pool.barcode if s.pool_id else "",
        "result": s.outcome,
        "needs_resample": s.needs_resample,
    }


def _time(text: str) -> datetime | None:
    text = (text or "").strip()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return parse_time(text)
    return timezone.make_aware(at) if timezone.is_naive(at) else at


@router.post(
    "/samples",
    response={201: SampleOut, **COMMON_ERRORS},
    summary="登记一份样本（自动预约实验室和检测日期）",
    description="实验室当日检测能力已满时顺延到其他实验室或后一日（`overflowed`=true）。"
    "填写 `pool_barcode` 与 `pool_size`（5或10）即加入混采管，满管时拒绝（422,field=pool_barcode）。",
)
@requires("labs.add_sample")
def create_sample(request, payload: SampleIn):
    user = request.auth
    person = get_restricted_or_404(Person, user, pk=payload.person_id)
    point = lab = None
    if payload.point_id is not None:
        point = get_restricted_or_404(SamplingPoint, user, pk=payload.point_id)
    if payload.lab_id is not None:
        lab = get_restricted_or_404(Lab, user, pk=payload.lab_id)
    try:
        sample = take_sample(
            person=person,
            barcode=payload.barcode,
            sample_type=payload.sample_type,
            sampled_at=payload.sampled_at,
            point=point,
            lab=lab,
            pool_barcode=payload.pool_barcode,
            pool_size=payload.pool_size,
            actor=user,
        )
    except ValidationError as exc:
        raise api_error(exc) from None
    return Status(201, sample_out(sample))


@router.post(
    "/samples/results",
    response={200: ResultsOut, **COMMON_ERRORS},
    summary="批量录入检测结果（逐条答复）",
    description="每条：`barcode`（样本或混采管条码）、`result`（negative/positive/invalid 或 阴性/阳性/无效）、"
    "`resulted_at`。同一结果重复提交为 unchanged；不同结果须 `correction`=true 并填写 `reason`。"
    "错误的条目在自己的位置返回 status=error、field 与中文说明，不影响其他条目。"
    "混采管阳性或无效时，管内每份样本列入待复采名单；单采样本阳性开立疑似病例。",
)
@requires("labs.record_result")
def record_results_api(request, payload: ResultsIn):
    from .ledger import RESULTS

    user = request.auth
    items = [
        ResultItem(
            barcode=i.barcode,
            result=RESULTS.get(i.result.strip(), RESULTS.get(i.result.strip().lower(), i.result)),
            resulted_at=_time(i.resulted_at),
            correction=i.correction,
            reason=i.reason,
        )
        for i in payload.items
    ]
    outcomes = record_results(items=items, actor=user)
    for outcome, given in zip(outcomes, payload.items, strict=True):
        if (
            outcome.field == "resulted_at"
            and given.resulted_at.strip()
            and _time(given.resulted_at) is None
        ):
            outcome.message = "出结果时间：格式应为 2020-02-10T14:30:00+08:00"
    answers = [
        {
            "barcode": o.barcode[:40],
            "status": o.status,
            "field": o.field,
            "message": o.message,
            "case_id": o.case_id,
        }
        for o in outcomes
    ]
    errors = sum(1 for o in outcomes if not o.ok)
    return {"recorded": len(outcomes) - errors, "errors": errors, "items": answers}


@router.get(
    "/labs/{lab_id}/queue",
    response={200: QueueOut, **COMMON_ERRORS},
    summary="实验室某日的检测队列",
    description="`date` 缺省为今日；样本限管辖范围。",
)
@requires("labs.view_sample")
def lab_queue(request, lab_id: DbId, when: Query[QueueQuery]):
    user = request.auth
    lab = get_restricted_or_404(Lab, user, pk=lab_id)
    day = when.date or timezone.localdate()
    counter = queue_days(lab=lab, start=day, days=1)[0]
    samples = (
        Sample.objects.restrict(user)
        .filter(lab=lab, booked_day=day)
        .select_related("lab", "pool")
        .order_by("pool_id", "sampled_at", "pk")[:2000]
    )
    rows = [sample_out(s) for s in samples]
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="sample",
        summary=f"查看{lab.name} {day} 检测队列 {len(rows)}份",
        detail={"实验室": lab.pk, "检测日期": day.isoformat()},
    )
    return {
        "lab_id": lab.pk,
        "lab": lab.name,
        "day": day,
        "capacity": counter.capacity,
        "booked": counter.booked,
        "samples": rows,
    }

"""Checkpoint records over the API (C3): create one, upload an offline batch, list, daily
counters and fever alerts. The same jurisdiction as the pages (``restrict``), the same
service for writes, masked document numbers only (M1)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from shuangying.apibase import (
    COMMON_ERRORS,
    ApiError,
    DbInt,
    ItemError,
    PageParams,
    api_error,
    batch_items,
    paginate,
    requires,
    validate_item,
)
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from .models import CheckpointDay, CheckpointRecord
from .querysets import local_day_range
from .schemas import (
    BATCH_MAX_ITEMS,
    BATCH_REQUEST_BODY,
    BatchOut,
    CounterQuery,
    CountersOut,
    FeverPage,
    RecordIn,
    RecordPage,
    RecordQuery,
    RecordWriteOut,
)
from .services import (
    BatchItemResult,
    checkpoints_for,
    record_checkpoint_batch,
    record_checkpoint_check,
)

router = Router(tags=["卡口检查"])

FEVER_PAGE = 50


def _records(user):
    return CheckpointRecord.objects.restrict(user).select_related("checkpoint")


@router.post(
    "/checkpoints/records",
    response={200: RecordWriteOut, 201: RecordWriteOut, **COMMON_ERRORS},
    summary="登记一次卡口检查",
    description="新记录返回 201；同一 `client_uuid` 已登记时不重复写入，返回 200 和已有记录。",
)
@requires("checkpoints.add_checkpointrecord")
def create_record(request, payload: RecordIn):
    user = request.auth
    checkpoint = checkpoints_for(user).filter(pk=payload.checkpoint).first()
    if checkpoint is None:
        raise ApiError(422, "invalid_checkpoint", "卡口：不存在或不在您的管辖范围内", "checkpoint")
    fields = payload.dict(exclude={"checkpoint"})
    fields["vehicle_type"] = fields["vehicle_type"] or ""
    try:
        result = record_checkpoint_check(actor=user, checkpoint=checkpoint, **fields)
    except ValidationError as exc:
        raise api_error(exc) from None
    record = _records(user).get(pk=result.record.pk)
    record.created = result.created
    return Status(201 if result.created else 200, record)


@router.post(
    "/checkpoints/records/batch",
    response={200: BatchOut, **COMMON_ERRORS},
    summary="批量上传离线记录",
    description=(
        "离线队列的上传：逐条登记，按 `client_uuid` 去重。每条返回 `created`（新增）、"
        "`duplicate`（此前已收到）或 `rejected`（被拒绝，附出错字段和原因）；"
        "一条有误（包括字段类型不对、含控制字符）不影响其他条目。"
        "设备收到 created 或 duplicate 后即可删除本地副本。"
    ),
    openapi_extra={"requestBody": BATCH_REQUEST_BODY},
)
@requires("checkpoints.add_checkpointrecord")
def create_batch(request):
    # The body is read here, not by a body schema: each item is validated on its own, so
    # that a bad one is answered in its slot rather than failing the upload as a whole.
    user = request.auth
    raw = batch_items(request.body, label="记录", max_items=BATCH_MAX_ITEMS)
    items: list = []
    for entry in raw:
        checked = validate_item(RecordIn, entry)
        if isinstance(checked, ItemError):
            items.append(_refused(entry, checked))
            continue
        fields = checked.dict()
        fields["vehicle_type"] = fields["vehicle_type"] or ""
        items.append(fields)
    results = record_checkpoint_batch(actor=user, items=items)
    counts = {"created": 0, "duplicate": 0, "rejected": 0}
    for result in results:
        counts[result.status] += 1
    return {**counts, "items": [vars(r) for r in results]}


def _refused(entry, error: ItemError) -> BatchItemResult:
    key = entry.get("client_uuid") if isinstance(entry, dict) else None
    text = key if isinstance(key, str) else "" if key is None else json.dumps(key)
    return BatchItemResult(text, "rejected", field=error.field, message=error.message)


@router.get(
    "/checkpoints/records",
    response={200: RecordPage, **COMMON_ERRORS},
    summary="卡口检查记录（限管辖范围，分页）",
)
@requires("checkpoints.view_checkpointrecord")
def list_records(request, filters: Query[RecordQuery], page: Query[PageParams]):
    user = request.auth
    qs = local_day_range(_records(user), filters.start, filters.end)
    if filters.checkpoint is not None:
        qs = qs.filter(checkpoint_id=filters.checkpoint)
    if filters.fever is not None:
        qs = qs.filter(is_fever=filters.fever)
    result = paginate(qs, page)
    record_event(
        user=user,
        action=AuditAction.LIST,
        object_type="checkpoint_record",
        summary=f"API 卡口检查记录 共{result['count']}条",
    )
    return result


@router.get(
    "/checkpoints/counters",
    response={200: CountersOut, **COMMON_ERRORS},
    summary="卡口每日统计（检查人数、车辆、发热、劝返）",
    description="每个卡口每天一行，并给出合计；日期按北京时间。",
)
@requires("checkpoints.view_checkpointrecord")
def counters(request, filters: Query[CounterQuery]):
    user = request.auth
    qs = CheckpointDay.objects.restrict(user).between(filters.start, filters.end)
    if filters.checkpoint is not None:
        qs = qs.filter(checkpoint_id=filters.checkpoint)
    rows = [
        {
            "day": row.day,
            "checkpoint_id": row.checkpoint_id,
            "checkpoint_name": row.checkpoint.name,
            "persons": row.persons,
            "vehicles": row.vehicles,
            "fevers": row.fevers,
            "turned_back": row.turned_back,
        }
        for row in qs.rows()[:5000]
    ]
    return {"totals": qs.totals(), "rows": rows}


@router.get(
    "/checkpoints/fevers",
    response={200: FeverPage, **COMMON_ERRORS},
    summary="发热预警（编号大于 since 的发热记录）",
    description="轮询用：传入上次收到的最大 `last_id`，只返回此后新增的发热记录（最多50条）。",
)
@requires("checkpoints.view_checkpointrecord")
def fevers(request, since: DbInt = 0):
    user = request.auth
    items = list(
        _records(user)
        .fevers()
        .filter(pk__gt=since)
        .select_related("checkpoint__division")
        .order_by("pk")[:FEVER_PAGE]
    )
    for item in items:
        item.division = item.checkpoint.division.name
    return {"last_id": items[-1].pk if items else since, "items": items}

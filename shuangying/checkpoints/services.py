"""Writes on checkpoint records (C3): one function per act, atomic, audited.

``record_checkpoint_check`` is idempotent on the device's UUID: the same submission sent
again (an offline queue retried after a lost answer) returns the row already written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.masking import mask_id_number
from shuangying.fevers.services import intake_checkpoint_fevers
from shuangying.healthcodes.fever import clean_temperature, is_fever
from shuangying.healthcodes.services import verify_code
from shuangying.people.choices import DocumentType
from shuangying.people.identity import IdentityError, normalize_document
from shuangying.people.models import id_number_hash
from shuangying.places.models import Place

from .choices import Direction, FeverDisposal, Outcome, VehicleType
from .models import CheckpointDay, CheckpointRecord
from .validators import normalize_plate

# A device clock may be off; a record is never dated in the future nor older than this
# (a device offline for a week has a bigger problem than its queue).
MAX_BACKDATE = dt.timedelta(days=7)


@dataclass
class RecordResult:
    record: CheckpointRecord
    created: bool


def checkpoints_for(user):
    """The checkpoints ``user`` may record at: active checkpoint places in their jurisdiction."""
    return Place.objects.restrict(user).checkpoints().filter(is_active=True)


def _clean_checked_at(value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + dt.timedelta(minutes=5) or value < now - MAX_BACKDATE:
        raise ValidationError({"checked_at": "检查时间：不能晚于现在，也不能早于7天前"})
    return min(value, now)


def health_code_colour(token: str, at: dt.datetime) -> str:
    """The colour signed into a scanned health code, checked as of the moment of the check
    (an offline record reaches the server after the token's few minutes have passed); "" when
    the token is not a valid code."""
    if not token:
        return ""
    verification = verify_code(token, now=at.timestamp())
    return verification.colour if verification.valid else ""


def _record_fevers(records: list[CheckpointRecord], *, actor) -> None:
    """A fever found at a checkpoint opens (or joins) the person's fever episode, which turns
    their code (``fever_unresolved``, recorded by the fever loop, once per episode): called in
    the transaction that inserts the records, so a record never stands without its episode."""
    intake_checkpoint_fevers(records, actor=actor)


_VALUES = {c: frozenset(c.values) for c in (Direction, Outcome, VehicleType, FeverDisposal)}


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in _VALUES[choices]:
        allowed = "、".join(str(c) for c in choices.values)
        raise ValidationError({field: f"{label}：取值应为 {allowed} 之一"})
    return value


def build_checkpoint_record(
    *,
    actor,
    client_uuid: uuid.UUID | str,
    checkpoint: Place,
    temperature,
    direction: str,
    outcome: str,
    checked_at: dt.datetime | None = None,
    document_type: str = DocumentType.RESIDENT_ID,
    id_number: str = "",
    health_code_token: str = "",
    is_vehicle: bool = False,
    plate: str = "",
    vehicle_type: str = "",
    origin: str = "",
    passenger_count: int | None = None,
    now: dt.datetime | None = None,
) -> CheckpointRecord:
    """A validated, unsaved record (``person`` not yet resolved: see ``_attach_persons``).
    Raises ValidationError with a Chinese message naming the field."""
    try:
        client_uuid = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": "客户端编号：应为UUID"}) from None
    now = now or timezone.now()
    record = CheckpointRecord(
        client_uuid=client_uuid,
        checkpoint=checkpoint,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        checked_at=_clean_checked_at(checked_at, now),
        direction=_choice(direction, Direction, "direction", "方向"),
        outcome=_choice(outcome, Outcome, "outcome", "处置"),
        temperature=clean_temperature(temperature),
    )
    record.is_fever = is_fever(record.temperature)
    id_number = (id_number or "").strip()
    if id_number:
        try:
            normalized = normalize_document(document_type, id_number)
        except IdentityError as exc:
            raise ValidationError({"id_number": f"证件号码：{exc}"}) from None
        record.document_hash = id_number_hash(normalized)
        record.document_masked = mask_id_number(normalized)
    health_code_token = (health_code_token or "").strip()
    if not id_number and not health_code_token and not is_vehicle:
        raise ValidationError({"id_number": "证件号码：请扫描健康码或填写证件号码"})
    record.health_code_token = health_code_token[:2000]
    record.health_code_colour = health_code_colour(health_code_token, record.checked_at)
    if is_vehicle:
        record.is_vehicle = True
        record.plate = normalize_plate(plate)
        record.vehicle_type = _choice(
            vehicle_type or VehicleType.OTHER, VehicleType, "vehicle_type", "车辆类型"
        )
        record.origin = (origin or "").strip()[:60]
        if passenger_count is not None and not 1 <= int(passenger_count) <= 99:
            raise ValidationError({"passenger_count": "车上人数：应在 1–99 之间"})
        record.passenger_count = passenger_count
    return record


def _attach_persons(records: list[CheckpointRecord]) -> None:
    """Link each record whose document number is registered to its person (one query per
    500 numbers), noting the person's division for the fever loop (``person_division_id``:
    a fever's episode belongs to it) so that it need not read the persons again."""
    from shuangying.people.models import Person

    hashes = sorted({r.document_hash for r in records if r.document_hash})
    found: dict[str, tuple[int, int]] = {}
    for i in range(0, len(hashes), 500):
        rows = Person.objects.filter(id_number_hash__in=hashes[i : i + 500]).values_list(
            "id_number_hash", "pk", "division_id"
        )
        found.update({digest: (pk, division) for digest, pk, division in rows})
    for record in records:
        record.person_id, record.person_division_id = found.get(record.document_hash, (None, None))


@transaction.atomic
def record_checkpoint_check(
    *, actor, checkpoint: Place, audit: bool = True, **fields
) -> RecordResult:
    """Record one check at ``checkpoint`` (the caller has checked that ``actor`` may record
    there); ``fields`` as ``build_checkpoint_record``. The same ``client_uuid`` again answers
    the existing row, created=False."""
    try:
        key = uuid.UUID(str(fields.get("client_uuid")))
    except ValueError:
        raise ValidationError({"client_uuid": "客户端编号：应为UUID"}) from None
    existing = CheckpointRecord.objects.filter(client_uuid=key).first()
    if existing is not None:
        return RecordResult(existing, False)
    record = build_checkpoint_record(actor=actor, checkpoint=checkpoint, **fields)
    _attach_persons([record])
    try:
        with transaction.atomic():
            record.save(force_insert=True)
            add_to_daily_counters([record])
            _record_fevers([record], actor=actor)
    except IntegrityError:
        # Two copies of the same submission raced: the other one won.
        existing = CheckpointRecord.objects.filter(client_uuid=key).first()
        if existing is None:
            raise
        return RecordResult(existing, False)
    if audit:
        record.log_action(
            AuditAction.CREATE,
            user=actor,
            summary=f"卡口检查 {checkpoint.name}"
            + (f" 发热 {record.temperature}℃" if record.is_fever else ""),
            detail={"document": record.document_masked, "plate": record.plate},
        )
    return RecordResult(record, True)


@dataclass
class BatchItemResult:
    client_uuid: str
    status: str  # created | duplicate | rejected
    id: int | None = None
    is_fever: bool = False
    field: str | None = None
    message: str = ""


def _uuid(item: dict) -> uuid.UUID:
    value = item.get("client_uuid")
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _existing(keys: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, bool, bool]]:
    """(id, is_fever, inserted now=False) of the records already holding these UUIDs."""
    found: dict[uuid.UUID, tuple[int, bool, bool]] = {}
    for i in range(0, len(keys), 500):
        rows = CheckpointRecord.objects.filter(client_uuid__in=keys[i : i + 500]).values_list(
            "client_uuid", "pk", "is_fever"
        )
        found.update({key: (pk, fever, False) for key, pk, fever in rows})
    return found


def _insert_batch(records: list[CheckpointRecord], *, actor) -> dict:
    """Insert ``records`` and count them into the daily counters, all in one transaction;
    if a concurrent upload wrote one of the UUIDs meanwhile (IntegrityError), insert them one
    by one instead, each with its own idempotency. Answers {uuid: (id, is_fever, inserted)}."""
    try:
        with transaction.atomic():
            CheckpointRecord.objects.bulk_create(records, batch_size=500)
            add_to_daily_counters(records)
            _record_fevers(records, actor=actor)
        return {r.client_uuid: (r.pk, r.is_fever, True) for r in records}
    except IntegrityError:
        pass
    written = {}
    for record in records:
        try:
            with transaction.atomic():
                record.pk = None
                record.save(force_insert=True)
                add_to_daily_counters([record])
                _record_fevers([record], actor=actor)
            written[record.client_uuid] = (record.pk, record.is_fever, True)
        except IntegrityError:
            written.update(_existing([record.client_uuid]))
    return written


COUNTER_FIELDS = ("persons", "vehicles", "fevers", "turned_back")


def add_to_daily_counters(records: list[CheckpointRecord]) -> None:
    """Add freshly inserted records to their checkpoints' daily counters (call inside the
    transaction that inserted them). Keys in a fixed order, so that concurrent uploads take
    the row locks in the same order."""
    increments: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in records:
        counts = increments[(r.checkpoint_id, timezone.localdate(r.checked_at))]
        counts[0] += (r.passenger_count or 1) if r.is_vehicle else 1
        counts[1] += int(r.is_vehicle)
        counts[2] += int(r.is_fever)
        counts[3] += int(r.outcome == Outcome.TURNED_BACK)
    for (checkpoint_id, day), counts in sorted(increments.items()):
        values = dict(zip(COUNTER_FIELDS, counts, strict=True))
        rows = CheckpointDay.objects.filter(checkpoint_id=checkpoint_id, day=day)
        if rows.update(**{f: F(f) + n for f, n in values.items()}):
            continue
        try:
            with transaction.atomic():
                CheckpointDay.objects.create(checkpoint_id=checkpoint_id, day=day, **values)
        except IntegrityError:  # created concurrently: add to it
            rows.update(**{f: F(f) + n for f, n in values.items()})


@transaction.atomic
def rebuild_daily_counters() -> int:
    """Recompute every daily counter from the records (after a bulk load or a repair)."""
    CheckpointDay.objects.all().delete()
    rows = [
        CheckpointDay(
            checkpoint_id=row["checkpoint_id"],
            day=row["day"],
            **{f: row[f] for f in COUNTER_FIELDS},
        )
        for row in CheckpointRecord.objects.all().daily_counters().iterator()
    ]
    CheckpointDay.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_checkpoint_batch(*, actor, items: list[dict | BatchItemResult]) -> list[BatchItemResult]:
    """An offline queue's upload, answered item by item so that the device deletes exactly
    what the server holds: ``created``, ``duplicate`` (this UUID was received before, or
    earlier in this batch) or ``rejected`` (with the reason; one invalid item does not stop
    the others). An item given as a ``BatchItemResult`` was already refused by the caller's
    schema and is answered as it is, in its place. Set-based: one query for the UUIDs already
    known, one for the persons, one bulk insert that skips UUIDs a concurrent upload wrote
    meanwhile. One audit row."""
    allowed = {p.pk: p for p in checkpoints_for(actor)}
    now = timezone.now()
    results: list[BatchItemResult] = []
    keys: list[uuid.UUID | None] = []
    for item in items:
        try:
            keys.append(None if isinstance(item, BatchItemResult) else _uuid(item))
        except ValueError:
            keys.append(None)
    known = _existing([k for k in keys if k is not None])
    fresh: dict[uuid.UUID, CheckpointRecord] = {}
    for item, key in zip(items, keys, strict=True):
        if isinstance(item, BatchItemResult):
            results.append(item)
            continue
        item = dict(item)
        text = str(item.get("client_uuid", ""))
        if key is None:
            results.append(
                BatchItemResult(
                    text, "rejected", field="client_uuid", message="客户端编号：应为UUID"
                )
            )
            continue
        if key in known or key in fresh:
            results.append(BatchItemResult(str(key), "duplicate"))
            continue
        checkpoint = allowed.get(item.pop("checkpoint", None))
        if checkpoint is None:
            results.append(
                BatchItemResult(
                    str(key),
                    "rejected",
                    field="checkpoint",
                    message="卡口：不存在或不在您的管辖范围内",
                )
            )
            continue
        try:
            fresh[key] = build_checkpoint_record(
                actor=actor, checkpoint=checkpoint, now=now, **item
            )
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            results.append(BatchItemResult(str(key), "rejected", field=field, message=messages[0]))
            continue
        results.append(BatchItemResult(str(key), "created"))
    _attach_persons(list(fresh.values()))
    written = _insert_batch(list(fresh.values()), actor=actor)
    created = 0
    for result in results:
        if result.status == "rejected":
            continue
        key = uuid.UUID(result.client_uuid)
        row = written.get(key) or known.get(key)
        if row is None:
            # Refused by the database itself (a constraint): nothing was written.
            result.status, result.message = "rejected", "数据不符合要求，未能保存"
            continue
        result.id, result.is_fever, inserted = row
        if result.status == "created" and not inserted:
            result.status = "duplicate"  # a concurrent upload of the same UUID came first
        created += result.status == "created"
    record_event(
        user=actor,
        action=AuditAction.CREATE,
        object_type="checkpoint_record",
        summary=f"卡口检查批量上传 {len(items)} 条，新增 {created} 条",
        detail={"items": len(items), "created": created},
    )
    return results


@transaction.atomic
def handle_fever(
    *, actor, record: CheckpointRecord, sent_to: str, note: str = ""
) -> CheckpointRecord:
    """Mark a fever alert handled: who, when and where the person was sent. Once only."""
    record = CheckpointRecord.objects.select_for_update().get(pk=record.pk)
    if not record.is_fever:
        raise ValidationError({"sent_to": "处置去向：该记录不是发热记录"})
    if record.handled_at is not None:
        raise ValidationError({"sent_to": "处置去向：该发热预警已处置"})
    record.handled_to = _choice(sent_to, FeverDisposal, "sent_to", "处置去向")
    record.handled_note = (note or "").strip()[:100]
    record.handled_by = actor
    record.handled_at = timezone.now()
    record.save(update_fields=["handled_to", "handled_note", "handled_by", "handled_at"])
    record.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"处置发热预警 {record.checkpoint.name} {record.get_handled_to_display()}",
        detail={"sent_to": record.handled_to, "note": record.handled_note},
    )
    return record

"""Taking samples (E3): one sample at a sampling point, or a pooled round (5-in-1 / 10-in-1)
written in bulk. Each act books its tubes (``booking.book_slots``), writes its audit row and
sends ``samples_taken`` inside the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.db import copy_rows, insert_objects
from shuangying.people.models import Person

from ..choices import POOL_SIZES, SampleType
from ..models import Lab, Pool, Sample, SamplingPoint
from ..signals import Taken, samples_taken
from .booking import book_slots

MAX_BARCODE = 40
CHUNK = 5000


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def clean_barcode(value, field_name: str = "barcode", label: str = "样本条码") -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field_name: f"{label}：必填"})
    if len(text) > MAX_BARCODE or not text.isprintable() or " " in text:
        raise ValidationError({field_name: f"{label}：应为不含空格的{MAX_BARCODE}位以内字符"})
    return text


def _check_time(at: datetime | None, field_name: str, label: str) -> datetime:
    if at is None:
        raise ValidationError({field_name: f"{label}：必填"})
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({field_name: f"{label}：不能晚于当前时间"})
    return at


def _check_new_barcodes(barcodes: list[str], field_name: str = "barcode") -> None:
    for i in range(0, len(barcodes), CHUNK):
        part = barcodes[i : i + CHUNK]
        taken = list(Sample.objects.filter(barcode__in=part).values_list("barcode", flat=True)[:1])
        taken += list(Pool.objects.filter(barcode__in=part).values_list("barcode", flat=True)[:1])
        if taken:
            raise ValidationError({field_name: f"条码：{taken[0]} 已经登记过，不能重复使用"})


SAMPLE_COLUMNS = (
    "barcode",
    "sample_type",
    "person",
    "division",
    "sampled_at",
    "point",
    "lab",
    "booked_day",
    "overflowed",
    "pool",
    "result",
    "resulted_at",
    "needs_resample",
    "taken_by",
)
SAMPLE_FIELDS = [Sample._meta.get_field(name) for name in SAMPLE_COLUMNS]


def _check_new_pools(barcodes: list[str]) -> None:
    """Tubes are few (a tenth of the samples): checked before anything is written. Member
    barcodes are left to the unique index, and named only when it refuses one."""
    _check_new_barcodes(barcodes, "pool_barcode")


def _member_rows(pools, pool_objs, pool_ids, divisions, sampled_at, sample_type, point, taker):
    """The members as COPY rows, each value prepared for the database once per round (the
    time, the days) rather than once per row."""
    prep = {}

    def db(field_name, value):
        key = (field_name, value)
        if key not in prep:
            field = Sample._meta.get_field(field_name)
            prep[key] = field.get_db_prep_save(value, connection)
        return prep[key]

    at = db("sampled_at", sampled_at)
    point_id = point.pk if point else None
    taker_id = taker.pk if taker else None
    return [
        (
            code,
            sample_type,
            person_id,
            divisions[person_id],
            at,
            point_id,
            p.lab_id,
            db("booked_day", p.booked_day),
            p.overflowed,
            pool_ids[spec.barcode],
            "",
            None,
            False,
            taker_id,
        )
        for spec, p in zip(pools, pool_objs, strict=True)
        for person_id, code in spec.members
    ]


def _divisions_of(person_ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = list(person_ids)
    for i in range(0, len(ids), CHUNK):
        found.update(
            Person.objects.filter(pk__in=ids[i : i + CHUNK]).values_list("pk", "division_id")
        )
    return found


def _announce(samples, actor) -> None:
    samples_taken.send(sender=Sample, samples=list(samples), actor=actor)


@transaction.atomic
def take_sample(
    *,
    person,
    barcode: str,
    sample_type: str = SampleType.THROAT,
    sampled_at: datetime | None = None,
    point: SamplingPoint | None = None,
    lab: Lab | None = None,
    pool_barcode: str = "",
    pool_size: int | None = None,
    actor=None,
) -> Sample:
    """Register one sample and book its test: alone (a slot of its own) or into a pooled tube
    (the tube's slot, booked when its first member arrives). A full tube is refused."""
    barcode = clean_barcode(barcode)
    if sample_type not in SampleType.values:
        raise ValidationError({"sample_type": "样本类型：不是有效的样本类型"})
    sampled_at = _check_time(sampled_at or timezone.now(), "sampled_at", "采样时间")
    _check_new_barcodes([barcode])
    day = timezone.localdate(sampled_at)
    pool = None
    overflowed = False
    if pool_barcode:
        pool_barcode = clean_barcode(pool_barcode, "pool_barcode", "混采管条码")
        pool = Pool.objects.select_for_update().filter(barcode=pool_barcode).first()
        if pool is None:
            if pool_size not in POOL_SIZES:
                raise ValidationError({"pool_size": "混采规格：应为5合1或10合1"})
            if Sample.objects.filter(barcode=pool_barcode).exists():
                raise ValidationError({"pool_barcode": "混采管条码：已是单采样本的条码"})
            slot = book_slots(count=1, day=day, lab=lab)[0]
            pool = Pool.objects.create(
                barcode=pool_barcode,
                size=pool_size,
                lab_id=slot.lab_id,
                booked_day=slot.day,
                overflowed=slot.overflowed,
            )
        if pool.result:
            raise ValidationError({"pool_barcode": "混采管条码：该管已出结果，不能再加入样本"})
        members = pool.members.count()
        if members >= pool.size:
            raise ValidationError(
                {"pool_barcode": f"混采管条码：{pool.barcode}已满（{members}/{pool.size}合1）"}
            )
        lab_id, booked_day, overflowed = pool.lab_id, pool.booked_day, pool.overflowed
    else:
        slot = book_slots(count=1, day=day, lab=lab)[0]
        lab_id, booked_day, overflowed = slot.lab_id, slot.day, slot.overflowed
    Sample.objects.filter(person_id=person.pk, needs_resample=True).update(needs_resample=False)
    sample = Sample.objects.create(
        barcode=barcode,
        sample_type=sample_type,
        person_id=person.pk,
        division_id=person.division_id,
        sampled_at=sampled_at,
        point=point,
        lab_id=lab_id,
        booked_day=booked_day,
        overflowed=overflowed,
        pool=pool,
        taken_by=_user(actor),
    )
    sample.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"采样 {barcode} 人员{person.pk}",
        detail={"实验室": lab_id, "检测日期": booked_day.isoformat(), "混采管": pool_barcode},
    )
    _announce([Taken(sample.person_id, sample.barcode, sample.sampled_at)], actor)
    return sample


@dataclass
class PoolSpec:
    """A pooled tube and its members as (person id, sample barcode)."""

    barcode: str
    size: int
    members: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class RoundResult:
    pools: int
    samples: int
    overflowed_pools: int


@transaction.atomic
def record_pooled_round(
    *,
    pools: list[PoolSpec],
    sampled_at: datetime,
    sample_type: str = SampleType.THROAT,
    point: SamplingPoint | None = None,
    lab: Lab | None = None,
    actor=None,
) -> RoundResult:
    """A round of pooled sampling written at once: every tube booked (one slot each), every
    member written. All or nothing: a tube over its size, a repeated or known barcode or an
    unknown person refuses the whole round, naming the tube."""
    sampled_at = _check_time(sampled_at, "sampled_at", "采样时间")
    barcodes: list[str] = []
    person_ids: set[int] = set()
    for spec in pools:
        clean_barcode(spec.barcode, "pool_barcode", "混采管条码")
        if spec.size not in POOL_SIZES:
            raise ValidationError({"pool_size": f"混采规格：{spec.barcode} 应为5合1或10合1"})
        if not spec.members:
            raise ValidationError({"pool_barcode": f"混采管条码：{spec.barcode} 没有样本"})
        if len(spec.members) > spec.size:
            raise ValidationError(
                {
                    "pool_barcode": f"混采管条码：{spec.barcode} 有{len(spec.members)}份样本，"
                    f"超过{spec.size}合1"
                }
            )
        barcodes.append(spec.barcode)
        for person_id, code in spec.members:
            barcodes.append(clean_barcode(code))
            person_ids.add(person_id)
    if len(set(barcodes)) != len(barcodes):
        seen: set[str] = set()
        dup = next(b for b in barcodes if b in seen or seen.add(b))
        raise ValidationError({"barcode": f"条码：{dup} 在本轮中重复"})
    _check_new_pools([spec.barcode for spec in pools])
    divisions = _divisions_of(person_ids)
    missing = person_ids - divisions.keys()
    if missing:
        raise ValidationError({"person_id": f"人员：编号{min(missing)}不存在"})
    slots = book_slots(count=len(pools), day=timezone.localdate(sampled_at), lab=lab)
    assigned = [(s.lab_id, s.day, s.overflowed) for s in slots for _i in range(s.count)]
    pool_objs = [
        Pool(barcode=spec.barcode, size=spec.size, lab_id=lab_id, booked_day=day, overflowed=over)
        for spec, (lab_id, day, over) in zip(pools, assigned, strict=True)
    ]
    insert_objects(Pool, pool_objs)
    pool_ids = {}
    for i in range(0, len(pool_objs), CHUNK):
        part = [p.barcode for p in pool_objs[i : i + CHUNK]]
        pool_ids.update(Pool.objects.filter(barcode__in=part).values_list("barcode", "pk"))
    taker = _user(actor)
    rows = _member_rows(
        pools, pool_objs, pool_ids, divisions, sampled_at, sample_type, point, taker
    )
    try:
        with transaction.atomic():
            for i in range(0, len(rows), CHUNK):
                copy_rows(Sample, SAMPLE_FIELDS, rows[i : i + CHUNK])
    except IntegrityError:
        _check_new_barcodes(barcodes)  # names the barcode registered meanwhile
        raise
    for i in range(0, len(person_ids), CHUNK):
        part = list(person_ids)[i : i + CHUNK]
        Sample.objects.filter(
            person_id__in=part, needs_resample=True, sampled_at__lt=sampled_at
        ).update(needs_resample=False)
    record_event(
        user=actor,
        action=AuditAction.CREATE,
        object_type="pool",
        summary=f"混采一轮：{len(pools)}管 {len(rows)}份样本",
        detail={"混采管数": len(pools), "样本数": len(rows)},
    )
    if samples_taken.has_listeners(Sample):
        taken = [
            Taken(person_id, code, sampled_at) for spec in pools for person_id, code in spec.members
        ]
        for i in range(0, len(taken), CHUNK):
            _announce(taken[i : i + CHUNK], actor)
    return RoundResult(len(pools), len(rows), sum(1 for p in pool_objs if p.overflowed))

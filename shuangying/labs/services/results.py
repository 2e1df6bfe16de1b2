"""Results (E3): one batch of (barcode, result, time) from the result form, the API or a
lab's sheet, checked item by item and written at once.

- A barcode is a single sample or a pooled tube. A negative tube is each member's negative
  (read through ``Sample.outcome``: the members' rows are not rewritten); a positive or invalid tube puts each member on the re-sample list at once.
- An invalid single sample goes on the re-sample list; a positive one opens a suspected case
  for its person (``shuangying.cases.services.open_case``, which records the health event).
- The same result again is idempotent (nothing written, nothing sent); a different one is
  refused unless marked as a correction with a reason, which is kept (``ResultCorrection``).

Each item's outcome names its field when refused; ``write=False`` checks without writing
(the sheet's dry run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.cases.choices import CaseClass
from shuangying.cases.services import open_case
from shuangying.people.models import Person

from ..choices import Result
from ..models import Lab, Pool, ResultCorrection, Sample
from ..signals import Resulted, Taken, samples_resulted

CHUNK = 5000
RESULT_LABELS = dict(Result.choices)


@dataclass
class ResultItem:
    barcode: str
    result: str
    resulted_at: datetime | None
    correction: bool = False
    reason: str = ""


@dataclass
class Outcome:
    barcode: str
    status: str  # recorded | unchanged | corrected | error
    field: str | None = None
    message: str = ""
    case_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status != "error"


def _error(item: ResultItem, field: str, message: str) -> Outcome:
    return Outcome(str(item.barcode or ""), "error", field, message)


def _lookup(barcodes: list[str], reach: set[int] | None):
    """The samples and tubes of ``barcodes`` booked at the labs in ``reach`` (``None``: every
    lab). One outside the reach is not found, as an unknown barcode is: the answer tells no
    one that a barcode exists at another lab."""
    samples: dict[str, tuple] = {}
    pools: dict[str, tuple] = {}
    sample_qs, pool_qs = Sample.objects.all(), Pool.objects.all()
    if reach is not None:
        sample_qs = sample_qs.filter(lab_id__in=reach)
        pool_qs = pool_qs.filter(lab_id__in=reach)
    for i in range(0, len(barcodes), CHUNK):
        part = barcodes[i : i + CHUNK]
        for row in sample_qs.filter(barcode__in=part).values_list(
            "barcode", "pk", "person_id", "sampled_at", "result", "pool_id"
        ):
            samples[row[0]] = row
        for row in pool_qs.filter(barcode__in=part).values_list("barcode", "pk", "result"):
            pools[row[0]] = row
    return samples, pools


def _first_sampled(pool_ids: list[int]) -> dict[int, datetime]:
    from django.db.models import Min

    found: dict[int, datetime] = {}
    for i in range(0, len(pool_ids), CHUNK):
        found.update(
            Sample.objects.filter(pool_id__in=pool_ids[i : i + CHUNK])
            .values("pool_id")
            .annotate(first=Min("sampled_at"))
            .values_list("pool_id", "first")
        )
    return found


def check_item(item: ResultItem, now: datetime) -> Outcome | None:
    if not str(item.barcode or "").strip():
        return _error(item, "barcode", "条码：必填")
    if item.result not in Result.values:
        return _error(item, "result", "结果：应为阴性、阳性或无效")
    if item.resulted_at is None:
        return _error(item, "resulted_at", "出结果时间：必填")
    if item.resulted_at > now + timedelta(minutes=10):
        return _error(item, "resulted_at", "出结果时间：不能晚于当前时间")
    if item.correction and not (item.reason or "").strip():
        return _error(item, "reason", "更正原因：更正结果须填写原因")
    return None


def _decide(item, current: str, sampled_at, now) -> Outcome | None:
    """None when the item is to be written; else its outcome (unchanged or refused)."""
    # Times are entered to the minute (a form's datetime-local, a sheet's 14:30): a result in
    # the minute of its sampling is not before it.
    if sampled_at is not None and item.resulted_at < sampled_at.replace(second=0, microsecond=0):
        return _error(item, "resulted_at", "出结果时间：不能早于采样时间")
    if current == item.result:
        return Outcome(item.barcode, "unchanged")
    if current and not item.correction:
        return _error(
            item,
            "result",
            f"结果：该条码已有结果“{RESULT_LABELS[current]}”，结果不同须标记为更正并填写原因",
        )
    return None


@transaction.atomic
def record_results(*, items: list[ResultItem], actor=None, write: bool = True) -> list[Outcome]:
    """Check every item, then (``write``) write the good ones. Returns one outcome per item,
    in order. ``actor`` reaches only the samples and tubes of their labs
    (``Lab.objects.result_reach``); ``None`` is the system, which reaches every lab."""
    now = timezone.now()
    for item in items:
        item.barcode = str(item.barcode or "").strip()
        if item.resulted_at is not None and timezone.is_naive(item.resulted_at):
            item.resulted_at = timezone.make_aware(item.resulted_at)
    outcomes: list[Outcome | None] = [check_item(item, now) for item in items]
    samples, pools = _lookup(
        [it.barcode for it, o in zip(items, outcomes, strict=True) if not o],
        Lab.objects.result_reach(actor),
    )
    pool_first = _first_sampled([row[1] for row in pools.values()])
    seen: dict[str, str] = {}
    singles: list[tuple[ResultItem, tuple]] = []
    tubes: list[tuple[ResultItem, tuple]] = []
    for index, item in enumerate(items):
        if outcomes[index] is not None:
            continue
        if item.barcode in seen:
            same = seen[item.barcode] == item.result
            outcomes[index] = (
                Outcome(item.barcode, "unchanged")
                if same
                else _error(item, "result", "结果：同一批中该条码出现两次且结果不同")
            )
            continue
        seen[item.barcode] = item.result
        sample = samples.get(item.barcode)
        pool = pools.get(item.barcode)
        if sample is not None:
            if sample[5] is not None:
                outcomes[index] = _error(
                    item, "barcode", "条码：该样本在混采管中检测，请录入混采管的结果"
                )
                continue
            outcomes[index] = _decide(item, sample[4], sample[3], now)
            if outcomes[index] is None:
                singles.append((item, sample))
        elif pool is not None:
            outcomes[index] = _decide(item, pool[2], pool_first.get(pool[1]), now)
            if outcomes[index] is None:
                tubes.append((item, pool))
        else:
            outcomes[index] = _error(
                item, "barcode", f"条码：未找到样本或混采管“{item.barcode[:40]}”"
            )
    cases: dict[str, int] = {}
    if write and (singles or tubes):
        cases = _write(singles, tubes, actor)
    for index, item in enumerate(items):
        if outcomes[index] is None:
            status = (
                "corrected" if item.correction and _had_result(item, samples, pools) else "recorded"
            )
            outcomes[index] = Outcome(item.barcode, status, case_id=cases.get(item.barcode))
    return outcomes  # type: ignore[return-value]


def _had_result(item, samples, pools) -> bool:
    row = samples.get(item.barcode)
    if row is not None:
        return bool(row[4])
    return bool(pools[item.barcode][2])


def _executemany(sql: str, rows: list) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _write(singles, tubes, actor) -> dict[str, int]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    table = connection.ops.quote_name(Sample._meta.db_table)
    pool_table = connection.ops.quote_name(Pool._meta.db_table)
    # Table names come from the models; values are parameters.
    _executemany(
        f"UPDATE {table} SET result = %s, resulted_at = %s, needs_resample = %s WHERE id = %s",  # noqa: S608
        [(it.result, it.resulted_at, it.result == Result.INVALID, row[1]) for it, row in singles],
    )
    _executemany(
        f"UPDATE {pool_table} SET result = %s, resulted_at = %s WHERE id = %s",  # noqa: S608
        [(it.result, it.resulted_at, row[1]) for it, row in tubes],
    )
    negative = [(it, row) for it, row in tubes if it.result == Result.NEGATIVE]
    retest = [row[1] for it, row in tubes if it.result != Result.NEGATIVE]
    # A negative tube's members keep no result of their own: theirs is the tube's
    # (``Sample.outcome``), so a round of 100,000 rewrites no member row. Those a corrected
    # positive had put on the re-sample list come off it.
    cleared = [row[1] for _it, row in negative]
    for i in range(0, len(cleared), CHUNK):
        Sample.objects.filter(pool_id__in=cleared[i : i + CHUNK], needs_resample=True).update(
            needs_resample=False
        )
    for i in range(0, len(retest), CHUNK):
        Sample.objects.filter(pool_id__in=retest[i : i + CHUNK]).update(
            result="", resulted_at=None, needs_resample=True
        )
    corrections = [
        ResultCorrection(
            sample_id=row[1],
            from_result=row[4],
            to_result=it.result,
            reason=it.reason[:200],
            by=user,
        )
        for it, row in singles
        if row[4]
    ] + [
        ResultCorrection(
            pool_id=row[1], from_result=row[2], to_result=it.result, reason=it.reason[:200], by=user
        )
        for it, row in tubes
        if row[2]
    ]
    ResultCorrection.objects.bulk_create(corrections)
    for c in corrections:
        record_event(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="sample" if c.sample_id else "pool",
            object_id=c.sample_id or c.pool_id,
            summary=f"更正检测结果 {RESULT_LABELS[c.from_result]} → {RESULT_LABELS[c.to_result]}",
            reason=c.reason,
        )
    record_event(
        user=actor,
        action=AuditAction.CREATE,
        object_type="sample",
        summary=f"录入检测结果：样本{len(singles)}份，混采管{len(tubes)}管",
        detail={
            "样本数": len(singles),
            "混采管数": len(tubes),
            "阳性数": sum(1 for it, _r in [*singles, *tubes] if it.result == Result.POSITIVE),
            "更正数": len(corrections),
        },
    )
    cases = _open_cases([(it, row) for it, row in singles if it.result == Result.POSITIVE])
    _announce(singles, negative, actor)
    return cases


def _open_cases(positives) -> dict[str, int]:
    """A positive single sample opens a suspected case for its person (or finds their open
    one). The health event is the lab's fact, recorded without the user's role check."""
    opened: dict[str, int] = {}
    persons = Person.objects.in_bulk([row[2] for _it, row in positives])
    for it, row in positives:
        case, _created = open_case(
            person=persons[row[2]],
            case_class=CaseClass.SUSPECTED,
            opened_at=it.resulted_at,
            source="核酸检测阳性",
            sample_barcode=it.barcode,
            reason=f"样本{it.barcode}核酸检测阳性",
        )
        opened[it.barcode] = case.pk
    return opened


def _announce(singles, negative_pools, actor) -> None:
    """One ``samples_resulted`` per chunk: the single samples with their results, and each
    member of a negative tube with its negative (members read per chunk of tubes)."""
    if not samples_resulted.has_listeners(Sample):
        return
    results = [
        Resulted(Taken(row[2], row[0], row[3]), it.result, it.resulted_at) for it, row in singles
    ]
    when = {row[1]: it.resulted_at for it, row in negative_pools}
    tubes = list(when)
    for i in range(0, len(tubes), CHUNK):
        members = (
            Sample.objects.filter(pool_id__in=tubes[i : i + CHUNK])
            .order_by("pk")
            .values_list("person_id", "barcode", "sampled_at", "pool_id")
        )
        results += [
            Resulted(Taken(person, code, sampled), Result.NEGATIVE, when[pool])
            for person, code, sampled, pool in members
        ]
    for i in range(0, len(results), CHUNK):
        samples_resulted.send(sender=Sample, results=results[i : i + CHUNK], actor=actor)

"""Writes on health codes: one function per act, atomic, audited (STYLE: verb_noun).

Other modules (check-ins, checkpoints, quarantine, tracing) record facts through
``record_health_event``; the rules turn them into a colour (engine.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.masking import mask_name

from . import tokens
from .choices import (
    ENDED_BY,
    RULE_KINDS,
    AppealStatus,
    EventKind,
    EventSource,
    RequestStatus,
    RiskLevel,
)
from .engine import CodeResult, cached_palette, current_code, local_day
from .fever import is_fever
from .models import (
    Appeal,
    ArrivalReview,
    HealthCodeRef,
    HealthCodeState,
    HealthEvent,
    OverrideRequest,
    PaletteColour,
    RiskArea,
    Rule,
    RuleSet,
)
from .permissions import require_may_record

LEVEL_ORDER = {RiskLevel.HIGH: 3, RiskLevel.MEDIUM: 2, RiskLevel.LOW: 1}


def code_prefix(code: str) -> str:
    """420000 → 42, 420100 → 4201, 420106 → 420106 (GB/T 2260 province, city, county)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def risk_level_of(division_code: str, on: date) -> str:
    """The highest risk level covering ``division_code`` on ``on``, '' when none does."""
    if not division_code or len(division_code) != 6 or not division_code.isdigit():
        return ""
    prefixes = {division_code[:2], division_code[:4], division_code}
    levels = RiskArea.objects.active_on(on).filter(code_prefix__in=prefixes)
    found = [lv for lv in levels.values_list("level", flat=True)]
    return max(found, key=lambda lv: LEVEL_ORDER[lv]) if found else ""


def _pk(person) -> int:
    return person if isinstance(person, int) else person.pk


def refresh_state(person, at: datetime | None = None) -> CodeResult:
    """Recompute one person's stored state (after an event or a decision); ``person`` is a
    person or their id."""
    at = at or timezone.now()
    result = current_code(_pk(person), at)
    HealthCodeState.objects.update_or_create(
        person_id=_pk(person),
        defaults={
            "colour": result.colour,
            "reason": result.reason,
            "since": result.since,
            "until": result.until,
            "ruleset_version": result.ruleset_version,
            "evaluated_at": timezone.now(),
        },
    )
    return result


@transaction.atomic
def record_health_event(
    *,
    person,
    kind: str,
    occurred_at: datetime,
    source: str,
    actor=None,
    detail: dict | None = None,
    division_code: str = "",
    risk_level: str | None = None,
) -> HealthEvent:
    """Record one fact the rules read. An arrival names its origin's 6-digit division code;
    its risk level is looked up in the risk areas of that day unless given."""
    kind = EventKind(kind)
    if kind == EventKind.MANUAL_OVERRIDE:
        raise ValueError("overrides go through request_override / approve_override")
    if getattr(actor, "is_authenticated", False):
        # A user's act (a page, the API); other modules' facts come without a user.
        require_may_record(actor, kind)
    if source not in EventSource.values:
        raise ValueError(f"unknown source {source!r}")
    level = ""
    if kind == EventKind.RISK_AREA_ARRIVAL:
        if risk_level is None:
            level = risk_level_of(division_code, local_day(occurred_at))
        else:
            level = risk_level
    event = HealthEvent.objects.create(
        person_id=_pk(person),
        kind=kind,
        occurred_at=occurred_at,
        risk_level=level,
        division_code=division_code,
        source=source,
        detail=detail or {},
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"健康事件 {kind.label} 人员{_pk(person)}",
        detail={"kind": kind.value, "source": source, "risk_level": level},
    )
    refresh_state(person)
    return event


@dataclass
class FeverReading:
    """A temperature taken by staff: whose, when, how high, and what to keep with the event
    (the record it came from)."""

    person_id: int
    temperature: Decimal
    occurred_at: datetime
    detail: dict | None = None


@transaction.atomic
def record_fevers(*, readings: list[FeverReading], source: str, actor=None) -> list[HealthEvent]:
    """Temperatures taken by staff (a checkpoint's records, online or an offline batch): each
    fever by the one rule (``fever.is_fever``) becomes a ``fever_unresolved`` event and the
    codes of those persons follow at once; normal readings record nothing. Call it in the
    transaction that stores the readings. One insert and one audit row for the lot, then one
    re-evaluation per person."""
    if source not in EventSource.values:
        raise ValueError(f"unknown source {source!r}")
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    events = HealthEvent.objects.bulk_create(
        [
            HealthEvent(
                person_id=r.person_id,
                kind=EventKind.FEVER_UNRESOLVED,
                occurred_at=r.occurred_at,
                source=source,
                detail={"temperature": str(r.temperature), **(r.detail or {})},
                recorded_by=recorded_by,
            )
            for r in readings
            if is_fever(r.temperature)
        ]
    )
    if not events:
        return []
    persons = sorted({e.person_id for e in events})
    record_event(
        user=actor,
        action=AuditAction.CREATE,
        object_type="health_event",
        object_id=events[0].pk if len(events) == 1 else "",
        summary=f"健康事件 {EventKind.FEVER_UNRESOLVED.label} {len(events)} 条,人员"
        + "、".join(str(p) for p in persons[:20]),
        detail={"kind": EventKind.FEVER_UNRESOLVED.value, "source": source, "persons": persons},
    )
    for person_id in persons:
        refresh_state(person_id)
    return events


def declare_health(
    *, person, actor=None, fever: bool, symptoms: bool, at: datetime | None = None
) -> list[HealthEvent]:
    """申报健康 (GB/T 38963): declared fever or symptoms become events."""
    at = at or timezone.now()
    events = []
    if fever:
        events.append(
            record_health_event(
                person=person,
                kind=EventKind.FEVER_UNRESOLVED,
                occurred_at=at,
                source=EventSource.DECLARATION,
                actor=actor,
            )
        )
    if symptoms or fever:
        events.append(
            record_health_event(
                person=person,
                kind=EventKind.SYMPTOMS_DECLARED,
                occurred_at=at,
                source=EventSource.DECLARATION,
                actor=actor,
            )
        )
    return events


def declare_trip(
    *, person, actor=None, origin_code: str, arrival_date: date, origin: str = ""
) -> HealthEvent | None:
    """申报行程: an arrival from ``origin_code``; an event only if a risk area covered it."""
    from shuangying.people.models import TravelEntry

    TravelEntry.objects.create(
        person=person,
        origin=origin or origin_code,
        origin_code=origin_code,
        arrival_date=arrival_date,
    )
    level = risk_level_of(origin_code, arrival_date)
    if not level:
        return None
    at = timezone.make_aware(datetime.combine(arrival_date, datetime.min.time()))
    return record_health_event(
        person=person,
        kind=EventKind.RISK_AREA_ARRIVAL,
        occurred_at=min(at, timezone.now()),
        source=EventSource.DECLARATION,
        actor=actor,
        division_code=origin_code,
        risk_level=level,
    )


# --- overrides and appeals -----------------------------------------------------------------


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({field: "请填写原因"})
    return text


@transaction.atomic
def request_override(
    *, actor, person, colour: str, reason: str, ends_at: datetime | None = None
) -> OverrideRequest:
    """Propose a manual colour (health roles only); it takes effect only after a second
    person approves it."""
    require_may_record(actor, EventKind.MANUAL_OVERRIDE)
    reason = _reason(reason)
    if not PaletteColour.objects.filter(code=colour).exists():
        raise ValidationError({"colour": "码色不存在"})
    ends_at = ends_at or timezone.now() + timedelta(days=7)
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "截止时间应晚于现在"})
    override = OverrideRequest.objects.create(
        person=person, colour_id=colour, reason=reason, ends_at=ends_at, requested_by=actor
    )
    override.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"申请人工赋码 人员{person.pk} → {colour}",
        reason=reason,
    )
    return override


@transaction.atomic
def decide_override(
    *, actor, override: OverrideRequest, approve: bool, note: str = ""
) -> OverrideRequest:
    """Approve or reject a pending override: only a user with ``approve_override`` who did not
    request it (the database refuses the same person too)."""
    if not actor.has_perm("healthcodes.approve_override"):
        raise PermissionDenied
    override = OverrideRequest.objects.select_for_update().get(pk=override.pk)
    if override.requested_by_id == actor.pk:
        raise ValidationError({"decided_by": "人工赋码须由申请人以外的另一人审批"})
    if override.status != RequestStatus.PENDING:
        raise ValidationError({"status": "该申请已处理"})
    now = timezone.now()
    override.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    override.decided_by = actor
    override.decided_at = now
    override.decision_note = (note or "").strip()[:200]
    if approve:
        override.event = HealthEvent.objects.create(
            person_id=override.person_id,
            kind=EventKind.MANUAL_OVERRIDE,
            occurred_at=now,
            colour=override.colour_id,
            ends_at=override.ends_at,
            source=EventSource.OFFICER,
            detail={"override": override.pk},
            recorded_by=actor,
        )
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError:
        raise ValidationError({"decided_by": "人工赋码须由申请人以外的另一人审批"}) from None
    override.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"{'批准' if approve else '驳回'}人工赋码 人员{override.person_id}",
        reason=override.decision_note,
    )
    refresh_state(override.person)
    return override


@transaction.atomic
def file_appeal(*, actor, person, reason: str) -> Appeal:
    """申诉: filed from the code page by the person's grid worker (or the person)."""
    reason = _reason(reason)
    appeal = Appeal.objects.create(
        person=person,
        colour_at_filing=current_code(person).colour,
        reason=reason[:300],
        filed_by=actor,
    )
    appeal.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"健康码申诉 人员{person.pk}",
        reason=reason[:300],
    )
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    actor,
    appeal: Appeal,
    accept: bool,
    note: str,
    colour: str | None = None,
    ends_at: datetime | None = None,
) -> Appeal:
    """An officer decides an appeal. Accepting it with a colour proposes an override, which
    still needs a second approver: an appeal never changes a colour on one person's word."""
    note = _reason(note, "decision_note")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError({"status": "该申诉已处理"})
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.decision_note = note[:200]
    if accept and colour:
        appeal.override = request_override(
            actor=actor,
            person=appeal.person,
            colour=colour,
            reason=f"申诉采纳:{note}"[:200],
            ends_at=ends_at,
        )
    appeal.save()
    appeal.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"{'采纳' if accept else '不予采纳'}申诉 人员{appeal.person_id}",
        reason=note[:300],
    )
    return appeal


@transaction.atomic
def review_arrival(*, actor, arrival: HealthEvent, approve: bool, note: str) -> ArrivalReview:
    """Staff from a low-risk area return to work after review (D3): an approval clears the
    arrival (an ``arrival_cleared`` event); arrivals from medium or high risk areas run their
    course."""
    note = _reason(note, "note")
    if arrival.kind != EventKind.RISK_AREA_ARRIVAL:
        raise ValidationError({"arrival": "不是来自风险地区的记录"})
    if approve and arrival.risk_level != RiskLevel.LOW:
        raise ValidationError({"arrival": "只有来自低风险地区的人员可经审核返岗"})
    review = ArrivalReview.objects.create(
        person_id=arrival.person_id, arrival=arrival, approved=approve, note=note, decided_by=actor
    )
    if approve:
        HealthEvent.objects.create(
            person_id=arrival.person_id,
            kind=ENDED_BY[EventKind.RISK_AREA_ARRIVAL],
            occurred_at=timezone.now(),
            source=EventSource.OFFICER,
            detail={"review": review.pk},
            recorded_by=actor,
        )
    arrival.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"返岗审核{'通过' if approve else '不通过'} 人员{arrival.person_id}",
        reason=note,
    )
    refresh_state(arrival.person)
    return review


def enqueue_reevaluation() -> None:
    from .tasks import reevaluate_health_codes

    reevaluate_health_codes.enqueue()


# --- rules -----------------------------------------------------------------------------------


@dataclass
class RuleSpec:
    kind: str
    colour: str
    duration_days: int
    priority: int
    reason: str
    risk_level: str = ""


@transaction.atomic
def create_ruleset(
    *,
    actor=None,
    name: str,
    effective_from: date,
    rules: list[RuleSpec],
    notes: str = "",
    reevaluate: bool = True,
) -> RuleSet:
    """A new version of the rules from ``effective_from``. Persons are re-evaluated set-based
    at once when it is already in force; a future version takes over through the daily
    re-evaluation (``reevaluate_all``)."""
    palette = dict(PaletteColour.objects.values_list("code", "is_default"))
    seen = set()
    for spec in rules:
        if spec.kind not in RULE_KINDS:
            raise ValidationError({"kind": f"不能为“{spec.kind}”设置规则"})
        if spec.colour not in palette:
            raise ValidationError({"colour": f"码色“{spec.colour}”不存在"})
        if (spec.kind, spec.risk_level) in seen:
            raise ValidationError({"kind": "同一情形只能有一条规则"})
        seen.add((spec.kind, spec.risk_level))
        if spec.kind == EventKind.QUARANTINE_STARTED and palette[spec.colour]:
            raise ValidationError({"colour": "隔离期间不能赋无风险的颜色"})
    if (EventKind.QUARANTINE_STARTED, "") not in seen:
        raise ValidationError({"kind": "规则须包含“开始隔离”"})
    last = RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0
    ruleset = RuleSet.objects.create(
        version=last + 1,
        name=name,
        effective_from=effective_from,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Rule.objects.bulk_create(
        [
            Rule(
                ruleset=ruleset,
                kind=s.kind,
                risk_level=s.risk_level,
                colour_id=s.colour,
                duration_days=s.duration_days,
                priority=s.priority,
                reason=s.reason,
            )
            for s in rules
        ]
    )
    ruleset.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"新赋码规则 v{ruleset.version},{effective_from:%Y-%m-%d} 起生效",
    )
    if reevaluate and effective_from <= local_day(timezone.now()):
        transaction.on_commit(enqueue_reevaluation)
    return ruleset


def ensure_default_rules() -> None:
    """The palette and rule set v1 of migration 0002, when a flush has removed them
    (transactional tests, a fresh demo database)."""
    from importlib import import_module

    migration = import_module("shuangying.healthcodes.migrations.0002_default_rules")
    migration.seed_defaults(PaletteColour, RuleSet, Rule)


def rule_specs(ruleset: RuleSet) -> list[RuleSpec]:
    return [
        RuleSpec(r.kind, r.colour_id, r.duration_days, r.priority, r.reason, r.risk_level)
        for r in ruleset.rules.all()
    ]


# --- risk areas ------------------------------------------------------------------------------


@transaction.atomic
def save_risk_area(*, actor=None, area: RiskArea | None = None, **fields) -> RiskArea:
    area = area or RiskArea()
    for name, value in fields.items():
        setattr(area, name, value)
    area.code_prefix = code_prefix(area.code)
    if area.pk is None and actor is not None and getattr(actor, "is_authenticated", False):
        area.created_by = actor
    area.full_clean(exclude=["created_by"])
    created = area.pk is None
    area.save()
    area.log_action(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=actor,
        summary=f"{'新增' if created else '修改'}风险地区 {area.code} {area.name}",
    )
    return area


@transaction.atomic
def delete_risk_area(*, actor, area: RiskArea) -> None:
    area.log_action(
        AuditAction.DELETE,
        user=actor,
        summary=f"删除风险地区 {area.code} {area.name}",
    )
    area.delete()


# --- issue and verify ------------------------------------------------------------------------


@dataclass
class IssuedCode:
    token: str
    result: CodeResult
    expires_at: datetime


def person_ref(person) -> str:
    ref, _created = HealthCodeRef.objects.get_or_create(person=person)
    return ref.ref


def issue_code(*, person, actor=None, request=None, audit: bool = True) -> IssuedCode:
    """制码: the person's colour now, signed for a few minutes."""
    result = current_code(person)
    claims = tokens.sign(
        ref=person_ref(person), masked_name=mask_name(person.name), colour=result.colour
    )
    token = tokens.encode(claims)
    if audit:
        record_event(
            request=request,
            user=actor,
            action=AuditAction.VIEW,
            object_type="health_code",
            object_id=person.pk,
            summary=f"出示健康码 人员{person.pk} {result.label}",
        )
    return IssuedCode(
        token, result, datetime.fromtimestamp(claims.expires_at, tz=timezone.get_current_timezone())
    )


@dataclass
class Verification:
    valid: bool
    colour: str = ""
    label: str = ""
    hex: str = ""
    masked_name: str = ""
    expires_at: datetime | None = None
    message: str = ""


def verify_code(token: str, *, now: float | None = None) -> Verification:
    """验码: the signature and expiry are checked offline-style (public key only); the
    colour is the one signed into the token."""
    try:
        claims = tokens.decode(token, now=now)
    except tokens.TokenError as exc:
        return Verification(False, message=str(exc))
    colour = cached_palette().get(claims.colour)
    return Verification(
        True,
        claims.colour,
        colour.label if colour else claims.colour,
        colour.hex if colour else "",
        claims.masked_name,
        datetime.fromtimestamp(claims.expires_at, tz=timezone.get_current_timezone()),
        "有效",
    )


# --- risk-area import ------------------------------------------------------------------------

RISK_AREA_ALIASES = {
    "区划代码": "code",
    "代码": "code",
    "行政区划代码": "code",
    "地区名称": "name",
    "名称": "name",
    "地区": "name",
    "风险等级": "level",
    "等级": "level",
    "起始日期": "start_date",
    "开始日期": "start_date",
    "生效日期": "start_date",
    "截止日期": "end_date",
    "结束日期": "end_date",
    "备注": "notes",
}
RISK_AREA_LABELS = {
    "code": "区划代码",
    "name": "地区名称",
    "level": "风险等级",
    "start_date": "起始日期",
    "end_date": "截止日期",
    "notes": "备注",
}
LEVEL_WORDS = {
    "高": RiskLevel.HIGH,
    "高风险": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
    "中": RiskLevel.MEDIUM,
    "中风险": RiskLevel.MEDIUM,
    "medium": RiskLevel.MEDIUM,
    "低": RiskLevel.LOW,
    "低风险": RiskLevel.LOW,
    "low": RiskLevel.LOW,
}


@dataclass
class RiskAreaImport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_risk_areas(data: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """Rows of a risk-area sheet as field dicts, and (Excel row, Chinese message) errors."""
    from shuangying.core.excel import CellError, cell_date, cell_text, check_xlsx, read_table

    check_xlsx(data)
    table = read_table(
        data,
        aliases=RISK_AREA_ALIASES,
        required=["code", "name", "level", "start_date"],
        labels=RISK_AREA_LABELS,
        max_rows=10_000,
    )
    rows, errors = [], []
    seen: dict[tuple, int] = {}
    for number, cells in table.rows():

        def cell(key, cells=cells):
            if key not in table.columns:
                return None
            index = table.columns[key][0]
            return cells[index] if index < len(cells) else None

        problems = []
        try:
            code = cell_text(cell("code"), exact_digits=True)
        except CellError as exc:
            code, problems = "", [f"区划代码:{exc}"]
        if not (len(code) == 6 and code.isdigit()):
            problems.append("区划代码:应为6位数字(GB/T 2260)")
        name = cell_text(cell("name"))[:100]
        if not name:
            problems.append("地区名称:不能为空")
        level = LEVEL_WORDS.get(cell_text(cell("level")).lower())
        if level is None:
            problems.append("风险等级:应为 高、中、低 之一")
        dates = {}
        for key in ("start_date", "end_date"):
            try:
                dates[key] = cell_date(cell(key))
            except CellError as exc:
                problems.append(f"{RISK_AREA_LABELS[key]}:{exc}")
        if not problems and dates.get("start_date") is None:
            problems.append("起始日期:不能为空")
        if (
            not problems
            and dates.get("end_date") is not None
            and dates["end_date"] < dates["start_date"]
        ):
            problems.append("截止日期:不能早于起始日期")
        if not problems:
            key = (code, level, dates["start_date"])
            if key in seen:
                problems.append(f"与第{seen[key]}行重复")
            seen[key] = number
        if problems:
            errors.append((number, ";".join(problems)))
            continue
        rows.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "start_date": dates["start_date"],
                "end_date": dates.get("end_date"),
                "notes": cell_text(cell("notes"))[:200],
            }
        )
    if not rows and not errors:
        errors.append((table.header_row, "表中没有数据行"))
    return rows, errors


@transaction.atomic
def import_risk_areas(*, actor, data: bytes, file_name: str = "") -> RiskAreaImport:
    """Import a risk-area list from xlsx: all rows or none. A row for an existing (code, level,
    start date) updates its name, end date and notes."""
    rows, errors = parse_risk_areas(data)
    if errors:
        return RiskAreaImport(errors=errors)
    report = RiskAreaImport(errors=[])
    existing = {
        (a.code, a.level, a.start_date): a
        for a in RiskArea.objects.filter(code__in={r["code"] for r in rows})
    }
    new = []
    for row in rows:
        area = existing.get((row["code"], row["level"], row["start_date"]))
        if area is None:
            new.append(
                RiskArea(
                    **row,
                    code_prefix=code_prefix(row["code"]),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
            continue
        area.name, area.end_date, area.notes = row["name"], row["end_date"], row["notes"]
        area.save(update_fields=["name", "end_date", "notes"])
        report.updated += 1
    RiskArea.objects.bulk_create(new)
    report.created = len(new)
    # Travel entries from the newly listed areas become arrivals; colours follow.
    transaction.on_commit(enqueue_reevaluation)
    record_event(
        user=actor,
        action=AuditAction.IMPORT,
        object_type="risk_area",
        summary=f"导入风险地区 {file_name[:60]}:新增{report.created},更新{report.updated}",
    )
    return report

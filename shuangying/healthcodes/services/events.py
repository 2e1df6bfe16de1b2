"""Health events: the facts the rules turn into a colour, recorded by every module that
changes a person's health status (check-ins, checkpoints, later quarantine and tracing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from ..choices import (
    EventKind,
    EventSource,
    RiskLevel,
)
from ..engine import CodeResult, current_code, local_day
from ..fever import is_fever
from ..models import (
    HealthCodeState,
    HealthEvent,
    RiskArea,
)
from ..permissions import require_may_record

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
    result = current_code(_pk(person), at)
    # One upsert (INSERT … ON CONFLICT DO UPDATE): the hot paths that record an event (a
    # fever at a checkpoint) pay one statement, not a savepoint, a locking read and a write.
    HealthCodeState.objects.bulk_create(
        [
            HealthCodeState(
                person_id=_pk(person),
                colour=result.colour,
                reason=result.reason,
                since=result.since,
                until=result.until,
                ruleset_version=result.ruleset_version,
                evaluated_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=STATE_FIELDS,
    )
    return result


STATE_FIELDS = ["colour", "reason", "since", "until", "ruleset_version", "evaluated_at"]


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


# No savepoint of its own: callers hold the transaction that stores the readings, and a
# failure here fails that transaction as a whole (the readings are not kept without events).
@transaction.atomic(savepoint=False)
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
        summary=f"健康事件 {EventKind.FEVER_UNRESOLVED.label} {len(events)} 条，人员"
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


def enqueue_reevaluation() -> None:
    from .tasks import reevaluate_health_codes

    reevaluate_health_codes.enqueue()

"""The fever loop's state machine (E2): the one module that moves an episode from step to
step, and the one that opens or merges episodes from reports (E1).

Steps are taken in order, each once: found → registered → isolated → sampled → resulted →
closed. No step may be skipped (the issue allows none): an episode is closed only after its
result, whatever the outcome (excluded, suspected or confirmed). A refused step raises
``TransitionRefused`` with the reason; the database refuses the same impossible states
(models.py) should anything else try.

Health codes follow: opening an episode records ``fever_unresolved`` (a report merged into an
open episode records nothing more: the code already waits for that episode), closing it as
excluded records ``fever_resolved``. Suspected and confirmed outcomes leave the fever standing:
the case that follows records its own event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.healthcodes.choices import EventKind, EventSource
from shuangying.healthcodes.fever import is_fever
from shuangying.healthcodes.services import FeverReading, record_fevers, record_health_event

from ..choices import STEP_ORDER, Channel, IsolationPlace, Outcome, Step
from ..models import STEP_TIME, FeverEpisode, FeverReport

# Episodes per INSERT statement (about 20 parameters each, within SQLite's limit).
INSERT_BATCH = 500
# A device's or a person's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)

SOURCE_OF_CHANNEL: dict[str, str] = {
    Channel.VILLAGE: EventSource.GRID,
    Channel.COMPOUND: EventSource.GRID,
    Channel.CHECKPOINT: EventSource.CHECKPOINT,
    Channel.FEVER_CLINIC: EventSource.HOSPITAL,
    Channel.HOME_QUARANTINE: EventSource.QUARANTINE,
    Channel.TIPOFF: EventSource.OFFICER,
    Channel.PHARMACY: EventSource.OFFICER,
}


# An automatic intake keeps its own source on the event: the record it came from.
SOURCE_OF_REF: dict[str, str] = {
    "checkin": EventSource.CHECKIN,
    "checkpoint_record": EventSource.CHECKPOINT,
}


class TransitionRefused(ValidationError):
    """A step that the loop does not allow now (out of order, done already, closed): the
    message says why. The API answers it with 409."""

    def __init__(self, message: str):
        super().__init__({"step": message})


@dataclass
class Intake:
    """What one report did: the report kept, its episode (None while unresolved) and whether
    the episode was opened by it (False: merged into the person's open one)."""

    report: FeverReport
    episode: FeverEpisode | None
    opened: bool


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def next_step(status: str) -> str | None:
    index = STEP_ORDER.index(status)
    return STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None


def clean_time(value: dt.datetime | None, *, field: str, label: str) -> dt.datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ValidationError({field: f"{label}：不能晚于当前时间"})
    return min(value, now)


def mark_unresolved(opened: list[tuple[FeverEpisode, FeverReport]], *, actor) -> None:
    """``fever_unresolved`` for each episode just opened: the readings that are fevers by the
    one rule in one insert (``record_fevers``), any other opening (a declared fever, a drug
    bought, a tip-off) one event each."""
    by_source: dict[str, list[FeverReading]] = {}
    for episode, report in opened:
        detail = {"fever_episode": episode.pk, "fever_report": report.pk}
        kind, _sep, ref = report.source_ref.partition(":")
        if ref.isdigit():  # "checkpoint_record:123" → {"checkpoint_record": 123}
            detail[kind] = int(ref)
        if report.place_id:
            detail["checkpoint" if kind == "checkpoint_record" else "place"] = report.place_id
        source = SOURCE_OF_REF.get(kind) or SOURCE_OF_CHANNEL[episode.channel]
        temperature = report.temperature
        if temperature is not None and is_fever(temperature):
            by_source.setdefault(source, []).append(
                FeverReading(episode.person_id, temperature, report.reported_at, detail)
            )
        else:
            record_health_event(
                person=episode.person_id,
                kind=EventKind.FEVER_UNRESOLVED,
                occurred_at=report.reported_at,
                source=source,
                actor=actor,
                detail=detail,
            )
    for source_of_readings, readings in by_source.items():
        record_fevers(readings=readings, source=source_of_readings, actor=actor)


def open_or_merge(report: FeverReport, *, person_id: int, division_id: int, actor):
    """Attach ``report`` (new, or an unresolved one being resolved) to the person's open episode, opening one when there is
    none. Answers (episode, opened). The open episode is locked so that two reports of one
    person at once end in one episode (the unique index settles a race between openers)."""
    for _attempt in range(2):
        episode = (
            FeverEpisode.objects.select_for_update().open().filter(person_id=person_id).first()
        )
        if episode is not None:
            changed = _merge(episode, report)
            if changed:
                episode.save(update_fields=changed)
            report.episode, report.person_id = episode, person_id
            report.save()
            return episode, False
        try:
            with transaction.atomic():
                episode = FeverEpisode.objects.create(
                    person_id=person_id,
                    division_id=division_id,
                    channel=report.channel,
                    temperature=report.temperature,
                    symptoms=report.symptoms,
                    found_at=report.reported_at,
                    found_by=actor_or_none(actor),
                )
        except IntegrityError:
            continue  # opened concurrently: merge into it
        report.episode, report.person_id = episode, person_id
        report.save()
        return episode, True
    raise ValidationError({"person": "人员：发热记录正被同时修改，请重试"})


@transaction.atomic(savepoint=False)
def take_reports(
    reports: Sequence[tuple[FeverReport, int | None, int | None]], *, actor
) -> list[Intake]:
    """Keep each (unsaved) report, given as (report, person id, the person's division id);
    one with a person id opens or joins that person's episode (the person's own division
    answers for it), one without stays unresolved. Set-based, for a checkpoint's offline
    batch: one insert of the episodes opened (skipping persons whose episode is open), one
    locking read of those open ones (only when there are any), one insert of the reports,
    then the health codes of the persons whose episodes were opened.
    Callers give validated reports and call this inside their own transaction (a failure
    rolls both back)."""
    episodes: dict[int, FeverEpisode] = {}
    fresh: dict[int, FeverEpisode] = {}
    # Each person's earliest report would open their episode: try to insert them all at once;
    # the partial unique index skips a person whose episode is open already.
    for report, person_id, division_id in sorted(reports, key=lambda row: row[0].reported_at):
        if person_id is not None and person_id not in fresh:
            if division_id is None:
                raise ValueError("a report with a person needs the person's division")
            fresh[person_id] = FeverEpisode(
                person_id=person_id,
                division_id=division_id,
                channel=report.channel,
                temperature=report.temperature,
                symptoms=report.symptoms,
                found_at=report.reported_at,
                found_by=actor_or_none(actor),
            )
    ids = _insert_open(list(fresh.values())) if fresh else {}
    for person_id, episode in fresh.items():
        episode.pk = ids.get(person_id)
    open_already = sorted(p for p in fresh if p not in ids)
    for person_id in open_already:
        del fresh[person_id]
    if open_already:
        # Join those, locked so that two reports of one person at once merge in order.
        episodes = {
            e.person_id: e
            for e in FeverEpisode.objects.select_for_update()
            .open()
            .filter(person_id__in=open_already)
            .order_by("person_id")
        }
        if len(episodes) < len(open_already):
            # Closed between the insert and the read: this report opens the next one.
            raise ValidationError({"person": "人员：发热记录刚刚结案，请重新提交"})
    episodes.update(fresh)
    changed: dict[int, set[str]] = {}
    for report, person_id, _division in reports:
        if person_id is None:
            continue
        episode = episodes[person_id]
        report.episode, report.person_id = episode, person_id
        if person_id in fresh:
            continue
        for name in _merge(episode, report):
            changed.setdefault(person_id, set()).add(name)
    for person_id, names in changed.items():
        episodes[person_id].save(update_fields=sorted(names))
    FeverReport.objects.bulk_create([r for r, _p, _d in reports])
    opened_by = {}
    for report, person_id, _division in reports:
        if person_id in fresh and person_id not in opened_by:
            opened_by[person_id] = report
    if opened_by:
        mark_unresolved([(fresh[p], r) for p, r in opened_by.items()], actor=actor)
    return [
        Intake(r, None if p is None else episodes.get(p), p is not None and opened_by.get(p) is r)
        for r, p, _d in reports
    ]


def _insert_open(episodes: list[FeverEpisode]) -> dict[int, int]:
    """Insert new open episodes in one statement, skipping a person whose open episode a
    concurrent report inserted meanwhile (the partial unique index): ``INSERT … ON CONFLICT
    DO NOTHING RETURNING``, which needs neither a savepoint nor a second round trip.
    Answers {person id: new episode id} for the rows inserted."""
    if len(episodes) > INSERT_BATCH:
        ids = {}
        for i in range(0, len(episodes), INSERT_BATCH):
            ids.update(_insert_open(episodes[i : i + INSERT_BATCH]))
        return ids
    fields = [f for f in FeverEpisode._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        f.get_db_prep_save(getattr(episode, f.attname), connection)
        for episode in episodes
        for f in fields
    ]
    sql = (
        f"INSERT INTO {qn(FeverEpisode._meta.db_table)} ({columns}) "  # noqa: S608 - names from _meta, values as parameters
        f"VALUES {', '.join([row] * len(episodes))} "
        f"ON CONFLICT DO NOTHING RETURNING {qn('id')}, {qn('person_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {person_id: pk for pk, person_id in cursor.fetchall()}


def _merge(episode: FeverEpisode, report: FeverReport) -> list[str]:
    """What a report joining ``episode`` changes in it: the highest reading, and an earlier
    sighting while nothing after "found" is recorded (the deadlines count from it)."""
    changed = []
    if report.temperature is not None and (
        episode.temperature is None or report.temperature > episode.temperature
    ):
        episode.temperature = report.temperature
        changed.append("temperature")
    if episode.status == Step.FOUND and report.reported_at < episode.found_at:
        episode.found_at = report.reported_at
        changed.append("found_at")
    return changed


# --- the steps -------------------------------------------------------------------------------

STEP_LABEL: dict[str, Any] = {s.value: s.label for s in Step}
# Who may record which step: townships, villages and grid workers register and isolate; the
# health side (卫健/疾控) records samples and results and closes the episode.
STEP_PERMISSION: dict[str, str] = {
    Step.REGISTERED: "fevers.change_feverepisode",
    Step.ISOLATED: "fevers.change_feverepisode",
    Step.SAMPLED: "fevers.sample_feverepisode",
    Step.RESULTED: "fevers.sample_feverepisode",
    Step.CLOSED: "fevers.close_feverepisode",
}


def may_take(user, step: str) -> bool:
    """Whether ``user``'s role lets them record ``step`` (the object's jurisdiction aside)."""
    return step in STEP_PERMISSION and bool(user and user.has_perm(STEP_PERMISSION[step]))


def _refuse_unless_next(episode: FeverEpisode, step: str) -> None:
    if step not in STEP_TIME:
        allowed = "、".join(STEP_TIME)
        raise ValidationError({"step": f"环节：取值应为 {allowed} 之一"})
    if episode.status == Step.CLOSED:
        raise TransitionRefused("该发热记录已结案，不能再登记环节")
    expected = next_step(episode.status) or Step.CLOSED
    if STEP_ORDER.index(step) <= STEP_ORDER.index(episode.status):
        raise TransitionRefused(f"“{STEP_LABEL[step]}”已登记过，每个环节只登记一次")
    if step != expected:
        raise TransitionRefused(
            f"环节须按顺序：当前为“{STEP_LABEL[episode.status]}”，"
            f"下一步应为“{STEP_LABEL[expected]}”，不能直接“{STEP_LABEL[step]}”"
        )


def _details(step: str, fields: dict) -> dict:
    """The fields a step records, validated (Chinese, by field)."""
    if step == Step.ISOLATED:
        place = fields.get("isolation_place") or ""
        if place not in IsolationPlace.values:
            allowed = "、".join(str(p.label) for p in IsolationPlace)
            raise ValidationError({"isolation_place": f"隔离方式：请选择 {allowed} 之一"})
        note = (fields.get("isolation_note") or "").strip()[:100]
        return {"isolation_place": place, "isolation_note": note}
    if step == Step.SAMPLED:
        return {"sample_barcode": (fields.get("barcode") or "").strip()[:40]}
    if step == Step.RESULTED:
        result = (fields.get("result") or "").strip()[:100]
        if not result:
            raise ValidationError({"result": "检测结果：请填写"})
        return {"result": result}
    if step == Step.CLOSED:
        outcome = fields.get("outcome") or ""
        if outcome not in Outcome.values:
            allowed = "、".join(str(o.label) for o in Outcome)
            raise ValidationError({"outcome": f"结论：请选择 {allowed} 之一"})
        return {"outcome": outcome, "close_note": (fields.get("note") or "").strip()[:200]}
    return {}


@transaction.atomic
def advance_episode(
    *,
    actor,
    episode: FeverEpisode,
    step: str,
    at: dt.datetime | None = None,
    check_role: bool = True,
    **fields,
) -> FeverEpisode:
    """Record the next ``step`` of ``episode`` at ``at`` (now when not given) by ``actor``,
    with the step's details (isolated: ``isolation_place``, ``isolation_note``; sampled:
    ``barcode``; resulted: ``result``; closed: ``outcome``, ``note``). Raises
    TransitionRefused when the step is not the next one, ValidationError for bad details.
    ``check_role=False`` only for the labs' hooks, whose own permission was checked."""
    locked = FeverEpisode.objects.select_for_update().get(pk=episode.pk)
    _refuse_unless_next(locked, step)
    if check_role and getattr(actor, "is_authenticated", False) and not may_take(actor, step):
        raise PermissionDenied(f"您的角色无权登记“{STEP_LABEL[step]}”")
    at = clean_time(at, field="at", label="时间")
    previous = getattr(locked, STEP_TIME.get(locked.status, "found_at"), None) or locked.found_at
    if at < previous:
        raise ValidationError({"at": f"时间：不能早于上一环节“{STEP_LABEL[locked.status]}”的时间"})
    details = _details(step, fields)
    time_field = STEP_TIME[step]
    setattr(locked, time_field, at)
    setattr(locked, time_field.replace("_at", "_by"), actor_or_none(actor))
    for name, value in details.items():
        setattr(locked, name, value)
    locked.status = step
    locked.save()
    if step == Step.CLOSED and locked.outcome == Outcome.EXCLUDED:
        record_health_event(
            person=locked.person_id,
            kind=EventKind.FEVER_RESOLVED,
            occurred_at=at,
            source=EventSource.HOSPITAL,
            actor=actor,
            detail={"fever_episode": locked.pk},
        )
    locked.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"发热闭环 {STEP_LABEL[step]} 人员{locked.person_id}",
        detail={"step": step, **{k: v for k, v in details.items() if k != "close_note"}},
    )
    episode.refresh_from_db()
    return locked


def close_episode(
    *, actor, episode: FeverEpisode, outcome: str, at: dt.datetime | None = None, note: str = ""
) -> FeverEpisode:
    """Close a resulted episode as excluded, suspected or confirmed."""
    return advance_episode(
        actor=actor, episode=episode, step=Step.CLOSED, at=at, outcome=outcome, note=note
    )


def _open_episode_of(person) -> FeverEpisode | None:
    person_id = person if isinstance(person, int) else person.pk
    return FeverEpisode.objects.open().filter(person_id=person_id).first()


def persons_waiting_for(step: str, person_ids) -> set[int]:
    """Of ``person_ids``, those whose open episode waits for ``step`` (stands at the step
    before it): the labs' hooks look a whole round's persons up at once (one query per
    chunk), and call ``record_sampled``/``record_result`` only for these."""
    before = STEP_ORDER[STEP_ORDER.index(step) - 1]
    ids = list(dict.fromkeys(person_ids))
    found: set[int] = set()
    for i in range(0, len(ids), 5000):
        found.update(
            FeverEpisode.objects.filter(status=before, person_id__in=ids[i : i + 5000]).values_list(
                "person_id", flat=True
            )
        )
    return found


def record_sampled(*, actor, person, at: dt.datetime | None, barcode: str):
    """A sample taken from ``person`` (the labs call this, inside the sample's transaction):
    the open episode's "sampled" step. The step is taken only when it is the next one and not
    dated before the isolation; otherwise nothing is written and None is returned (a sample
    taken before the person was registered and isolated stays the lab's, and the officer
    records the steps in order; a second sample moves nothing). The lab's own permission was
    checked: the fever step asks no second one of the lab's staff."""
    episode = _open_episode_of(person)
    if episode is None:
        return None
    taken, at = _step_time(episode, Step.SAMPLED, at)
    if not taken:
        return None
    return advance_episode(
        actor=actor, episode=episode, step=Step.SAMPLED, at=at, barcode=barcode, check_role=False
    )


def record_result(
    *,
    actor,
    person,
    at: dt.datetime | None,
    result: str,
    barcode: str | None = None,
    taken_at: dt.datetime | None = None,
):
    """A lab result for ``person``: the open episode's "resulted" step, when the episode is
    sampled, the result is not dated before the sample and is the episode's sample (its
    barcode) or one taken since (a re-sample after an invalid result); None, nothing written,
    otherwise."""
    episode = _open_episode_of(person)
    if episode is None:
        return None
    taken, at = _step_time(episode, Step.RESULTED, at)
    if not taken:
        return None
    named = barcode is None or not episode.sample_barcode or barcode == episode.sample_barcode
    later = (
        taken_at is not None and episode.sampled_at is not None and taken_at >= episode.sampled_at
    )
    if not (named or later):
        return None
    return advance_episode(
        actor=actor, episode=episode, step=Step.RESULTED, at=at, result=result, check_role=False
    )


def _step_time(
    episode: FeverEpisode, step: str, at: dt.datetime | None
) -> tuple[bool, dt.datetime | None]:
    """Whether ``step`` is the episode's next one at ``at``, and the time to record it at.
    Labs enter times to the minute: a result in the minute of its sample is taken at the
    sample's own time, not refused as earlier."""
    if next_step(episode.status) != step:
        return False, at
    previous = getattr(episode, STEP_TIME.get(episode.status, "found_at"), None)
    if at is None or previous is None or at >= previous:
        return True, at
    if at >= previous.replace(second=0, microsecond=0):
        return True, previous
    return False, at

"""Reports in (E1): typed by staff (a fever clinic, a pharmacy's register, a village's or
compound's screening, the API), sent by the public (a tip-off, a pharmacy's page by place
code), or taken automatically, in the caller's transaction, from a checkpoint record with a
fever and a check-in with a fever. And the grid worker's resolution of a report whose person
the registry did not know."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.access import can
from shuangying.audit.models import AuditAction
from shuangying.core import crypto
from shuangying.core.masking import mask_id_number, mask_phone
from shuangying.healthcodes.fever import clean_temperature
from shuangying.people.choices import DocumentType
from shuangying.people.identity import IdentityError, normalize_document, normalize_phone
from shuangying.people.models import Person, id_number_hash, phone_hash
from shuangying.places.choices import CHECKPOINT_TYPES, PlaceType

from ..choices import Channel
from ..models import FeverReport
from .episodes import (
    Intake,
    actor_or_none,
    clean_time,
    mark_unresolved,
    open_or_merge,
    take_reports,
)

CHANNELS = frozenset(Channel.values)
# Reports kept up to a week late (a paper register typed in afterwards).
MAX_BACKDATE = dt.timedelta(days=7)
ID_CONTEXT = "fever_report.id_number"
PHONE_CONTEXT = "fever_report.phone"
TIPSTER_CONTEXT = "fever_report.tipster_phone"


def _clean_channel(channel: str) -> str:
    if channel not in CHANNELS:
        allowed = "、".join(str(c.label) for c in Channel)
        raise ValidationError({"channel": f"渠道：取值应为 {allowed} 之一"})
    return channel


def _clean_reported_at(value) -> dt.datetime:
    at = clean_time(value, field="found_at", label="发现时间")
    if at < timezone.now() - MAX_BACKDATE:
        raise ValidationError({"found_at": "发现时间：不能早于7天前"})
    return at


def _identity(report: FeverReport, *, document_type: str, id_number: str, phone: str) -> None:
    """The reported person's document and phone on the report: encrypted, hashed with the
    registry's keys (so that the lookup finds a registered person), masked for screens."""
    id_number = (id_number or "").strip()
    if id_number:
        try:
            normalized = normalize_document(document_type, id_number)
        except IdentityError as exc:
            raise ValidationError({"id_number": f"证件号码：{exc}"}) from None
        report.id_number_enc = crypto.encrypt(normalized, context=ID_CONTEXT)
        report.id_number_hash = id_number_hash(normalized)
        report.id_number_masked = mask_id_number(normalized)
    phone = (phone or "").strip()
    if phone:
        try:
            normalized = normalize_phone(phone)
        except IdentityError as exc:
            raise ValidationError({"phone": f"手机号：{exc}"}) from None
        report.phone_enc = crypto.encrypt(normalized, context=PHONE_CONTEXT)
        report.phone_hash = phone_hash(normalized)
        report.phone_masked = mask_phone(normalized)


def _registry_person(report: FeverReport):
    """The registry person the report's document (else its phone, when only one person has
    it) names; None when unknown."""
    if report.id_number_hash:
        found = Person.objects.filter(id_number_hash=report.id_number_hash).first()
        if found is not None:
            return found
    if report.phone_hash:
        matches = list(Person.objects.filter(phone_hash=report.phone_hash)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def channel_of_place(place) -> str:
    """The channel of a check-in at ``place``: a checkpoint's, a clinic's, a pharmacy's, else
    the screening of the compound or village the place lies in."""
    if place.type in CHECKPOINT_TYPES:
        return Channel.CHECKPOINT
    if place.type == PlaceType.FEVER_CLINIC:
        return Channel.FEVER_CLINIC
    if place.type == PlaceType.PHARMACY:
        return Channel.PHARMACY
    if place.type == PlaceType.COMPOUND_ENTRANCE:
        return Channel.COMPOUND
    return Channel.VILLAGE


@transaction.atomic
def report_fever(
    *,
    actor,
    channel: str,
    found_at: dt.datetime | None = None,
    person=None,
    temperature=None,
    symptoms: str = "",
    drug: str = "",
    place=None,
    division=None,
    name: str = "",
    document_type: str = DocumentType.RESIDENT_ID,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    tipster_phone: str = "",
    source_ref: str = "",
) -> Intake:
    """One fever report. The person is ``person``, else the registry person its document
    number (or phone) names; then it opens or joins their episode. Otherwise it is kept
    unresolved in ``division`` (or the place's) for the grid worker. Raises ValidationError
    (Chinese, by field); the caller has checked that ``actor`` may report here."""
    report = FeverReport(
        channel=_clean_channel(channel),
        reported_at=_clean_reported_at(found_at),
        symptoms=(symptoms or "").strip()[:200],
        drug=(drug or "").strip()[:100],
        reporter=actor_or_none(actor),
        source_ref=(source_ref or "")[:60],
        place=place,
        name=(name or "").strip()[:50],
        address=(address or "").strip()[:200],
    )
    if temperature not in (None, ""):
        report.temperature = clean_temperature(temperature)
    if report.channel == Channel.PHARMACY and not report.drug:
        raise ValidationError({"drug": "所购药品：请填写"})
    _identity(report, document_type=document_type, id_number=id_number, phone=phone)
    if (tipster_phone or "").strip():
        try:
            tipster = normalize_phone(tipster_phone)
        except IdentityError as exc:
            raise ValidationError({"tipster_phone": f"举报人电话：{exc}"}) from None
        report.tipster_phone_enc = crypto.encrypt(tipster, context=TIPSTER_CONTEXT)
        report.tipster_phone_masked = mask_phone(tipster)
    if person is None:
        person = _registry_person(report)
    if person is None:
        if not (report.name or report.id_number_hash or report.phone_hash):
            raise ValidationError({"name": "姓名：请至少填写姓名、证件号码或手机号之一"})
        division = division or (place.division if place is not None else None)
        if division is None:
            raise ValidationError({"division": "所在地：请选择发热人员所在的村（社区）"})
        report.division = division
        if not report.address and not report.id_number_hash and not report.phone_hash:
            raise ValidationError({"address": "住址：只知道姓名时，请填写住址以便核实"})
        rows = [(report, None, None)]
    else:
        report.division_id = person.division_id
        rows = [(report, person.pk, person.division_id)]
    result = take_reports(rows, actor=actor)[0]
    report.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"发热报告 {report.get_channel_display()}"
        + (f" 人员{report.person_id}" if report.person_id else " 待核实"),
        detail={"channel": report.channel, "episode": report.episode_id, "opened": result.opened},
    )
    return result


def intake_checkpoint_fevers(records, *, actor) -> list[Intake]:
    """Checkpoint records just inserted (C3): each with a fever becomes a report in the
    checkpoint channel, opening or joining the person's episode (``fever_unresolved`` recorded
    once, for the episodes opened); a fever of a document the registry does not know stays an
    unresolved report at the checkpoint's division. Call it in the transaction that inserted
    the records."""
    fevers = [r for r in records if r.is_fever]
    if not fevers:
        return []
    # The caller may know the persons' divisions already (``person_division_id``, read with
    # the persons themselves); the others are read here, in one query.
    divisions = {
        r.person_id: r.person_division_id
        for r in fevers
        if r.person_id and getattr(r, "person_division_id", None)
    }
    unknown = {r.person_id for r in fevers if r.person_id and r.person_id not in divisions}
    if unknown:
        divisions.update(Person.objects.filter(pk__in=unknown).values_list("pk", "division_id"))
    persons = divisions
    rows = []
    for r in fevers:
        report = FeverReport(
            channel=Channel.CHECKPOINT,
            reported_at=r.checked_at,
            temperature=r.temperature,
            reporter=actor_or_none(actor),
            source_ref=f"checkpoint_record:{r.pk}",
            place_id=r.checkpoint_id,
            id_number_hash=r.document_hash,
            id_number_masked=r.document_masked,
        )
        if r.person_id:
            report.division_id = persons[r.person_id]
            rows.append((report, r.person_id, persons[r.person_id]))
        else:
            report.division_id = r.checkpoint.division_id
            rows.append((report, None, None))
    return take_reports(rows, actor=actor)


def intake_checkin_fever(
    *, actor, person, place, checkin_id: int, at: dt.datetime, temperature, symptoms=()
) -> Intake:
    """A check-in with a fever (a reading ≥ 37.3 or a declared fever) for a known person: a
    report in the place's channel, in the check-in's transaction. For an unbound public
    check-in this is called when the grid worker confirms the declaration."""
    report = FeverReport(
        channel=channel_of_place(place),
        reported_at=at,
        temperature=temperature,
        symptoms=",".join(symptoms)[:200],
        reporter=actor_or_none(actor),
        source_ref=f"checkin:{checkin_id}",
        place_id=place.pk,
        division_id=person.division_id,
    )
    return take_reports([(report, person.pk, person.division_id)], actor=actor)[0]


@transaction.atomic
def resolve_report(*, actor, report: FeverReport, person) -> Intake:
    """The grid worker names the registry person an unresolved report was about: the report
    opens or joins that person's episode. The actor must see both."""
    locked = FeverReport.objects.select_for_update().get(pk=report.pk)
    if locked.person_id is not None:
        raise ValidationError({"person": "人员：该报告已核实过"})
    if not can(actor, person, "view"):
        raise PermissionDenied("您无权查看该人员")
    locked.resolved_at, locked.resolved_by = timezone.now(), actor_or_none(actor)
    # The report moves to the person's division: their township and grid answer for it now.
    locked.division_id = person.division_id
    episode, opened = open_or_merge(
        locked, person_id=person.pk, division_id=person.division_id, actor=actor
    )
    if opened:
        mark_unresolved([(episode, locked)], actor=actor)
    result = Intake(locked, episode, opened)
    locked.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"核实发热报告 人员{person.pk}",
        detail={"episode": locked.episode_id, "opened": result.opened},
    )
    return result

"""Writes on cases and hospitals (E4, E5): one function per act, keyword-only, atomic,
audited. Services take ``actor`` (a user or None for another module's fact), never a request.

The class of a case changes only in ``reclassify_case`` (the allowed moves are
``choices.ALLOWED_MOVES``); the health-code facts ``suspected`` and ``confirmed`` go through
``shuangying.healthcodes.services`` in the same transaction. A bed is taken and given back
under a row lock on its ward, and the database refuses a ward over capacity."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.healthcodes.choices import EventKind, EventSource
from shuangying.healthcodes.services import record_health_event

from .choices import ACTIVE_CLASSES, ALLOWED_MOVES, CaseClass
from .models import Admission, Case, Hospital, Reclassification, Team, TeamMember, Ward

HEALTH_EVENTS = {CaseClass.SUSPECTED: EventKind.SUSPECTED, CaseClass.CONFIRMED: EventKind.CONFIRMED}
TERMINAL = (CaseClass.CURED, CaseClass.DIED, CaseClass.EXCLUDED)


# A clock a few minutes ahead of the server's is not a time in the future.
LATE = timedelta(minutes=10)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _record_health(case: Case, kind: str, at: datetime, actor) -> None:
    record_health_event(
        person=case.person_id,
        kind=kind,
        occurred_at=at,
        source=EventSource.HOSPITAL,
        actor=actor,
        detail={"case": case.pk},
    )


@transaction.atomic
def open_case(
    *,
    person,
    case_class: str = CaseClass.SUSPECTED,
    opened_at: datetime | None = None,
    source: str = "",
    sample_barcode: str = "",
    reason: str = "",
    actor=None,
) -> tuple[Case, bool]:
    """Open a case for ``person`` (suspected, confirmed or asymptomatic), or return the case
    they already have open (``created`` False): a second positive result opens nothing new.
    ``actor`` None records the health event as another module's fact (a lab result)."""
    if case_class not in ACTIVE_CLASSES:
        raise ValidationError({"case_class": "分类：新病例只能是疑似、确诊或无症状感染者"})
    existing = Case.objects.select_for_update().filter(
        person_id=person.pk, case_class__in=ACTIVE_CLASSES
    )
    found = existing.first()
    if found is not None:
        return found, False
    at = opened_at or timezone.now()
    case = Case(
        person_id=person.pk,
        division_id=person.division_id,
        case_class=case_class,
        opened_at=at,
        confirmed_at=at if case_class == CaseClass.CONFIRMED else None,
        source=source[:60],
        sample_barcode=sample_barcode,
        opened_by=_user(actor),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # Another transaction opened one meanwhile (the partial unique index).
        return Case.objects.get(person_id=person.pk, case_class__in=ACTIVE_CLASSES), False
    Reclassification.objects.create(
        case=case,
        from_class="",
        to_class=case_class,
        at=at,
        reason=reason or source or "新报告",
        by=_user(actor),
        by_name=_user(actor).get_username() if _user(actor) else "系统",
    )
    if case_class in HEALTH_EVENTS:
        _record_health(case, HEALTH_EVENTS[case_class], at, actor)
    case.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"新报告病例 {case.get_case_class_display()} 人员{person.pk}",
        detail={"分类": case_class, "来源": source},
    )
    return case, True


def allowed_moves(case: Case) -> list[str]:
    return sorted(ALLOWED_MOVES[case.case_class])


@transaction.atomic
def reclassify_case(
    *, case: Case, to_class: str, reason: str, actor=None, at: datetime | None = None
) -> Case:
    """Move ``case`` to ``to_class`` if the move is allowed, with a reason; keeps the history
    (who, when, why, from, to) and records the health event of a suspected or confirmed class."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "原因：必填，请说明变更分类的依据"})
    if len(reason) > 200:
        raise ValidationError({"reason": "原因：最多200个字"})
    if to_class not in CaseClass.values:
        raise ValidationError({"to_class": "新分类：不是有效的病例分类"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_class not in ALLOWED_MOVES[case.case_class]:
        allowed = "、".join(str(CaseClass(c).label) for c in allowed_moves(case)) or "无（已结案）"
        raise ValidationError(
            {
                "to_class": f"新分类：{case.get_case_class_display()}不能改为"
                f"{CaseClass(to_class).label}；可改为：{allowed}"
            }
        )
    at = at or timezone.now()
    if at < case.opened_at:
        raise ValidationError({"at": "时间：不能早于病例报告时间"})
    from_class = case.case_class
    case.case_class = to_class
    if to_class == CaseClass.CONFIRMED and case.confirmed_at is None:
        case.confirmed_at = at
    if to_class in TERMINAL:
        case.closed_at = at
    case.save(update_fields=["case_class", "confirmed_at", "closed_at"])
    Reclassification.objects.create(
        case=case,
        from_class=from_class,
        to_class=to_class,
        at=at,
        reason=reason,
        by=_user(actor),
        by_name=_user(actor).get_username() if _user(actor) else "系统",
    )
    if to_class in HEALTH_EVENTS:
        _record_health(case, HEALTH_EVENTS[to_class], at, actor)
    case.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"病例分类 {CaseClass(from_class).label} → {CaseClass(to_class).label}",
        detail={"原分类": from_class, "新分类": to_class},
        reason=reason,
    )
    return case


# ---------------------------------------------------------------------------------------------
# Hospitals, wards, admissions (E5)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_hospital(*, name: str, kind: str, division, address: str = "", actor=None) -> Hospital:
    hospital = Hospital.objects.create(name=name, kind=kind, division=division, address=address)
    hospital.log_action(AuditAction.CREATE, user=actor, summary=f"新增救治医院 {name}")
    return hospital


@transaction.atomic
def create_ward(*, hospital: Hospital, name: str, capacity: int, actor=None) -> Ward:
    if capacity < 1:
        raise ValidationError({"capacity": "床位数：至少为1"})
    ward = Ward.objects.create(hospital=hospital, name=name, capacity=capacity)
    ward.log_action(AuditAction.CREATE, user=actor, summary=f"新增隔离病区 {ward} {capacity}床")
    return ward


@transaction.atomic
def admit_case(*, case: Case, ward: Ward, actor=None, at: datetime | None = None) -> Admission:
    """Give ``case`` a bed in ``ward``: refused when the ward is full (checked under the
    ward's row lock; the database's check refuses it too) or the case is closed."""
    ward = Ward.objects.select_for_update().get(pk=ward.pk)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.case_class not in ACTIVE_CLASSES:
        raise ValidationError({"case": "病例：已结案，不能入院"})
    if case.admissions.filter(discharged_at__isnull=True).exists():
        raise ValidationError({"case": "病例：已在院，不能重复入院"})
    if ward.occupied >= ward.capacity:
        raise ValidationError({"ward": f"病区：{ward}床位已满（{ward.occupied}/{ward.capacity}）"})
    now = timezone.now()
    at = at or now
    if at > now + LATE:
        raise ValidationError({"at": "入院时间：不能晚于当前时间"})
    if at < case.opened_at:
        raise ValidationError({"at": "入院时间：不能早于病例开立时间"})
    admission = Admission.objects.create(case=case, ward=ward, admitted_at=at)
    Ward.objects.filter(pk=ward.pk).update(occupied=F("occupied") + 1)
    admission.log_action(AuditAction.CREATE, user=actor, summary=f"病例{case.pk}入院 {ward}")
    return admission


@transaction.atomic
def discharge_case(
    *, admission: Admission, reason: str, actor=None, at: datetime | None = None
) -> Admission:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "出院原因：必填"})
    Ward.objects.select_for_update().get(pk=admission.ward_id)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.discharged_at is not None:
        raise ValidationError({"admission": "入院记录：已出院"})
    now = timezone.now()
    at = at or now
    if at > now + LATE:
        raise ValidationError({"at": "出院时间：不能晚于当前时间"})
    if at < admission.admitted_at:
        raise ValidationError({"at": "出院时间：不能早于入院时间"})
    admission.discharged_at = at
    admission.discharge_reason = reason[:100]
    admission.save(update_fields=["discharged_at", "discharge_reason"])
    Ward.objects.filter(pk=admission.ward_id).update(occupied=F("occupied") - 1)
    admission.log_action(AuditAction.UPDATE, user=actor, summary="病例出院", reason=reason)
    return admission


@transaction.atomic
def create_team(
    *, kind: str, name: str, echelon: int | None = None, hospital=None, members=(), actor=None
) -> Team:
    """A roster: ``members`` as (name, profession, title, unit) tuples."""
    team = Team.objects.create(kind=kind, name=name, echelon=echelon, hospital=hospital)
    TeamMember.objects.bulk_create(
        TeamMember(team=team, name=n, profession=p, title=t, unit=u) for n, p, t, u in members
    )
    team.log_action(AuditAction.CREATE, user=actor, summary=f"新增{team} {len(members)}人")
    return team

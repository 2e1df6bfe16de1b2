"""Writes on persons and households: one function per act, atomic, audited (STYLE: do_…)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.core import crypto
from shuangying.core.masking import mask_id_number, mask_phone

from . import limits
from .choices import DocumentType, Sex
from .identity import (
    IdentityError,
    facts_from_resident_id,
    normalize_document,
    normalize_name,
    normalize_phone,
)
from .models import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    Household,
    Person,
    id_number_hash,
    phone_hash,
)


def identity_fields(document_type: str, id_number: str) -> dict:
    """Validated, encrypted and hashed document fields for a Person; raises IdentityError."""
    return identity_and_facts(document_type, id_number)[0]


def identity_and_facts(document_type: str, id_number: str) -> tuple[dict, dict]:
    """``identity_fields`` and ``derived_facts`` from one normalisation (imports call this
    for every row)."""
    normalized = normalize_document(document_type, id_number)
    facts = {}
    if document_type == DocumentType.RESIDENT_ID:
        read = facts_from_resident_id(normalized)
        facts = {"sex": read.sex, "birth_date": read.birth_date}
    return _encrypted_identity(document_type, normalized), facts


def _encrypted_identity(document_type: str, normalized: str) -> dict:
    return {
        "document_type": document_type,
        "id_number_enc": crypto.encrypt(normalized, context=ID_CONTEXT),
        "id_number_hash": id_number_hash(normalized),
        "id_number_masked": mask_id_number(normalized),
        "id_last4": normalized[-4:],
    }


def phone_fields(phone: str) -> dict:
    if not phone:
        return {"phone_enc": "", "phone_hash": "", "phone_masked": "", "phone_last4": ""}
    normalized = normalize_phone(phone)
    return {
        "phone_enc": crypto.encrypt(normalized, context=PHONE_CONTEXT),
        "phone_hash": phone_hash(normalized),
        "phone_masked": mask_phone(normalized),
        "phone_last4": normalized[-4:],
    }


def derived_facts(document_type: str, id_number: str) -> dict:
    """Sex and birth date read from a resident ID number."""
    return identity_and_facts(document_type, id_number)[1]


def find_person_by_document(id_number: str, document_type: str = DocumentType.RESIDENT_ID):
    """The one person with this document number, through the keyed hash; None if unknown."""
    normalized: str
    try:
        normalized = normalize_document(document_type, id_number)
    except IdentityError:
        normalized = id_number.strip().upper()
    return Person.objects.filter(id_number_hash=id_number_hash(normalized)).first()


def _check_division(actor, division) -> None:
    """Writes may only place people and households inside the actor's own divisions."""
    if actor is None:
        return
    if not type(division).objects.in_jurisdiction(actor).filter(pk=division.pk).exists():
        raise PermissionDenied("division outside jurisdiction")


def clean_name(name: str) -> str:
    """A person's name as stored (NFKC, no invisible or direction control characters);
    ValidationError naming the field otherwise."""
    try:
        name = normalize_name(name)
    except IdentityError as exc:
        raise ValidationError({"name": f"姓名：{exc}"}) from None
    if not name:
        raise ValidationError({"name": "姓名不能为空"})
    return name


@dataclass
class RegisterResult:
    person: Person
    created: bool


class PersonExistsElsewhere(ValidationError):
    """The document number is registered outside the actor's jurisdiction (one person, one
    record): the record is not shown, and each such answer is audited and counted, since
    it tells whether a number is registered at all (issue 17)."""

    def __init__(self):
        super().__init__(
            {"id_number": "证件号码：该证件号码已在其他辖区登记（一人一档），请联系上级核实"}
        )


def _exists_elsewhere_events():
    return AuditEvent.objects.filter(
        action=AuditAction.SEARCH, object_type="person", detail__kind=limits.EXISTS_ELSEWHERE
    )


def register_person(*, actor, **data) -> RegisterResult:
    """Add a person, or return the existing record with the same document number (B1).

    Raises IdentityError (Chinese message) for a bad number or phone, PermissionDenied when the
    division is outside the actor's jurisdiction, PersonExistsElsewhere when the number is
    registered where the actor cannot see it, and RateLimited once the actor has met too many
    of those within the hour (then for every number, so that the refusal tells nothing)."""
    if actor is not None:
        with limits.counted(actor, limits.EXISTS_ELSEWHERE, _exists_elsewhere_events()):
            pass
    result = _register_person(actor=actor, **data)
    if result.created or actor is None:
        return result
    if Person.objects.restrict(actor).filter(pk=result.person.pk).exists():
        return result
    result.person.log_action(
        AuditAction.SEARCH,
        user=actor,
        summary="登记时证件号码已在其他辖区登记（未透露该记录）",
        detail={"kind": limits.EXISTS_ELSEWHERE},
    )
    raise PersonExistsElsewhere


@transaction.atomic
def _register_person(
    *,
    actor,
    name: str,
    document_type: str = DocumentType.RESIDENT_ID,
    id_number: str,
    division,
    phone: str = "",
    sex: str = "",
    birth_date: date | None = None,
    address: str = "",
    household: Household | None = None,
    relation_to_head: str = "",
    workplace: str = "",
    workplace_department=None,
    is_verified: bool = True,
    tags=(),
) -> RegisterResult:
    _check_division(actor, division)
    name = clean_name(name)
    ident, facts = identity_and_facts(document_type, id_number)
    existing = Person.objects.filter(id_number_hash=ident["id_number_hash"]).first()
    if existing is not None:
        return RegisterResult(existing, False)
    person = Person(
        name=name,
        sex=sex or facts.get("sex", Sex.UNKNOWN),
        birth_date=birth_date or facts.get("birth_date"),
        division=division,
        address=address,
        household=household,
        relation_to_head=relation_to_head,
        workplace=workplace,
        workplace_department=workplace_department,
        is_verified=is_verified,
        **ident,
        **phone_fields(phone),
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Another request registered the same number a moment ago: one person, one record.
        return RegisterResult(Person.objects.get(id_number_hash=ident["id_number_hash"]), False)
    if tags:
        person.tags.set(tags)
    person.log_action(
        AuditAction.CREATE, user=actor, summary=f"新增人员 {person.name} {person.id_number_masked}"
    )
    return RegisterResult(person, True)


EDITABLE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "address",
    "division",
    "household",
    "relation_to_head",
    "workplace",
    "workplace_department",
    "is_verified",
)


@transaction.atomic
def update_person(*, actor, person: Person, phone: str | None = None, **changes) -> Person:
    """Change a person's editable fields; a phone given as None is left as it is (a masked
    form never overwrites the real value)."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"tags"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "division" in changes:
        _check_division(actor, changes["division"])
    if "name" in changes:
        changes["name"] = clean_name(changes["name"])
    changed = []
    tags = changes.pop("tags", None)
    for field, value in changes.items():
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if phone is not None and phone != person.phone_masked:
        for field, value in phone_fields(phone).items():
            setattr(person, field, value)
        changed.append("phone")
    person.save()
    if tags is not None:
        person.tags.set(tags)
        changed.append("tags")
    person.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"修改人员 {person.name}",
        detail={"fields": changed},
    )
    return person


@transaction.atomic
def create_household(*, actor, division, number: str, address: str, notes: str = "") -> Household:
    _check_division(actor, division)
    household = Household.objects.create(
        division=division, number=number, address=address, notes=notes
    )
    household.log_action(
        AuditAction.CREATE, user=actor, summary=f"新增户 {household.number} {household.address}"
    )
    return household


@transaction.atomic
def record_staff_survey(*, actor, person: Person, **fields):
    """Record (or correct) a staff member's survey for the day (B6); only the department's own
    staff, by an officer of that department."""
    from .models import StaffSurvey

    if not actor.department_id or person.workplace_department_id != actor.department_id:
        raise PermissionDenied("not this department's staff")
    survey_date = fields.pop("survey_date")
    survey, created = StaffSurvey.objects.update_or_create(
        department_id=actor.department_id,
        person=person,
        survey_date=survey_date,
        defaults=fields,
    )
    survey.log_action(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=actor,
        summary=f"单位人员摸底 {person.name} {survey_date}",
    )
    return survey

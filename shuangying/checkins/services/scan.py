"""One scan (page and API): ``record_checkin``, the general path.

Idempotent by the client's UUID: the unique constraint on ``client_uuid`` decides, so the same
submission sent twice, or fifty times at once, is one row; the same UUID with a different
submission is refused (``UuidReused``). Who may be trusted is ``identity.bind_identity``'s
decision: a bound identity's check-in answers with its ``ref`` and health code and its
declarations count at once; any other check-in is still recorded (tracing needs it), answers
without either, and its declarations wait for the grid worker (``PendingDeclaration``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from shuangying.core.db import prepared_cursor, use_prepared
from shuangying.core.ratelimit import Charge, RateLimited
from shuangying.healthcodes.engine import facts_from_rows, facts_join
from shuangying.identity.services import (
    Binding,
    IdentityMismatch,
    bind_identity,
    binding_join,
    name_matches,
    ref_of,
)
from shuangying.people.models import Person
from shuangying.people.queries import person_by_hash_sql
from shuangying.people.services import register_person
from shuangying.places.tokens import code_usable

from ..choices import Source
from ..models import CheckIn, CheckinRegistration, PendingDeclaration
from . import fastpath
from .common import (
    MAX_COMPANIONS,
    PUBLIC_SKEW,
    CheckinResult,
    CodeUnusable,
    Declaration,
    Identity,
    RegistrationThrottled,
    clean_time,
    code_for,
    companion_uuid,
    forward_declaration,
    parse_uuid,
)
from .rows import PERSON_FIELDS, insert_checkin


@dataclass(frozen=True)
class KnownPerson:
    """A person read by document hash, with their bound reference and proven phone (or ""),
    and, when asked, their health events up to ``at`` (``facts``)."""

    person: Person
    bound_ref: str
    bound_phone: str
    at: datetime | None = None
    facts: list | None = None


def known_person(id_hash: str, at: datetime | None = None) -> KnownPerson | None:
    """The person with this keyed document hash in one statement, or None."""
    ref_columns, ref_join = binding_join("p.id", left=True)
    joins, extra, params = ref_join, ref_columns, [id_hash]
    if at is not None:
        event_columns, event_join = facts_join("p.id")
        joins, extra = f"{joins} {event_join}", f"{extra}, {event_columns}"
        params.insert(0, connection.ops.adapt_datetimefield_value(at))
    with prepared_cursor() as cursor:
        cursor.execute(person_by_hash_sql(PERSON_FIELDS, joins=joins, extra=extra), params)
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(PERSON_FIELDS)
    person = Person.from_db(
        connection.alias,
        [Person._meta.get_field(f).attname for f in PERSON_FIELDS],
        rows[0][:width],
    )
    facts = facts_from_rows([row[width + 2 :] for row in rows]) if at is not None else None
    return KnownPerson(person, rows[0][width] or "", rows[0][width + 1] or "", at, facts)


def _register(identity: Identity, *, place, may_register, code_id=None) -> Person:
    """A new unverified person in the place's division for the grid worker to confirm (C2),
    throttled per address and per place (``may_register``)."""
    if code_id is not None and not code_usable(code_id):
        raise CodeUnusable  # before anyone is registered: a dead code writes nothing
    if may_register is not None and not may_register():
        raise RegistrationThrottled
    person = register_person(
        actor=None,
        name=identity.name,
        document_type=identity.document_type,
        id_number=identity.id_number,
        phone=identity.phone,
        division=place.division,
        is_verified=False,
    ).person
    CheckinRegistration.objects.get_or_create(person=person, defaults={"place_id": place.pk})
    return person


def _within(charge: Charge | None) -> None:
    if charge is not None and not charge.settle():
        raise RateLimited


def record_checkin(
    *,
    place,
    client_uuid,
    declaration: Declaration,
    identity: Identity | None = None,
    person: Person | None = None,
    otp: str = "",
    companions: list[Identity] | tuple = (),
    companion_persons: list[Person] | tuple = (),
    source: str = Source.SCAN,
    at: datetime | None = None,
    backdate: timedelta = PUBLIC_SKEW,
    code_id: int | None = None,
    may_register: Callable[[], bool] | None = None,
    charge: Charge | None = None,
) -> CheckinResult:
    """Record one check-in at ``place`` (an active place, from ``resolve_token``) for a bound
    ``person`` (a device's one tap, by its reference) or a typed ``identity`` (from
    ``Identity.parse``; with ``otp`` when it answers a one-time code), with the companions
    who came along (each their own row, linked by ``companion_of``).

    Raises ValidationError (Chinese, by field), IdentityMismatch ("信息不符"), UuidReused,
    RegistrationThrottled and then writes nothing. With ``charge`` (the request's rate count,
    not yet made) the count is made here, in the fast path's own statement where it runs, and
    RateLimited raised, nothing written, when the request is over its limit. With ``code_id`` (a place code from
    ``peek_token``, not yet checked) the code's usability is checked in the insert itself and
    CodeUnusable raised, nothing written, when it is no longer usable.

    A bound person's plain scan (nothing declared, nobody along) is one statement on
    PostgreSQL (``fastpath``); anything more runs in one transaction. A new person is
    registered first, in its own transaction: if the insert then failed, an unverified person
    without a check-in remains, which expires like any other (``purge_unverified_persons``)."""
    client_uuid = parse_uuid(client_uuid)
    live = at is None  # a scan now: its code is the code at the check-in time
    at = clean_time(at, backdate=backdate)
    if len(companions) + len(companion_persons) > MAX_COMPANIONS:
        raise ValidationError({"companions": f"同行人最多{MAX_COMPANIONS}人"})
    if person is not None:
        _within(charge)
        binding, known = Binding(person, ref_of(person)), None
        if not binding.bound:
            raise ValidationError({"person_ref": "人员引用：无效，请填写身份信息"})
    else:
        if identity is None:
            raise ValidationError({"id_number": "请填写姓名和证件号码"})
        if not identity.phone:
            raise ValidationError({"phone": "请填写联系电话"})
        plain = not (declaration.flagged or companions or companion_persons or otp)
        if code_id is not None and plain and use_prepared():
            result = fastpath.scan_bound(
                identity=identity,
                place=place,
                client_uuid=client_uuid,
                declaration=declaration,
                source=source,
                at=at,
                code_id=code_id,
                charge=charge,
            )
            if result is not None:
                return result
        _within(charge)
        known = known_person(identity.id_hash, at if live else None)
        if known is None:
            person = _register(identity, place=place, may_register=may_register, code_id=code_id)
            binding = Binding(person)
        else:
            person = known.person
            binding = bind_identity(
                person=person,
                name=identity.name,
                phone=identity.phone,
                otp=otp,
                bound=(known.bound_ref, known.bound_phone),
            )
    many = declaration.flagged or companions or companion_persons
    with transaction.atomic() if many else nullcontext():
        result = _record(
            place=place,
            client_uuid=client_uuid,
            binding=binding,
            known=known,
            declaration=declaration,
            source=source,
            at=at,
            pin_time=not live,
            code_id=code_id,
        )
        if result.created:
            _record_companions(
                result,
                place=place,
                client_uuid=client_uuid,
                companions=companions,
                companion_persons=companion_persons,
                source=source,
                at=at,
                may_register=may_register,
            )
    result.otp_sent = binding.otp_sent
    return result


def _record(
    *, place, client_uuid, binding: Binding, known, declaration, source, at, pin_time, code_id
) -> CheckinResult:
    person = binding.person
    checkin, created = insert_checkin(
        code_id=code_id,
        pin_time=pin_time,
        client_uuid=client_uuid,
        checked_in_at=at,
        place_id=place.pk,
        person_id=person.pk,
        temperature=declaration.temperature,
        has_fever=declaration.has_fever,
        symptoms=",".join(declaration.symptoms),
        travel=declaration.travel,
        travel_from=declaration.travel_from,
        source=source,
    )
    if not created:
        return result_for(checkin, created=False)
    if not binding.bound:
        pending = declaration.flagged
        if pending:
            hold_declaration(checkin, declaration)
        return CheckinResult(checkin, person, True, pending=pending)
    if forward_declaration(checkin=checkin, person=person, declaration=declaration):
        code_of = code_for(person)  # with what was just declared
    elif known is not None and known.at == at and known.facts is not None:
        code_of = code_for(person, at, known.facts)
    else:
        code_of = code_for(person)
    return CheckinResult(checkin, person, True, binding.ref, code_of)


def hold_declaration(checkin: CheckIn, declaration: Declaration) -> PendingDeclaration:
    return PendingDeclaration.objects.create(
        checkin_id=checkin.pk,
        person_id=checkin.person_id,
        place_id=checkin.place_id,
        checked_in_at=checkin.checked_in_at,
        temperature=declaration.temperature,
        has_fever=declaration.has_fever,
        symptoms=",".join(declaration.symptoms),
        travel=declaration.travel,
        travel_from=declaration.travel_from,
    )


def _speaks_for(primary: CheckinResult, other: Person) -> bool:
    """A bound person may see the health code of a companion of their own household."""
    return (
        primary.bound
        and primary.person.household_id is not None
        and other.household_id == primary.person.household_id
    )


def _record_companions(
    result, *, place, client_uuid, companions, companion_persons, source, at, may_register
) -> None:
    others = list(companion_persons)
    for companion in companions:
        known = known_person(companion.id_hash)
        if known is None:
            others.append(_register(companion, place=place, may_register=may_register))
        elif not name_matches(known.person, companion.name):
            raise IdentityMismatch
        else:
            others.append(known.person)
    for index, other in enumerate(others):
        if other.pk == result.person.pk:
            continue
        row, row_created = insert_checkin(
            client_uuid=companion_uuid(client_uuid, index),
            checked_in_at=at,
            place_id=place.pk,
            person_id=other.pk,
            companion_of=result.checkin.pk,
            source=source,
        )
        trusted = _speaks_for(result, other)
        result.companions.append(
            CheckinResult(
                row,
                other,
                row_created,
                ref_of(other) if trusted else "",
                code_for(other) if trusted else None,
            )
        )


def companions_of(checkin: CheckIn) -> list[CheckIn]:
    uuids = [companion_uuid(checkin.client_uuid, i) for i in range(MAX_COMPANIONS)]
    return list(
        CheckIn.objects.filter(client_uuid__in=uuids, companion_of=checkin.pk)
        .select_related("person")
        .order_by("id")
    )


def result_for(checkin: CheckIn, *, created: bool) -> CheckinResult:
    """The answer to a resend: as the first answer was (bound or not as the person is now)."""
    person = checkin.person
    ref = ref_of(person)
    result = CheckinResult(checkin, person, created, ref, code_for(person) if ref else None)
    for c in companions_of(checkin):
        trusted = _speaks_for(result, c.person)
        result.companions.append(
            CheckinResult(
                c,
                c.person,
                False,
                ref_of(c.person) if trusted else "",
                code_for(c.person) if trusted else None,
            )
        )
    return result

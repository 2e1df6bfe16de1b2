"""Writes of check-ins (C2): ``record_checkin`` for one scan (page and API) and
``record_checkin_batch`` for an offline queue's upload. Both are idempotent by the
client-generated UUID: the unique constraint on ``client_uuid`` decides, so the same
submission sent twice, or fifty times at once, is one row."""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.db import prepared_cursor, use_prepared
from shuangying.healthcodes.fever import is_fever
from shuangying.people.choices import DocumentType, Sex
from shuangying.people.identity import IdentityError, normalize_document
from shuangying.people.models import Person, id_number_hash
from shuangying.people.services import identity_and_facts, phone_fields, register_person
from shuangying.places.tokens import USABLE_SQL, code_usable

from . import healthcode
from .choices import Source, Symptom, Travel
from .models import CheckIn, PersonRef

MAX_COMPANIONS = 5
# An offline device may upload scans made up to this long ago; never from the future.
MAX_BACKDATE = timedelta(days=7)
MAX_CLOCK_SKEW = timedelta(minutes=5)
COMPANION_NAMESPACE = uuid.UUID("5f0c1e52-62a4-4c3e-9d59-0b6b1c9a7e11")


@dataclass(frozen=True)
class Identity:
    name: str
    id_number: str
    document_type: str = DocumentType.RESIDENT_ID
    phone: str = ""


@dataclass(frozen=True)
class Declaration:
    temperature: Decimal | None = None
    has_fever: bool = False
    symptoms: tuple[str, ...] = ()
    travel: str = Travel.NONE
    travel_from: str = ""


class CodeUnusable(Exception):
    """The place code was revoked or expired, or its place stopped, before the check-in could
    be written (checked in the insert itself); nothing was written. Callers find the reason
    with ``resolve_token``."""


@dataclass
class CheckinResult:
    checkin: CheckIn
    person: Person
    created: bool
    ref: str
    code_of: Callable[[], healthcode.CodeView]  # computed when asked: the page never asks
    companions: list[CheckinResult] = field(default_factory=list)

    @functools.cached_property
    def code(self) -> healthcode.CodeView:
        return self.code_of()


def retention_days() -> int:
    return int(getattr(settings, "CHECKIN_RETENTION_DAYS", 28))


def companion_uuid(primary: uuid.UUID, index: int) -> uuid.UUID:
    """A companion's check-in UUID, derived from the primary one so that a resent submission
    finds its companions again (and the result page finds them through the unique index)."""
    return uuid.uuid5(COMPANION_NAMESPACE, f"{primary}/{index}")


def parse_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({"client_uuid": "客户端编号应为UUID"}) from None


NOTHING_DECLARED = Declaration()
SYMPTOMS = frozenset(Symptom.values)
TRAVELS = frozenset(Travel.values)
TEMPERATURE_MIN, TEMPERATURE_MAX, TENTH = Decimal("34.0"), Decimal("43.0"), Decimal("0.1")


def clean_declaration(
    *, temperature=None, has_fever=False, symptoms=(), travel=Travel.NONE, travel_from=""
) -> Declaration:
    """A declaration from loose input; ValidationError (Chinese, by field) when it is wrong."""
    empty = temperature in (None, "") and not (has_fever or symptoms or travel_from)
    if empty and travel in (None, "", Travel.NONE):
        return NOTHING_DECLARED
    temp = None
    if temperature not in (None, ""):
        try:
            temp = Decimal(str(temperature)).quantize(TENTH)
        except (InvalidOperation, ValueError):
            raise ValidationError({"temperature": "体温应为数字,如36.5"}) from None
        if not TEMPERATURE_MIN <= temp <= TEMPERATURE_MAX:
            raise ValidationError({"temperature": "体温应在34.0–43.0℃之间"})
    symptoms = tuple(dict.fromkeys(s for s in symptoms or () if s))
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise ValidationError({"symptoms": f"症状:未知的代码 {'、'.join(unknown)}"})
    travel = travel or Travel.NONE
    if travel not in TRAVELS:
        raise ValidationError({"travel": "14天内行程取值应为 none、other_province、risk_area 之一"})
    fever = bool(has_fever) or is_fever(temp)
    return Declaration(temp, fever, symptoms, travel, (travel_from or "").strip()[:50])


def clean_time(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationError({"checked_in_at": "登记时间不能晚于当前时间"})
    if at < now - MAX_BACKDATE:
        raise ValidationError({"checked_in_at": "登记时间早于7天前,不再接收"})
    return at


# The person behind a document number with their device reference and, when the health-code
# app is there, their health events up to the check-in: one statement for what every public
# check-in reads (the ORM's compilation of the same queries cost more than the queries).
KNOWN_PERSON_SQL = (
    "SELECT p.id, p.name, p.division_id, p.is_verified, r.ref{events} FROM people_person p "
    "LEFT JOIN checkins_personref r ON r.person_id = p.id {join} WHERE p.id_number_hash = %s"
)
KNOWN_PERSON_FIELDS = ("id", "name", "division_id", "is_verified")


def known_person(hash_: str, at: datetime | None = None) -> Person | None:
    """The person with this keyed document hash (other fields load on first use), or None.
    With ``at``, their health events up to ``at`` come along (``person._health_facts``)."""
    events = healthcode.facts_join("p.id") if at is not None else None
    params: list = [hash_]
    if events:
        sql = KNOWN_PERSON_SQL.format(events=", " + events[0], join=events[1])
        params.insert(0, connection.ops.adapt_datetimefield_value(at))
    else:
        sql = KNOWN_PERSON_SQL.format(events="", join="")
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    person = Person.from_db(connection.alias, KNOWN_PERSON_FIELDS, rows[0][:4])
    person._checkin_ref = rows[0][4]
    if events:
        person._health_facts = (at, events[2]([row[5:] for row in rows]))
    return person


def _prefetched_facts(person: Person, at: datetime):
    """The events ``known_person`` read with the person for this very time, else None."""
    prefetched = getattr(person, "_health_facts", None)
    if prefetched is not None and prefetched[0] == at:
        return prefetched[1]
    return None


def _person_for(
    identity: Identity, *, division, request, code_id: int | None = None, at=None
) -> Person:
    """The person with this document number, or a new unverified one in ``division`` for the
    grid worker to confirm (C2). Raises IdentityError / ValidationError."""
    name = (identity.name or "").strip()
    if not name:
        raise ValidationError({"name": "姓名不能为空"})
    normalized = normalize_document(identity.document_type, identity.id_number)
    known = known_person(id_number_hash(normalized), at)
    if known is not None:
        return known
    if code_id is not None and not code_usable(code_id):
        raise CodeUnusable  # before anyone is registered: a dead code writes nothing
    return register_person(
        actor=None,
        request=request,
        name=name[:50],
        document_type=identity.document_type,
        id_number=normalized,
        phone=identity.phone,
        division=division,
        is_verified=False,
    ).person


def ref_for(person: Person) -> str:
    ref = getattr(person, "_checkin_ref", None)  # loaded by known_person
    if ref:
        return ref
    try:
        return person.checkin_ref.ref  # loaded with the person where it was looked up
    except PersonRef.DoesNotExist:
        pass
    ref, _created = PersonRef.objects.get_or_create(person=person)
    return ref.ref


def persons_for_refs(refs: list[str]) -> list[Person]:
    """The persons a device remembers, in the cookie's order; unknown refs are dropped."""
    if not refs:
        return []
    found = {
        r.ref: r.person
        for r in PersonRef.objects.filter(ref__in=refs[: MAX_COMPANIONS + 1]).select_related(
            "person"
        )
    }
    return [found[r] for r in refs if r in found]


def _forward_declaration(checkin: CheckIn, person: Person, declaration: Declaration) -> bool:
    """Record what was declared as health events; True when there was anything."""
    events = []
    if declaration.has_fever:
        events.append(healthcode.FEVER_UNRESOLVED)
    if declaration.symptoms:
        events.append(healthcode.SYMPTOMS_DECLARED)
    if declaration.travel == Travel.RISK_AREA:
        events.append(healthcode.RISK_AREA_ARRIVAL)
    for kind in events:
        healthcode.record_health_event(
            person=person,
            kind=kind,
            occurred_at=checkin.checked_in_at,
            source="checkin",
            detail={"checkin": checkin.pk, "place": checkin.place_id},
        )
    return bool(events)


INSERT_COLUMNS = (
    "checked_in_at",
    "place_id",
    "person_id",
    "client_uuid",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "travel_from",
    "companion_of",
    "source",
)


# Built from constants only (the table and column names above); values go as parameters.
INSERT_SQL = (
    f"INSERT INTO checkins_checkin ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))}) "
    "ON CONFLICT (client_uuid) DO NOTHING RETURNING id"
)


@functools.cache
def _insert_usable_sql(typed: bool) -> str:
    """The same insert, written only while the place code is usable (``USABLE_SQL`` of
    places.tokens): the public check-in checks its code where it writes, in the one statement.
    ``typed``: each value cast to its column's type, for PostgreSQL's server-side binding
    (a parameter in a SELECT list has no type to infer)."""
    if typed:
        values = ", ".join(
            f"%s::{CheckIn._meta.get_field(c.removesuffix('_id')).cast_db_type(connection)}"
            for c in INSERT_COLUMNS
        )
    else:
        values = ", ".join(["%s"] * len(INSERT_COLUMNS))
    return (
        f"INSERT INTO checkins_checkin ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
        f"SELECT {values} WHERE {USABLE_SQL} "
        "ON CONFLICT (client_uuid) DO NOTHING RETURNING id"
    )


def _insert(code_id: int | None = None, **fields) -> tuple[CheckIn, bool]:
    """Insert one check-in, or find the row its UUID already made (a resend, or a concurrent
    duplicate that won the race on the unique index).

    One statement, ``INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING id`` (PostgreSQL
    and SQLite ≥ 3.35 alike): no savepoint, no failed statement inside the transaction."""
    row = CheckIn(**fields)
    values = [
        CheckIn._meta.get_field(column.removesuffix("_id")).get_db_prep_save(
            getattr(row, column), connection
        )
        for column in INSERT_COLUMNS
    ]
    if code_id is None:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, values)
            inserted = cursor.fetchone()
    else:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor() as cursor:
            cursor.execute(_insert_usable_sql(use_prepared()), [*values, code_id, now])
            inserted = cursor.fetchone()
    if inserted is None:
        existing = CheckIn.objects.filter(client_uuid=row.client_uuid).first()
        if existing is None:  # only the usable-code insert writes nothing without a conflict
            raise CodeUnusable
        return existing, False
    row.pk = inserted[0]
    row._state.adding = False
    return row, True


@functools.cache
def _scan_sql() -> str:
    """PostgreSQL: the common scan in one statement — the person and their device reference
    by document hash, and the check-in inserted for them while the place code is usable."""
    values = ", ".join(
        "p.id"
        if c == "person_id"
        else f"%s::{CheckIn._meta.get_field(c.removesuffix('_id')).cast_db_type(connection)}"
        for c in INSERT_COLUMNS
    )
    return (
        "WITH p AS (SELECT p.id, p.name, p.division_id, p.is_verified, r.ref "  # noqa: S608
        "FROM people_person p LEFT JOIN checkins_personref r ON r.person_id = p.id "
        "WHERE p.id_number_hash = %s), "
        f"ins AS (INSERT INTO checkins_checkin ({', '.join(INSERT_COLUMNS)}) "
        f"SELECT {values} FROM p WHERE {USABLE_SQL} "
        "ON CONFLICT (client_uuid) DO NOTHING RETURNING id) "
        "SELECT p.id, p.name, p.division_id, p.is_verified, p.ref, (SELECT id FROM ins) FROM p"
    )


def _scan_known(
    *, identity: Identity, place, client_uuid, declaration: Declaration, source, at, code_id
) -> CheckinResult | None:
    """The common scan (a known person, nothing declared, nobody along) as one statement on
    PostgreSQL. None when it did not write a new row — an unknown person, a resend, a code
    no longer usable — and the general path then decides (and answers) as always."""
    if not (identity.name or "").strip():
        return None
    hash_ = id_number_hash(normalize_document(identity.document_type, identity.id_number))
    row = CheckIn(
        client_uuid=client_uuid,
        checked_in_at=at,
        place_id=place.pk,
        temperature=declaration.temperature,
        has_fever=declaration.has_fever,
        symptoms=",".join(declaration.symptoms),
        travel=declaration.travel,
        travel_from=declaration.travel_from,
        source=source,
    )
    # PostgreSQL only, bound on the server: psycopg adapts these Python values (datetime,
    # UUID, Decimal) as they are, without the fields' preparation.
    values = [getattr(row, c) for c in INSERT_COLUMNS if c != "person_id"]
    now = timezone.now()
    with prepared_cursor() as cursor:
        cursor.execute(_scan_sql(), [hash_, *values, code_id, now])
        found = cursor.fetchone()
    if found is None or found[5] is None:
        return None
    person = Person.from_db(connection.alias, KNOWN_PERSON_FIELDS, found[:4])
    person._checkin_ref = found[4]
    row.person_id, row.pk = person.pk, found[5]
    row._state.adding = False
    return CheckinResult(
        row, person, True, ref_for(person), partial(healthcode.current_code, person)
    )


def record_checkin(
    *,
    place,
    client_uuid,
    declaration: Declaration,
    identity: Identity | None = None,
    person: Person | None = None,
    companions: list[Identity] | tuple = (),
    companion_persons: list[Person] | tuple = (),
    source: str = Source.SCAN,
    at: datetime | None = None,
    request=None,
    code_id: int | None = None,
) -> CheckinResult:
    """Record one check-in at ``place`` (an active place, from ``resolve_token``) for a known
    ``person`` (a device's one tap) or an ``identity`` (joined to the existing person with
    that document number, else a new unverified person in the place's division), with the
    companions who came along (each their own row, linked by ``companion_of``).

    Idempotent by ``client_uuid``. Raises IdentityError or ValidationError (Chinese, by
    field) and then writes nothing. With ``code_id`` (a place code from ``peek_token``, not
    yet checked), the code's usability is checked in the insert itself and CodeUnusable
    raised, nothing written, when it is no longer usable.

    The common scan (a known person, nothing declared, nobody along) is one INSERT in
    autocommit; anything more (companions, a declaration forwarded to the health-code rules)
    runs in one transaction with it. A new person is registered first, in its own
    transaction: if the insert then failed, an unverified person without a check-in remains,
    which the grid worker's confirmation handles like any other."""
    client_uuid = parse_uuid(client_uuid)
    live = at is None  # a scan now: its code is the code at the check-in time
    at = clean_time(at)
    if len(companions) + len(companion_persons) > MAX_COMPANIONS:
        raise ValidationError({"companions": f"同行人最多{MAX_COMPANIONS}人"})
    flagged = bool(
        declaration.has_fever or declaration.symptoms or declaration.travel == Travel.RISK_AREA
    )
    if person is None:
        if identity is None:
            raise ValidationError({"id_number": "请填写姓名和证件号码"})
        if not identity.phone:
            raise ValidationError({"phone": "请填写联系电话"})
        if code_id is not None and use_prepared() and not (flagged or companions):
            result = _scan_known(
                identity=identity,
                place=place,
                client_uuid=client_uuid,
                declaration=declaration,
                source=source,
                at=at,
                code_id=code_id,
            )
            if result is not None:
                return result
        person = _person_for(
            identity,
            division=place.division,
            request=request,
            code_id=code_id,
            at=at if live else None,
        )
    with transaction.atomic() if (flagged or companions or companion_persons) else nullcontext():
        return _record(
            place=place,
            client_uuid=client_uuid,
            person=person,
            declaration=declaration,
            companions=companions,
            companion_persons=companion_persons,
            source=source,
            at=at,
            request=request,
            code_id=code_id,
        )


def _record(
    *,
    place,
    client_uuid,
    person,
    declaration,
    companions,
    companion_persons,
    source,
    at,
    request,
    code_id=None,
) -> CheckinResult:
    checkin, created = _insert(
        code_id=code_id,
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
        return _result_for(checkin, created=False)
    if _forward_declaration(checkin, person, declaration):
        code_of = partial(healthcode.current_code, person)  # with what was just declared
    else:
        facts = _prefetched_facts(person, at)
        code_of = partial(
            healthcode.current_code, person, at=at if facts is not None else None, facts=facts
        )
    result = CheckinResult(checkin, person, True, ref_for(person), code_of)
    others = list(companion_persons)
    for companion in companions:
        others.append(
            _person_for(
                Identity(companion.name, companion.id_number, companion.document_type),
                division=place.division,
                request=request,
            )
        )
    for index, other in enumerate(others):
        if other.pk == person.pk:
            continue
        row, row_created = _insert(
            client_uuid=companion_uuid(client_uuid, index),
            checked_in_at=at,
            place_id=place.pk,
            person_id=other.pk,
            companion_of=checkin.pk,
            source=source,
        )
        result.companions.append(
            CheckinResult(
                row, other, row_created, ref_for(other), partial(healthcode.current_code, other)
            )
        )
    return result


def companions_of(checkin: CheckIn) -> list[CheckIn]:
    uuids = [companion_uuid(checkin.client_uuid, i) for i in range(MAX_COMPANIONS)]
    return list(
        CheckIn.objects.filter(client_uuid__in=uuids, companion_of=checkin.pk)
        .select_related("person")
        .order_by("id")
    )


def _result_for(checkin: CheckIn, *, created: bool) -> CheckinResult:
    person = checkin.person
    return CheckinResult(
        checkin,
        person,
        created,
        ref_for(person),
        partial(healthcode.current_code, person),
        [
            CheckinResult(
                c, c.person, False, ref_for(c.person), partial(healthcode.current_code, c.person)
            )
            for c in companions_of(checkin)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Offline upload
# ---------------------------------------------------------------------------------------------


@dataclass
class BatchItemResult:
    client_uuid: str
    id: int | None = None
    created: bool = False
    error_code: str | None = None
    error_field: str | None = None
    error_message: str | None = None


def _fail(out: BatchItemResult, code: str, field_name: str | None, message: str) -> None:
    out.error_code, out.error_field, out.error_message = code, field_name, message


TOKEN_MESSAGES = {
    "forged": "场所码无效",
    "revoked": "场所码已作废",
    "expired": "场所码已过期",
    "inactive": "场所已停用",
}


# What a batch item may hold; text fields with their longest accepted value (the schema's).
ITEM_TEXT = {
    "client_uuid": ("客户端编号", 40),
    "place_token": ("场所码", 200),
    "name": ("姓名", 50),
    "document_type": ("证件类型", 20),
    "id_number": ("证件号码", 30),
    "phone": ("手机号", 20),
    "travel": ("14天内行程", 20),
    "travel_from": ("来自", 50),
}
DOCUMENT_TYPES = frozenset(DocumentType.values)
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# JSON booleans, and what pydantic's lax mode read as one (0 and 1 are False and True here).
BOOLEANS = {True: True, False: False, None: False, "true": True, "false": False, "1": True,
            "0": False, "": False}  # fmt: skip


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    label, longest = ITEM_TEXT[key]
    if type(value) is not str:
        raise ValidationError({key: f"{label}:应为文本"})
    if len(value) > longest:
        raise ValidationError({key: f"{label}:最多{longest}个字符"})
    return value


def _item_time(value, now: datetime) -> datetime:
    """``checked_in_at`` of a batch item: ISO 8601 text (pydantic's reading), else now."""
    if value is None or value == "":
        return now
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValidationError(
                {"checked_in_at": "登记时间:应为日期时间,格式 YYYY-MM-DDTHH:MM:SS"}
            ) from None
    if at.tzinfo is None:
        at = timezone.make_aware(at)
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationError({"checked_in_at": "登记时间不能晚于当前时间"})
    if at < now - MAX_BACKDATE:
        raise ValidationError({"checked_in_at": "登记时间早于7天前,不再接收"})
    return at


class _BatchCleaner:
    """Validation of an upload's items, each distinct value worked out once: a queue holds
    the same place code, the same few persons and the same declaration many times over.
    Raises ValidationError (Chinese, by field) for the item at hand."""

    def __init__(self):
        from shuangying.places.tokens import PlaceTokenError, resolve_token

        self._resolve, self._token_error = resolve_token, PlaceTokenError
        self.now = timezone.now()
        self.places: dict[str, object] = {}
        self.documents: dict[tuple[str, str], tuple[str, str] | str] = {}
        self.declarations: dict[tuple, Declaration | ValidationError] = {}

    def place(self, token: str):
        """The place code's place, or the PlaceTokenError saying why it cannot be used."""
        found = self.places.get(token)
        if found is None:
            try:
                found = self.places[token] = self._resolve(token).place
            except self._token_error as exc:
                found = self.places[token] = exc
        return found

    def document(self, document_type: str, raw: str) -> tuple[str, str]:
        """The normalised document number and its keyed hash."""
        key = (document_type, raw)
        found = self.documents.get(key)
        if found is None:
            try:
                number = normalize_document(document_type, raw)
                found = (number, id_number_hash(number))
            except IdentityError as exc:
                found = f"证件号码:{exc}"
            self.documents[key] = found
        if isinstance(found, str):
            raise ValidationError({"id_number": found})
        return found

    def declaration(self, item: dict) -> Declaration:
        symptoms = item.get("symptoms") or ()
        if not isinstance(symptoms, list | tuple) or not all(isinstance(s, str) for s in symptoms):
            raise ValidationError({"symptoms": "症状:应为代码的列表"})
        temperature = item.get("temperature")
        if temperature is not None and not isinstance(temperature, int | float | str):
            raise ValidationError({"temperature": "体温:应为数字"})
        fever = item.get("fever")
        try:
            fever = BOOLEANS[fever.lower() if isinstance(fever, str) else fever]
        except (KeyError, TypeError):
            raise ValidationError({"fever": "发热:应为 true 或 false"}) from None
        travel, travel_from = _text(item, "travel"), _text(item, "travel_from")
        key = (temperature, fever, tuple(symptoms), travel, travel_from)
        found = self.declarations.get(key)
        if found is None:
            try:
                found = clean_declaration(
                    temperature=temperature,
                    has_fever=fever,
                    symptoms=symptoms,
                    travel=travel or Travel.NONE,
                    travel_from=travel_from,
                )
            except ValidationError as exc:
                found = exc
            self.declarations[key] = found
        if isinstance(found, ValidationError):
            raise found
        return found


def record_checkin_batch(*, items: list, actor, request=None) -> list[BatchItemResult]:
    """An offline queue's upload (C2, C3): up to 10,000 items, each idempotent by its UUID,
    inserted in bulk. A bad item is answered with its error and does not stop the others.

    Each item is a dict (parsed JSON, checked here item by item) with ``client_uuid``,
    ``place_token``, ``name``, ``document_type``, ``id_number``, ``phone`` and the
    declaration's fields, and optionally ``checked_in_at``. Companions are queued as items of
    their own. Each distinct document number is normalised and hashed once and the persons
    looked up by hash in one query; unknown ones are created unverified in the place's
    division in one bulk insert; the check-ins go in with ON CONFLICT DO NOTHING on the UUID
    (on PostgreSQL one statement that also answers the UUIDs already stored)."""
    clean = _BatchCleaner()
    results: list[BatchItemResult] = []
    # Per valid item, its index in ``results`` and, for the first item of each UUID, the row
    # [uuid, time, place, document hash, declaration, identity]; None for a repeated UUID.
    rows: list[tuple[int, list | None]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            out = BatchItemResult("")
            _fail(out, "invalid_item", None, "条目应为对象")
            results.append(out)
            continue
        raw_uuid = item.get("client_uuid")
        out = BatchItemResult(raw_uuid if isinstance(raw_uuid, str) else str(raw_uuid or ""))
        results.append(out)
        try:
            key = _text(item, "client_uuid")
            if not CANONICAL_UUID.fullmatch(key):  # else it is its own canonical text
                key = str(parse_uuid(key))
            out.client_uuid = key
            place = clean.place(_text(item, "place_token"))
            if isinstance(place, Exception):
                message = TOKEN_MESSAGES[place.reason]
                _fail(out, f"place_token_{place.reason}", "place_token", message)
                continue
            declaration = clean.declaration(item)
            at = _item_time(item.get("checked_in_at"), clean.now)
            name = _text(item, "name").strip()
            if not name:
                raise ValidationError({"name": "姓名不能为空"})
            document_type = _text(item, "document_type") or DocumentType.RESIDENT_ID
            if document_type not in DOCUMENT_TYPES:
                raise ValidationError({"document_type": "证件类型无效"})
            number, digest = clean.document(document_type, _text(item, "id_number"))
            phone = _text(item, "phone")
        except ValidationError as exc:
            field_name, messages = next(iter(exc.message_dict.items()))
            _fail(out, f"invalid_{field_name}", field_name, ";".join(messages))
            continue
        if key in seen:
            # The same UUID twice in one upload: one row, both items answered with it.
            rows.append((index, None))
            continue
        seen.add(key)
        identity = Identity(name, number, document_type, phone)
        rows.append((index, [key, at, place, digest, declaration, identity]))

    # Persons: one lookup by hash; the unknown created in one bulk insert.
    persons = _persons_by_hash({row[3] for _i, row in rows if row})
    new_people: dict[str, Person] = {}
    for index, row in rows:
        if row is None or row[3] in persons or row[3] in new_people:
            continue
        identity, place = row[5], row[2]
        try:
            contact = phone_fields(identity.phone)
        except IdentityError as exc:
            _fail(results[index], "invalid_phone", "phone", f"联系电话:{exc}")
            row.clear()
            continue
        fields, facts = identity_and_facts(identity.document_type, identity.id_number)
        new_people[row[3]] = Person(
            name=identity.name,
            sex=facts.get("sex", Sex.UNKNOWN),
            birth_date=facts.get("birth_date"),
            division_id=place.division_id,
            is_verified=False,
            **fields,
            **contact,
        )
    with transaction.atomic():
        if new_people:
            Person.objects.bulk_create(new_people.values(), ignore_conflicts=True, batch_size=2000)
            persons.update(_persons_by_hash(set(new_people)))
        values = []
        for _index, row in rows:
            if not row:
                continue
            key, at, place, digest, decl, _identity = row
            values.append(
                (
                    key,
                    at,
                    place.pk,
                    persons[digest],
                    decl.temperature,
                    decl.has_fever,
                    ",".join(decl.symptoms),
                    decl.travel,
                    decl.travel_from,
                )
            )
        ids, created = _bulk_insert(values)
        created_count = 0
        for index, row in rows:
            out = results[index]
            if out.error_code:
                continue
            out.id = ids.get(out.client_uuid)
            out.created = row is not None and out.client_uuid in created
            created_count += out.created
        flagged = [
            v for v in values if v[0] in created and (v[5] or v[6] or v[7] == Travel.RISK_AREA)
        ]
        if flagged and healthcode._services() is not None:
            by_pk = Person.objects.in_bulk([v[3] for v in flagged])
            for key, at, place_id, person_id, temp, fever, symptoms, travel, _from in flagged:
                _forward_declaration(
                    CheckIn(pk=ids[key], checked_in_at=at, place_id=place_id),
                    by_pk[person_id],
                    Declaration(temp, fever, tuple(s for s in symptoms.split(",") if s), travel),
                )
        record_event(
            request=request,
            user=actor,
            action=AuditAction.CREATE,
            object_type="checkin",
            summary=f"离线上传扫码登记 {len(items)}条,新增{created_count}条",
            detail={
                "items": len(items),
                "created": created_count,
                "errors": sum(1 for r in results if r.error_code),
                "new_persons": len(new_people),
            },
        )
    return results


def _persons_by_hash(hashes: set[str]) -> dict[str, int]:
    """Person ids by keyed document hash, for the hashes known; one query."""
    if not hashes:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number_hash, id FROM people_person WHERE id_number_hash = ANY(%s)",
                [list(hashes)],
            )
            return dict(cursor.fetchall())
    return dict(
        Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", "pk")
    )


BULK_COLUMNS = (
    "client_uuid",
    "checked_in_at",
    "place_id",
    "person_id",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "travel_from",
)
BULK_TYPES = (
    "uuid",
    "timestamptz",
    "bigint",
    "bigint",
    "numeric",
    "boolean",
    "text",
    "text",
    "text",
)
# PostgreSQL: one statement for the whole upload. The rows travel as one JSON document (a
# JSON array of arrays, parsed once by the server as jsonb: adapting nine Python lists of
# 10,000 values cost more than the insert); the rows inserted come back with their ids, and
# so do the UUIDs already stored (the statement's snapshot does not see its own inserts, so
# the join finds exactly the earlier rows).
_BULK_DATA = ", ".join(
    f"(e->>{n})::{type_} AS {column}"
    for n, (column, type_) in enumerate(zip(BULK_COLUMNS, BULK_TYPES, strict=True))
)
BULK_SQL_POSTGRESQL = (
    f"WITH data AS (SELECT {_BULK_DATA} FROM jsonb_array_elements(%s::jsonb) e), "  # noqa: S608
    f"inserted AS (INSERT INTO checkins_checkin ({', '.join(BULK_COLUMNS)}, source) "
    "SELECT *, 'batch' FROM data ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid, id) "
    "SELECT client_uuid::text, id, true FROM inserted UNION ALL "
    "SELECT c.client_uuid::text, c.id, false FROM checkins_checkin c JOIN data d "
    "ON c.client_uuid = d.client_uuid "
    # Only when something was skipped: a first upload looks nothing up.
    "WHERE (SELECT count(*) FROM inserted) < (SELECT count(*) FROM data)"
)


def _bulk_insert(values: list[tuple]) -> tuple[dict[str, int], set[str]]:
    """Insert ``values`` (tuples in BULK_COLUMNS order, the UUID as canonical text) skipping
    UUIDs already stored; return every UUID's id and the set of UUIDs inserted now."""
    if not values:
        return {}, set()
    if connection.vendor == "postgresql":
        times: dict[datetime, str] = {}  # most items of an upload share one time: now
        document = json.dumps(
            [
                (
                    key,
                    times.get(at) or times.setdefault(at, at.isoformat()),
                    place,
                    person,
                    None if temp is None else str(temp),
                    *rest,
                )
                for key, at, place, person, temp, *rest in values
            ],
            ensure_ascii=False,
        )
        with connection.cursor() as cursor:
            cursor.execute(BULK_SQL_POSTGRESQL, [document])
            found = cursor.fetchall()
        ids = {key: pk for key, pk, _new in found}
        created = {key for key, _pk, new in found if new}
        # A UUID neither inserted nor seen: a concurrent upload wrote it after this
        # statement's snapshot was taken; it is committed by now.
        missing = [v[0] for v in values if v[0] not in ids]
        if missing:
            ids.update(_ids_by_uuid(missing))
        return ids, created
    keys = [uuid.UUID(v[0]) for v in values]
    before = set(_ids_by_uuid(keys))
    CheckIn.objects.bulk_create(
        [
            CheckIn(**dict(zip(BULK_COLUMNS, v, strict=True)), source=Source.BATCH)
            for v in values
            if v[0] not in before
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    ids = _ids_by_uuid(keys)
    return ids, set(ids) - before


def _ids_by_uuid(keys: list) -> dict[str, int]:
    return {
        str(key): pk
        for key, pk in CheckIn.objects.filter(client_uuid__in=keys).values_list("client_uuid", "pk")
    }


def purge_expired_checkins(*, now: datetime | None = None) -> int:
    """Delete check-ins older than the retention period (SafeEntry kept 25 days)."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted, _ = CheckIn.objects.filter(checked_in_at__lt=cutoff).delete()
    return deleted

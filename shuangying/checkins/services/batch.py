"""An offline queue's upload (C2, C3): ``record_checkin_batch``. Staff devices (logged in)
upload up to 10,000 items at once, each idempotent by its UUID, in one bulk statement."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.guards import CONTROL, CONTROL_MESSAGE
from shuangying.people.choices import DocumentType, Sex
from shuangying.people.identity import IdentityError, normalize_document
from shuangying.people.models import Person, id_number_hash
from shuangying.people.queries import person_ids_by_hashes_sql
from shuangying.people.services import identity_and_facts, phone_fields

from ..choices import Source, Travel
from ..models import CheckIn
from .common import (
    MAX_BACKDATE,
    MAX_CLOCK_SKEW,
    Declaration,
    Identity,
    clean_declaration,
    forward_declaration,
    parse_uuid,
)


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
        raise ValidationError({key: f"{label}：应为文本"})
    if len(value) > longest:
        raise ValidationError({key: f"{label}：最多{longest}个字符"})
    if CONTROL.search(value):
        # PostgreSQL refuses NUL in text: answered in this item's slot, not as a failed batch.
        raise ValidationError({key: f"{label}：{CONTROL_MESSAGE}"})
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
                {"checked_in_at": "登记时间：应为日期时间，格式 YYYY-MM-DDTHH:MM:SS"}
            ) from None
    if at.tzinfo is None:
        at = timezone.make_aware(at)
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationError({"checked_in_at": "登记时间不能晚于当前时间"})
    if at < now - MAX_BACKDATE:
        raise ValidationError({"checked_in_at": "登记时间早于7天前，不再接收"})
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
                found = f"证件号码：{exc}"
            self.documents[key] = found
        if isinstance(found, str):
            raise ValidationError({"id_number": found})
        return found

    def declaration(self, item: dict) -> Declaration:
        symptoms = item.get("symptoms") or ()
        if not isinstance(symptoms, list | tuple) or not all(isinstance(s, str) for s in symptoms):
            raise ValidationError({"symptoms": "症状：应为代码的列表"})
        temperature = item.get("temperature")
        if temperature is not None and not isinstance(temperature, int | float | str):
            raise ValidationError({"temperature": "体温：应为数字"})
        fever = item.get("fever")
        try:
            fever = BOOLEANS[fever.lower() if isinstance(fever, str) else fever]
        except (KeyError, TypeError):
            raise ValidationError({"fever": "发热：应为 true 或 false"}) from None
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


def record_checkin_batch(*, items: list, actor) -> list[BatchItemResult]:
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
            _fail(out, f"invalid_{field_name}", field_name, "；".join(messages))
            continue
        if key in seen:
            # The same UUID twice in one upload: one row, both items answered with it.
            rows.append((index, None))
            continue
        seen.add(key)
        identity = Identity(name, number, document_type, phone, digest)
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
            _fail(results[index], "invalid_phone", "phone", f"联系电话：{exc}")
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
        if flagged:
            # Logged-in staff devices: what they recorded counts at once.
            by_pk = Person.objects.in_bulk([v[3] for v in flagged])
            for key, at, place_id, person_id, temp, fever, symptoms, travel, _from in flagged:
                forward_declaration(
                    checkin=CheckIn(pk=ids[key], checked_in_at=at, place_id=place_id),
                    person=by_pk[person_id],
                    declaration=Declaration(
                        temp, fever, tuple(s for s in symptoms.split(",") if s), travel
                    ),
                    actor=actor,
                )
        record_event(
            user=actor,
            action=AuditAction.CREATE,
            object_type="checkin",
            summary=f"离线上传扫码登记 {len(items)}条，新增{created_count}条",
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
            cursor.execute(person_ids_by_hashes_sql(), [list(hashes)])
            return dict(cursor.fetchall())
    return dict(
        Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", "pk")
    )


BULK_FIELDS = (
    "client_uuid",
    "checked_in_at",
    "place",
    "person",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "travel_from",
)
BULK_COLUMNS = tuple(CheckIn._meta.get_field(f).column for f in BULK_FIELDS)
BULK_ATTNAMES = tuple(CheckIn._meta.get_field(f).attname for f in BULK_FIELDS)
_TABLE, _PK = CheckIn._meta.db_table, CheckIn._meta.pk.column
_UUID, _SOURCE = (CheckIn._meta.get_field(f).column for f in ("client_uuid", "source"))
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
# JSON array of arrays, parsed once by the server as jsonb, rather than nine Python lists the
# driver adapts value by value); the rows inserted come back with their ids, and
# so do the UUIDs already stored (the statement's snapshot does not see its own inserts, so
# the join finds exactly the earlier rows).
_BULK_DATA = ", ".join(
    f"(e->>{n})::{type_} AS {column}"
    for n, (column, type_) in enumerate(zip(BULK_COLUMNS, BULK_TYPES, strict=True))
)
BULK_SQL_POSTGRESQL = (
    f"WITH data AS (SELECT {_BULK_DATA} FROM jsonb_array_elements(%s::jsonb) e), "  # noqa: S608
    f"inserted AS (INSERT INTO {_TABLE} ({', '.join(BULK_COLUMNS)}, {_SOURCE}) "
    f"SELECT *, 'batch' FROM data ON CONFLICT ({_UUID}) DO NOTHING RETURNING {_UUID}, {_PK}) "
    f"SELECT {_UUID}::text, {_PK}, true FROM inserted UNION ALL "
    f"SELECT c.{_UUID}::text, c.{_PK}, false FROM {_TABLE} c JOIN data d "
    f"ON c.{_UUID} = d.client_uuid "
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
            CheckIn(
                **dict(zip(BULK_ATTNAMES, v, strict=True)),
                source=Source.BATCH,
            )
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

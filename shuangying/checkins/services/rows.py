"""The two places that write check-ins one by one (the batch upload has its own bulk
statement): the insert and the usable-code insert. Table and column names come from the
model's ``_meta``."""

from __future__ import annotations

import functools

from django.db import connection
from django.utils import timezone

from shuangying.core.db import prepared_cursor, use_prepared
from shuangying.people.models import Person
from shuangying.places.tokens import USABLE_SQL

from ..models import CheckIn
from .common import CodeUnusable, UuidReused

# What a check-in reads of a person (other fields load on first use), in the model's field
# order, as ``Model.from_db`` takes them.
PERSON_FIELDS = tuple(
    f.name
    for f in Person._meta.concrete_fields
    if f.name in {"id", "name", "division", "is_verified", "phone_hash", "household"}
)

# Names from the model: a rename of a field changes the statements with it.
INSERT_FIELDS = (
    "checked_in_at",
    "place",
    "person",
    "client_uuid",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "travel_from",
    "companion_of",
    "source",
)
# What a resend must repeat to be the same submission.
SAME_SUBMISSION = (
    "place_id",
    "person_id",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "travel_from",
)


def checkin_table() -> str:
    return CheckIn._meta.db_table


def insert_columns() -> list[str]:
    return [CheckIn._meta.get_field(f).column for f in INSERT_FIELDS]


def db_type(field: str) -> str:
    return CheckIn._meta.get_field(field).cast_db_type(connection)


@functools.cache
def _insert_sql(usable: bool, typed: bool) -> str:
    """The insert; with ``usable``, written only while the place code is usable
    (``places.tokens.USABLE_SQL``): the public check-in checks its code where it writes.
    ``typed``: each value cast to its column's type, for PostgreSQL's server-side binding (a
    parameter in a SELECT list has no type to infer)."""
    columns = ", ".join(insert_columns())
    unique = CheckIn._meta.get_field("client_uuid").column
    tail = f"ON CONFLICT ({unique}) DO NOTHING RETURNING {CheckIn._meta.pk.column}"
    if not usable:
        values = ", ".join(["%s"] * len(INSERT_FIELDS))
        return f"INSERT INTO {checkin_table()} ({columns}) VALUES ({values}) {tail}"  # noqa: S608
    if typed:
        values = ", ".join(f"%s::{db_type(f)}" for f in INSERT_FIELDS)
    else:
        values = ", ".join(["%s"] * len(INSERT_FIELDS))
    return (
        f"INSERT INTO {checkin_table()} ({columns}) "  # noqa: S608 - names from _meta
        f"SELECT {values} WHERE {USABLE_SQL} {tail}"
    )


def insert_checkin(code_id: int | None = None, pin_time=False, **fields) -> tuple[CheckIn, bool]:
    """Insert one check-in, or find the row its UUID already made (a resend, or a concurrent
    duplicate that won the race on the unique index): one statement, ``INSERT … ON CONFLICT
    (client_uuid) DO NOTHING RETURNING id``, no savepoint. A stored row that is not the same
    submission raises UuidReused (``pin_time``: the time was given, and counts too)."""
    row = CheckIn(**fields)
    values = [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for field in (CheckIn._meta.get_field(f) for f in INSERT_FIELDS)
    ]
    if code_id is None:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(False, False), values)
            inserted = cursor.fetchone()
    else:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor() as cursor:
            cursor.execute(_insert_sql(True, use_prepared()), [*values, code_id, now])
            inserted = cursor.fetchone()
    if inserted is None:
        existing = CheckIn.objects.filter(client_uuid=row.client_uuid).first()
        if existing is None:  # only the usable-code insert writes nothing without a conflict
            raise CodeUnusable
        compared = SAME_SUBMISSION + (("checked_in_at",) if pin_time else ())
        if any(getattr(existing, f) != getattr(row, f) for f in compared):
            raise UuidReused
        return existing, False
    row.pk = inserted[0]
    row._state.adding = False
    return row, True

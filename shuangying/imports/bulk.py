"""Fast inserts for imports.

On PostgreSQL, ``COPY`` loads rows much faster than ``bulk_create``'s INSERT (figures in
docs/scaling.md, "Measured") and needs no model instances. The new
rows' ids are taken from the table's own sequence first, so that callers can link tags,
travel entries and household members to them. Elsewhere (SQLite in tests and ``make run``)
the same call goes through ``bulk_create``.

Callers pass every column the database needs (``auto_now`` fields included): COPY runs no
``pre_save``. Values go through each field's ``get_db_prep_save`` either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from shuangying.core.db import copy_rows

BATCH_SIZE = 2000


def insert_rows(model, fields: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table and return
    their new primary keys, in order. Must run inside the caller's transaction."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, fields, rows)
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return [obj.pk for obj in objects]


def _copy(model, fields: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    prep = [
        (lambda v, f=f: f.get_db_prep_save(v, connection)) if _needs_prep(f) else None
        for f in model_fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    copy_rows(
        model,
        [opts.pk, *model_fields],
        (
            (pk, *(p(v) if p else v for p, v in zip(prep, row, strict=True)))
            for pk, row in zip(ids, rows, strict=True)
        ),
    )
    return ids


def _needs_prep(field) -> bool:
    """Plain text, numbers, dates, booleans and foreign-key ids COPY as they are."""
    return field.get_internal_type() in {"JSONField", "DecimalField", "UUIDField"}

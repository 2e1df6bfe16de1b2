"""Database plumbing: prepared statements for the few statements every public request runs,
and the one bulk writer (COPY) for imports and demo data.

``prepared_cursor()`` is ``connection.cursor()`` except on PostgreSQL, where its statements are
prepared on the server once per connection and then only executed. Django binds parameters
on the client by default (it keeps connection poolers working), so PostgreSQL plans every
statement again on every request; for a join like the public check-in's lookup, planning
costs several times the execution. With ``CONN_MAX_AGE`` connections live across requests
and the plan is reused.

Only for hand-written statements with plain ``%s`` parameters: server-side binding sends
typed parameters, so a parameter whose type PostgreSQL cannot infer (a value in a SELECT
list) needs a cast in the SQL. Behind PgBouncer in transaction mode prepared statements need
PgBouncer ≥ 1.21 (``max_prepared_statements``); ``SHUANGYING_PREPARED_STATEMENTS=0`` turns
them off (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from operator import attrgetter

from django.conf import settings
from django.db import connection, models
from django.utils import timezone


def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


_cursor_class = None


def use_prepared() -> bool:
    return connection.vendor == "postgresql" and getattr(
        settings, "SHUANGYING_PREPARED_STATEMENTS", True
    )


def prepared_cursor():
    """A cursor (Django's wrapper: logged, counted, thread-checked like any other) whose
    statements PostgreSQL prepares once per connection. Use as a context manager."""
    global _cursor_class
    if not use_prepared():
        return connection.cursor()
    if _cursor_class is None:
        _cursor_class = _preparing_cursor_class()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns preparation off per connection (threshold None), which also refuses an
        # explicit prepare. Its own cursors bind on the client and never prepare whatever the
        # threshold, so a large one leaves them as they are and lets these prepare.
        raw.prepare_threshold = 2**31 - 1
    cursor = _cursor_class(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


# ---------------------------------------------------------------------------------------------
# Writing many rows at once (imports, demo and benchmark data)

# Fields whose Python value is already what the database driver takes.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
)


def copy_rows(model: type[models.Model], fields: Sequence[models.Field], rows: Iterable) -> None:
    """Write ``rows`` (values as the database takes them, in the order of ``fields``) into
    ``model``'s table: COPY on PostgreSQL, one ``executemany`` elsewhere. No signals, no
    ``pre_save``: callers pass every column the table needs. Runs in the caller's
    transaction. The one COPY helper: imports and the demo both write through it."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Table and column names come from the model, quoted; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
            cursor.executemany(sql, list(rows))


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT unsaved ``objs`` as ``bulk_create`` would (``auto_now`` fields stamped), without
    compiling SQL per row. The primary key is written when the objects carry one."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objs[0].pk is None)]
    now = timezone.now()
    getters = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = f.get_db_prep_save(now, connection)
            getters.append(lambda obj, stamp=stamp: stamp)
        elif isinstance(f, PLAIN_FIELDS):
            getters.append(attrgetter(f.attname))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(getattr(obj, f.attname), connection))
    copy_rows(model, fields, ([get(obj) for get in getters] for obj in objs))


@contextmanager
def sql_log_off():
    """With DEBUG on Django keeps every statement in ``connection.queries``: a million rows
    would fill memory and double the time. Management commands only."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug

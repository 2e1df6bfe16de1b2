"""Database helpers for the few statements every public request runs.

``prepared_cursor()`` is ``connection.cursor()`` except on PostgreSQL, where its statements are
prepared on the server once per connection and then only executed. Django binds parameters
on the client by default (it keeps connection poolers working), so PostgreSQL plans every
statement again on every request: for the public check-in's lookup, a three-table join,
planning took 0.23 ms against 0.05 ms of execution (EXPLAIN ANALYZE, warm connection, 1,000,000
persons). With ``CONN_MAX_AGE`` connections live across requests and the plan is reused.

Only for hand-written statements with plain ``%s`` parameters: server-side binding sends
typed parameters, so a parameter whose type PostgreSQL cannot infer (a value in a SELECT
list) needs a cast in the SQL. Behind PgBouncer in transaction mode prepared statements need
PgBouncer ≥ 1.21 (``max_prepared_statements``); ``SHUANGYING_PREPARED_STATEMENTS=0`` turns
them off (docs/operations.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection


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

"""Database work of an import on a thread of its own, so that parsing overlaps it.

An import alternates between Python (reading, checking, encrypting a batch of rows) and the
database (looking the batch up, COPYing it into tables with their indexes). On PostgreSQL the
second half runs in the server's own process; done in turn, the importing process waits idle
while the server works. ``DatabaseLane`` hands each batch's database work to one writer thread
that uses the caller's own connection — so it stays inside the caller's transaction — while the
caller parses the next batch (the wait on the server releases the GIL). Measured on the
100,000-row person ledger at 1,000,000 persons: see ``bench/bench_import.py``.

Every database call of the import goes through the lane, in order (the writer is the only
thread touching the connection while the lane is open). At most ``depth`` batches wait, so
memory stays bounded. A failure in the writer (an IntegrityError, say) stops the lane and is
raised in the caller at its next ``submit`` or at ``close``; the caller's ``atomic`` then rolls
everything back as before. On SQLite (tests, ``make run``) the work runs inline.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_STOP = object()


class DatabaseLane:
    def __init__(
        self, *, depth: int = 2, alias: str = DEFAULT_DB_ALIAS, threaded: bool | None = None
    ):
        self.alias = alias
        self.connection = connections[alias]
        if threaded is None:
            threaded = self.connection.vendor == "postgresql" and getattr(
                settings, "IMPORT_PIPELINE", True
            )
        self.threaded = threaded
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread: threading.Thread | None = None
        if self.threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=depth)
            self.connection.inc_thread_sharing()
            self.thread = threading.Thread(target=self._run, name="import-db", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        connections[self.alias] = self.connection  # the caller's connection, transaction and all
        while True:
            work = self.queue.get()
            if work is _STOP:
                return
            if self.error is None and not self.cancelled:
                try:
                    work()
                except BaseException as exc:  # handed to the caller, raised there
                    self.error = exc

    def submit(self, work: Callable[[], None]) -> None:
        if not self.threaded:
            work()
            return
        if self.error is not None:
            self._raise()
        self.queue.put(work)

    def close(self) -> None:
        """Wait for the queued work; raise the writer's failure if it had one."""
        if not self.threaded or self.thread is None:
            return
        self.queue.put(_STOP)
        self.thread.join()
        self.thread = None
        self.connection.dec_thread_sharing()
        if self.error is not None:
            self._raise()

    def _raise(self) -> None:
        error, self.error = self.error, None
        raise error

    def __enter__(self) -> DatabaseLane:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        # The caller failed: skip what is queued, wait for the writer to be idle (the
        # connection must be before the caller's transaction rolls back), keep the caller's
        # exception rather than the writer's.
        self.cancelled = True
        with contextlib.suppress(BaseException):
            self.close()

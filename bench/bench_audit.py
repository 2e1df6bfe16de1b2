"""Audit rows written per second (M2): one process, then 4 processes at once, each row in its
own transaction as a request writes it. The hash chain (audit/chain.py) is per shard so that
concurrent writers do not queue on one chain head.

Run against a scratch database (it is migrated first):
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/bench_audit.py
Baseline, same run: the single process."""

import multiprocessing as mp
import os
import time

from common import report, setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from shuangying.audit.models import AuditAction  # noqa: E402
from shuangying.audit.services import record_event  # noqa: E402

ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", "2000"))
PROCS = 4


def write(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            record_event(
                action=AuditAction.VIEW,
                object_type="person",
                object_id=i,
                summary="查看人员 基准测试",
                detail={"items": i, "fields": ["phone", "id_number"]},
            )


def child(n: int, start: float) -> None:
    connections.close_all()
    while time.time() < start:
        time.sleep(0.001)
    write(n)
    connections.close_all()


def rate(procs: int) -> float:
    per = ROWS // procs
    connections.close_all()
    start = time.time() + 0.5
    workers = [mp.Process(target=child, args=(per, start)) for _ in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        assert w.exitcode == 0
    return per * procs / (time.time() - start)


def main() -> None:
    call_command("migrate", verbosity=0)
    write(50)  # warm up: connection, statements, the chain heads
    one = rate(1)
    four = rate(PROCS)
    vendor = connections["default"].vendor
    report(
        f"audit rows/s on {vendor}, {PROCS} processes",
        f"{four:.0f}/s",
        f"{one:.0f}/s in one process",
        four / one,
        ">= 1x one process on PostgreSQL (SQLite serialises every write anyway)",
        four >= one or vendor != "postgresql",
    )


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()

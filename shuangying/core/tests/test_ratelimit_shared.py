"""Rate limits hold across server processes (issue 17): the counters of the settings that
`make run` and production use are shared, so 4 workers together pass the limit once, not 4x.
Each worker is a separate Python process counting against the same database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
WORKERS = 4
PER_WORKER = 50

WORKER = """
import os, sys, time
import django
django.setup()
from django.test import RequestFactory
from shuangying.core import ratelimit
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.005)
request = RequestFactory().get("/c/x", REMOTE_ADDR="203.0.113.9")
print(sum(ratelimit.allow(request, "checkin") for _ in range(int(sys.argv[2]))))
"""


def database_url(tmp_path) -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return f"sqlite:///{tmp_path / 'counters.sqlite3'}"


def env_for(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="shuangying.settings",
        DATABASE_URL=url,
        # One window for the whole run: a minute boundary mid-test would split the count.
        CHECKIN_RATE_WINDOW=str(10**9),
        CHECKIN_RATE_PER_ADDRESS="120",
    )
    return env


@pytest.mark.django_db(transaction=True)
def test_four_processes_share_one_limit(tmp_path):
    env = env_for(database_url(tmp_path))
    if connection.vendor != "postgresql":
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True
        )
    start = str(time.time() + 3)
    procs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, start, str(PER_WORKER)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    passed = sum(int(out.strip()) for out, _ in outputs)
    assert passed == 120, f"{passed} of {WORKERS * PER_WORKER} passed a limit of 120"


def test_migrate_makes_the_counter_table_that_make_run_uses(tmp_path):
    """`make run` and production count in the shared table, so a plain `migrate` of a fresh
    database must make it (a test database gets every cache table from Django's test runner
    anyway, so this migrates a database of its own)."""
    import sqlite3

    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    tables = {
        name
        for (name,) in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert "shuangying_counter" in tables


@pytest.mark.django_db(transaction=True)
def test_address_and_device_are_counted_in_one_statement(settings, rf):
    from django.core.cache import caches
    from django.test.utils import CaptureQueriesContext

    from shuangying.core import ratelimit

    store = caches["ratelimit"]
    assert store.count_many(["x", "y"], 60) == {"x": 1, "y": 1}
    assert store.count_many(["x", "y", "y"], 60) == {"x": 2, "y": 2}
    settings.RATE_LIMIT_CACHE = "ratelimit"
    settings.CHECKIN_RATE_PER_ADDRESS, settings.CHECKIN_RATE_PER_DEVICE = 100, 2
    request = rf.post("/api/checkins", REMOTE_ADDR="198.51.100.9")
    with CaptureQueriesContext(connection) as queries:
        answers = [ratelimit.allow(request, "checkin", device="phone-1") for _ in range(3)]
    assert answers == [True, True, False]  # the device's limit, counted with the address's
    inserts = [q for q in queries.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    assert len(inserts) == 3

"""`make bench`: every benchmark, each figure printed beside a baseline measured in the same run.

Runs against DATABASE_URL when it names PostgreSQL, otherwise in a throwaway PostgreSQL
cluster that this script starts and removes. BENCH_PERSONS sets the county's size
(default 1,000,000, as the issue asks); a smaller number gives a quick look. BENCH_ONLY
(e.g. "bench_lookup,bench_list") runs only the named benchmarks.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from pgcluster import throwaway_cluster

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORDER = [
    "bench_lookup.py",
    "bench_list.py",
    "bench_export.py",
    "bench_import.py",
    "bench_healthcode.py",
    "bench_checkin_throughput.py",
    "bench_checkin_batch.py",
    "bench_trajectory.py",
    "bench_supplies_report.py",
    "bench_supplies_concurrency.py",
]


def run_all(database_url: str) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "SHUANGYING_VAR_DIR": str(ROOT / "var" / "bench"),
    }
    persons = int(os.environ.get("BENCH_PERSONS", "1000000"))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    start = time.perf_counter()
    subprocess.run([*manage, "build_county", "--persons", str(persons)], env=env, check=True)
    print(
        f"built a county of {persons:,} persons in {time.perf_counter() - start:.0f} s", flush=True
    )
    # A county's database has been vacuumed and analysed by autovacuum long before anyone
    # measures it; a table filled a second ago has neither statistics nor a visibility map.
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        ],
        env=env,
        check=True,
    )
    failures = 0
    only = [n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()]
    for name in ORDER:
        if only and name.removesuffix(".py") not in only and name not in only:
            continue
        script = HERE / name
        if not script.exists():
            print(f"{name}: not present", flush=True)
            continue
        result = subprocess.run([sys.executable, str(script)], env=env, cwd=HERE)
        failures += result.returncode != 0
    return failures


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return run_all(url)
    with throwaway_cluster() as cluster_url:
        return run_all(cluster_url)


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: every benchmark, each figure printed beside a baseline measured in the same run.

Runs against DATABASE_URL when it names PostgreSQL, otherwise in a throwaway PostgreSQL
cluster that this script starts and removes. BENCH_PERSONS sets the county's size
(default 1,000,000, as the issue asks); a smaller number gives a quick look. BENCH_ONLY
(e.g. "bench_lookup,bench_list") runs only the named benchmarks.
"""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pgcluster import PG_BIN, throwaway_cluster

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
    "bench_lab_results.py",
    "bench_fever_scan.py",
]


def selected() -> list[str]:
    only = [n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()]
    return [n for n in ORDER if not only or n in only or n.removesuffix(".py") in only]


def needed_tools(names: list[str], *, own_cluster: bool) -> dict[str, tuple[str, str]]:
    """What the chosen benchmarks run besides Python: {tool: (path or name, Debian package)}."""
    tools = {}
    if "bench_checkin_throughput.py" in names:
        tools["wrk"] = ("wrk", "wrk")
    if own_cluster:
        tools["initdb"] = (str(PG_BIN / "initdb"), "postgresql")
    return tools


def apt_install(packages: list[str]) -> bool:
    """Install Debian packages as .ci/run does (as root, or through sudo without a prompt)."""
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = subprocess.run([*sudo, "apt-get", "install", "-y", "-q", *packages], env=env)
    if install.returncode == 0:
        return True
    update = subprocess.run([*sudo, "apt-get", "update", "-q"], env=env)
    if update.returncode != 0:
        return False
    return (
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", *packages], env=env).returncode
        == 0
    )


def present(tool: str) -> bool:
    return Path(tool).exists() if "/" in tool else shutil.which(tool) is not None


def preflight(
    tools: dict[str, tuple[str, str]],
    *,
    install: Callable[[list[str]], bool] = apt_install,
    is_present: Callable[[str], bool] = present,
) -> list[str]:
    """Install what is missing before the long run starts; return what is still missing."""
    missing = {name: pkg for name, (tool, pkg) in tools.items() if not is_present(tool)}
    if missing:
        print(f"安装基准测试所需的软件包：{' '.join(sorted(set(missing.values())))}", flush=True)
        install(sorted(set(missing.values())))
    return [
        f"{name}（Debian 软件包 {pkg}）"
        for name, pkg in missing.items()
        if not is_present(tools[name][0])
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
    for name in selected():
        script = HERE / name
        if not script.exists():
            print(f"{name}: not present", flush=True)
            continue
        result = subprocess.run([sys.executable, str(script)], env=env, cwd=HERE)
        failures += result.returncode != 0
    return failures


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    own_cluster = not url.startswith(("postgres://", "postgresql://"))
    tools = needed_tools(selected(), own_cluster=own_cluster)
    missing = preflight(tools, install=apt_install, is_present=present)
    if missing:
        print(
            f"缺少 {'、'.join(missing)}，且未能自动安装（需要 root 或免密码 sudo）："
            "请先安装后再运行 make bench。基准测试未开始。",
            file=sys.stderr,
        )
        return 2
    if not own_cluster:
        return run_all(url)
    with throwaway_cluster() as cluster_url:
        return run_all(cluster_url)


if __name__ == "__main__":
    sys.exit(main())

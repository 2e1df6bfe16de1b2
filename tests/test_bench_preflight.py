"""`make bench` checks for the programs it runs (wrk, PostgreSQL) before the long run starts:
it installs what is missing, and otherwise says so and stops before anything is measured."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_run():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_the_throughput_benchmark_needs_wrk_and_its_own_cluster_initdb(monkeypatch):
    run = load_run()
    monkeypatch.delenv("BENCH_ONLY", raising=False)
    tools = run.needed_tools(run.selected(), own_cluster=True)
    assert tools["wrk"] == ("wrk", "wrk") and tools["initdb"][1] == "postgresql"
    monkeypatch.setenv("BENCH_ONLY", "bench_lookup")
    assert run.needed_tools(run.selected(), own_cluster=False) == {}


def test_missing_tools_are_installed_first():
    run = load_run()
    installed = set()
    missing = run.preflight(
        {"wrk": ("wrk", "wrk")},
        install=lambda pkgs: installed.update(pkgs) or True,
        is_present=lambda tool: tool in installed,
    )
    assert installed == {"wrk"} and missing == []


def test_a_tool_that_cannot_be_installed_stops_the_run_before_it_starts(monkeypatch, capsys):
    run = load_run()
    monkeypatch.setenv("DATABASE_URL", "postgres://x@127.0.0.1:1/x")
    monkeypatch.delenv("BENCH_ONLY", raising=False)
    monkeypatch.setattr(run, "apt_install", lambda pkgs: False)
    monkeypatch.setattr(run, "present", lambda tool: False)
    started = []
    monkeypatch.setattr(run, "run_all", lambda url: started.append(url) or 0)
    assert run.main() == 2
    assert started == []
    assert "wrk" in capsys.readouterr().err


def test_every_benchmark_runs_in_make_bench():
    """A benchmark left out of run.ORDER is never run by `make bench` nor by CI's small-size
    pass; bench_audit alone runs by hand (it migrates a scratch database of its own)."""
    run = load_run()
    scripts = {p.name for p in BENCH.glob("bench_*.py")}
    assert scripts - set(run.ORDER) == {"bench_audit.py"}
    assert set(run.ORDER) <= scripts

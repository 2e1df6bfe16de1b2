"""`.ci/run`: valid bash, strict mode, and a failing `make test` (pytest's exit 5, "no tests
ran", included) fails the run. The CI=true branch (apt, PostgreSQL, Chromium) is exercised by
running the script itself, not here."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "run"


def test_script_is_executable_strict_bash():
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
    text = SCRIPT.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


@pytest.mark.parametrize("status", [0, 1, 5])
def test_exit_status_of_make_test_is_the_run_status(tmp_path, status):
    """`make check` runs first and passes here; `make test`'s status is the run's."""
    fake_make = tmp_path / "make"
    fake_make.write_text(
        f'#!/bin/sh\necho "make $*" >> "{tmp_path}/calls"\n'
        f'[ "$1" = check ] && exit 0\nexit {status}\n'
    )
    fake_make.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{tmp_path}:{env['PATH']}"
    result = subprocess.run([str(SCRIPT)], env=env, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == status
    assert (tmp_path / "calls").read_text() == "make check\nmake test\n"


def test_a_failing_check_stops_the_run_before_the_tests(tmp_path):
    fake_make = tmp_path / "make"
    fake_make.write_text(f'#!/bin/sh\necho "make $*" >> "{tmp_path}/calls"\nexit 2\n')
    fake_make.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{tmp_path}:{env['PATH']}"
    result = subprocess.run([str(SCRIPT)], env=env, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 2
    assert (tmp_path / "calls").read_text() == "make check\n"

"""`make run` serves the demo with DEBUG off and the demo switch on; `make dev` keeps DEBUG.

The Makefile runs against a fake interpreter that records the environment it was given."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_bin(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    python = bin_dir / "python"
    python.write_text(
        f'#!/bin/sh\necho "DEBUG=$DEBUG DEMO=$SHUANGYING_DEMO $*" >> "{calls}"\nexit 0\n'
    )
    python.chmod(0o755)
    (bin_dir / ".installed").touch()
    dpkg = tmp_path / "dpkg"  # the fonts are "installed": no apt-get from a test
    dpkg.write_text("#!/bin/sh\nexit 0\n")
    dpkg.chmod(0o755)
    return bin_dir, calls


def run_make(target, fake_bin):
    if not shutil.which("make"):
        pytest.skip("no make")
    bin_dir, calls = fake_bin
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SHUANGYING_DEMO"}}
    env["PATH"] = f"{bin_dir.parent}:{env['PATH']}"
    subprocess.run(
        ["make", "-s", target, f"BIN={bin_dir}"], cwd=ROOT, env=env, check=True, timeout=60
    )
    return calls.read_text().splitlines()


def test_make_run_serves_with_debug_off_and_the_demo_on(fake_bin):
    lines = run_make("run", fake_bin)
    server = [line for line in lines if "runserver" in line]
    assert server and all(line.startswith("DEBUG=0 DEMO=1 ") for line in lines)
    assert "--noreload" in server[0]
    assert any("load_demo" in line for line in lines)


def test_make_dev_keeps_debug_for_developers(fake_bin):
    lines = run_make("dev", fake_bin)
    assert any("runserver" in line for line in lines)
    assert all(line.startswith("DEBUG=1 DEMO=1 ") for line in lines)

"""Production settings: `manage.py check --deploy` is clean, and the server refuses to start
with a missing or development secret. Each case runs manage.py in a fresh process, because
settings are read once per process."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **overrides) -> dict[str, str]:
    # Only what a process needs to run: nothing of the test run's own environment (DEBUG,
    # DATABASE_URL, DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests …) leaks in.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="shuangying.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        SHUANGYING_DATA_KEYS="k2026:" + base64.b64encode(os.urandom(32)).decode(),
        SHUANGYING_HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="shuangying.example.gov.cn",
        SHUANGYING_PUBLIC_BASE_URL="https://shuangying.example.gov.cn",
        SHUANGYING_VAR_DIR=str(tmp_path),
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output
    assert "WARNINGS" not in output


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-but-set"}, "SECRET_KEY must be at least 50"),
        (
            {"SECRET_KEY": "dev-only-insecure-secret-key-change-me-0123456789abcdef"},
            "public development value",
        ),
        ({"SHUANGYING_DATA_KEYS": None}, "SHUANGYING_DATA_KEYS must be set"),
        (
            {"SHUANGYING_DATA_KEYS": "dev1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="},
            "development value",
        ),
        ({"SHUANGYING_HASH_KEY": None}, "SHUANGYING_HASH_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": "*"}, "wildcard"),
        ({"ALLOWED_HOSTS": "shuangying.example.gov.cn,*"}, "wildcard"),
        ({"SHUANGYING_DEMO": "1"}, "SHUANGYING_DEMO must not be on"),
        ({"SHUANGYING_PUBLIC_BASE_URL": None}, "SHUANGYING_PUBLIC_BASE_URL must be set"),
        ({"SHUANGYING_PUBLIC_BASE_URL": "sy.example.gov.cn"}, "must be an absolute URL"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(tmp_path, overrides, message):
    result = manage(production_env(tmp_path, **overrides), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_are_strict(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SHUANGYING_DEMO, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.PASSWORD_HASHERS[0].rsplit('.', 1)[-1])"
    )
    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "True",
        "True",
        "True",
        "Argon2PasswordHasher",
    ]

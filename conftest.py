"""Shared fixtures: a small county and persona users for every role (STYLE: Healthchecks).

county 130682 ── town1 (130682100) ── village1 (…201) ── grid1a, grid1b
             └─ town2 (130682101) ── village2 (…201) ── grid2a
"""

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the configured hasher (tested in accounts); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _codes_reckon_from_today(settings):
    # Tests date their events themselves; the demo's as-of day is on only where a test says so.
    settings.SHUANGYING_DEMO_AS_OF = None


@pytest.fixture(autouse=True)
def _fresh_ruleset_cache():
    """The health-code engine caches the day's compiled rule set per process (a few seconds);
    every test starts without it, since each test's database is its own."""
    from shuangying.healthcodes.engine import forget_rulesets

    forget_rulesets()
    yield
    forget_rulesets()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Tests count rate limits in the process's LocMem cache, emptied before each test, so a
    test's count never depends on what ran before it (and tests without the database can
    count). The shared database counter has its own tests (core/tests/test_ratelimit_shared)."""
    from shuangying.core.ratelimit import cache

    settings.RATE_LIMIT_CACHE = "default"
    cache().clear()


@pytest.fixture
def county(db):
    from shuangying.testing import build_small_county

    return build_small_county()


@pytest.fixture
def personas(county):
    from shuangying.testing import build_personas

    return build_personas(county)


@pytest.fixture
def people(county):
    from shuangying.testing import build_people

    return build_people(county)


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"

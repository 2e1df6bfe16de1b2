"""What a newcomer meets (issue 16): every page reachable from the menu, as every demo role,
in a small demo county. No link leads to 403, 404 or 500 (the viewer is shown only what they
may open), and no page speaks English outside codes, units and brand names."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from shuangying.accounts.models import User
from shuangying.testing import login

from .crawl import ASCII_PUNCT_IN_CHINESE, BARE_BIG_NUMBER, NOT_SCANNED, crawl_as, english_words

# The mark makes pytest-django create the test database; the crawl itself runs in the
# module fixture below, in its own transaction.
pytestmark = pytest.mark.django_db

ROLES = (
    "county",
    "town1",
    "village1",
    "grid1a",
    "dept",
    "supplies",
    "checkpoint",
    "cdc",
    "lab",
    "pharmacy",
    "enterprise",
    "auditor",
    "admin",
    "security",
)


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker):
    """Load the demo once, crawl as every role, roll everything back."""
    visits = []
    with (
        django_db_blocker.unblock(),
        override_settings(
            SHUANGYING_DEMO=True,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        call_command("load_demo", persons=300, stdout=None)  # every app's demo, in layer order
        for role in ROLES:
            client = Client()
            login(client, User.objects.get(username=role))
            visits.extend(crawl_as(role, client))
        transaction.set_rollback(True)
    return visits


def test_the_crawl_reaches_every_role_s_pages(crawl):
    for role in ROLES:
        assert len([v for v in crawl if v.role == role]) > 3, role


def test_no_link_leads_to_an_error_page(crawl):
    broken = [
        f"{v.role}: {v.url} -> {v.status} (linked from {v.source})"
        for v in crawl
        if v.status in (403, 404, 405) or v.status >= 500
    ]
    assert not broken, "\n".join(broken)


def test_no_english_inside_the_chinese_ui(crawl):
    found = {}
    for visit in crawl:
        if visit.url.split("?")[0] in NOT_SCANNED:
            continue
        for text in visit.texts:
            for word in english_words(text):
                found.setdefault(word, f"{visit.url} ({visit.role}): {text[:80]}")
    assert not found, "\n".join(f"{word}: {where}" for word, where in sorted(found.items()))


def test_form_labels_carry_no_trailing_colon(crawl):
    # Labels sit above their fields, so none ends in a colon (half- or full-width).
    found = {
        label: f"{v.url} ({v.role})"
        for v in crawl
        for label in v.labels
        if label.endswith((":", "："))
    }
    assert not found, "\n".join(f"{label!r}: {where}" for label, where in sorted(found.items()))


def test_chinese_text_uses_chinese_punctuation(crawl):
    found = {}
    for visit in crawl:
        if visit.url.split("?")[0] in NOT_SCANNED:
            continue
        for text in visit.texts:
            if ASCII_PUNCT_IN_CHINESE.search(text):
                found.setdefault(text[:60], f"{visit.url} ({visit.role})")
    assert not found, "\n".join(f"{text!r}: {where}" for text, where in sorted(found.items()))


def test_large_numbers_carry_thousands_separators(crawl):
    found = {}
    for visit in crawl:
        for text in visit.texts:
            if BARE_BIG_NUMBER.search(text):
                found.setdefault(text[:60], f"{visit.url} ({visit.role})")
    assert not found, "\n".join(f"{text!r}: {where}" for text, where in sorted(found.items()))

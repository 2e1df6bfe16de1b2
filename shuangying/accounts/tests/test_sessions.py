"""Session limits: 30 minutes idle, 12 hours absolute, and changes to a user's access
(roles, divisions, department, the active flag) end their live sessions."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shuangying.accounts import services
from shuangying.testing import login

from .helpers import password_login

pytestmark = pytest.mark.django_db


class Clock:
    """Moves both clocks the session code reads: timezone.now (database session expiry) and
    time.time (the absolute limit in SessionLimitsMiddleware)."""

    def __init__(self):
        self.offset = timedelta()
        real_now, real_time = timezone.now, time.time
        self._patches = [
            mock.patch("django.utils.timezone.now", lambda: real_now() + self.offset),
            mock.patch("time.time", lambda: real_time() + self.offset.total_seconds()),
        ]

    def __enter__(self):
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in self._patches:
            p.stop()

    def advance(self, **kwargs):
        self.offset += timedelta(**kwargs)


def is_logged_in(client) -> bool:
    response = client.get(reverse("dashboard:home"))
    return response.status_code == 200


def test_settings_give_30_minutes_idle_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_idle_session_expires_after_30_minutes(client, personas):
    with Clock() as clock:
        password_login(client, "grid1a")
        assert is_logged_in(client)
        clock.advance(minutes=29)
        assert is_logged_in(client)  # activity renews the 30 minutes
        clock.advance(minutes=29)
        assert is_logged_in(client)
        clock.advance(minutes=31)
        response = client.get(reverse("dashboard:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_active_session_ends_after_12_hours(client, personas):
    with Clock() as clock:
        password_login(client, "grid1a")
        assert is_logged_in(client)
        elapsed = timedelta()
        while elapsed < timedelta(hours=11, minutes=40):
            clock.advance(minutes=20)
            elapsed += timedelta(minutes=20)
            assert is_logged_in(client), f"logged out early at {elapsed}"
        clock.advance(minutes=25)  # 12:05 since login, 25 minutes idle
        response = client.get(reverse("dashboard:home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login") + "?expired=1"
        login_page = client.get(response["Location"]).content.decode()
        assert "会话已超过 12 小时" in login_page
        assert not is_logged_in(client)


@pytest.mark.parametrize(
    "change",
    [
        lambda p, c: services.set_user_roles(
            actor=p["security"], user=p["grid1a"], roles=["village_officer"]
        ),
        lambda p, c: services.set_user_divisions(
            actor=p["admin"], user=p["grid1a"], divisions=[c.grid1b]
        ),
        lambda p, c: services.update_user(
            actor=p["admin"], user=p["grid1a"], full_name="改名", department=c.health
        ),
        lambda p, c: services.deactivate_user(actor=p["admin"], user=p["grid1a"]),
        lambda p, c: services.reset_user_totp(actor=p["security"], user=p["grid1a"]),
    ],
    ids=["roles", "divisions", "department", "deactivate", "totp-reset"],
)
def test_access_change_ends_live_sessions_at_next_request(client, personas, county, change):
    login(client, personas["grid1a"])
    assert is_logged_in(client)
    from shuangying.accounts.models import User

    change(personas, county)
    personas["grid1a"] = User.objects.get(pk=personas["grid1a"].pk)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_renaming_alone_keeps_the_session(client, personas):
    login(client, personas["grid1a"])
    services.update_user(
        actor=personas["admin"], user=personas["grid1a"], full_name="新名字", department=None
    )
    assert is_logged_in(client)


def test_role_change_through_the_security_admin_page_ends_the_session(client, personas):
    from django.test import Client

    from shuangying.testing import login as force_login

    login(client, personas["grid1a"])
    security = Client()
    force_login(security, personas["security"])
    response = security.post(
        reverse("accounts:user_roles", args=[personas["grid1a"].pk]),
        {"roles": ["township_officer"], "reason": "调任镇里"},
    )
    assert response.status_code == 302
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

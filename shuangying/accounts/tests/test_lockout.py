"""Login lockout behind the proxy and the per-account cap across addresses (throttle.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.urls import reverse

from shuangying.accounts import throttle
from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.testing import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER, COMMANDER = "203.0.113.5", "198.51.100.7"


def attempt(client, username, password, *, peer, forwarded=""):
    extra = {"REMOTE_ADDR": peer}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def logged_in(response) -> bool:
    # The commander owes a second factor: a good password leads to the two-factor setup.
    return response.status_code == 302 and "/accounts/2fa/" in response["Location"]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def test_five_failures_through_the_proxy_lock_the_attacker_not_the_commander(
    client, personas, behind_proxy
):
    for _ in range(5):
        attempt(client, "county", "wrong-password-123", peer=PROXY, forwarded=ATTACKER)
    refused = attempt(client, "county", PASSWORD, peer=PROXY, forwarded=ATTACKER)
    assert refused.status_code == 429

    other = client.__class__()
    assert logged_in(attempt(other, "county", PASSWORD, peer=PROXY, forwarded=COMMANDER))


def test_an_untrusted_peer_cannot_choose_its_address(client, personas, behind_proxy):
    # Not a trusted proxy: X-Forwarded-For is ignored, so rotating it neither spreads the
    # failures onto the commander's address nor escapes the lock of the real peer.
    for i in range(5):
        attempt(client, "county", "wrong-password-123", peer=ATTACKER, forwarded=f"198.51.100.{i}")
    assert (
        attempt(client, "county", PASSWORD, peer=ATTACKER, forwarded=COMMANDER).status_code == 429
    )

    other = client.__class__()
    assert logged_in(attempt(other, "county", PASSWORD, peer=PROXY, forwarded=COMMANDER))
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def age_failures(seconds):
    for failure in AccessFailureLog.objects.all():
        AccessFailureLog.objects.filter(pk=failure.pk).update(
            attempt_time=failure.attempt_time - timedelta(seconds=seconds)
        )


def fail_from_many_addresses(client, username, count):
    """``count`` failures, each from its own address, each after the delay the previous one
    set has passed (as a patient attacker would)."""
    for i in range(count):
        age_failures(throttle.delay_after(i).total_seconds())
        response = attempt(client, username, "wrong-password-123", peer=f"192.0.2.{i + 1}")
        assert response.status_code == 200
    assert AccessFailureLog.objects.count() == count


def test_many_addresses_delay_the_account_instead_of_locking_it(client, personas, settings):
    settings.LOGIN_ACCOUNT_FREE_FAILURES = 10
    fail_from_many_addresses(client, "county", 12)  # one failure per address: axes never locks

    # Two over the allowance: a 4-second delay, even with the right password, from anywhere.
    response = attempt(client, "county", PASSWORD, peer="192.0.2.200")
    assert response.status_code == 200 and not logged_in(response)
    assert "秒后再试" in response.content.decode()
    # Refused before the password check: not counted as a failure.
    assert AccessFailureLog.objects.count() == 12
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("pk")
    assert event.detail["throttled"] is True

    # Once the delay has passed the right password gets in.
    age_failures(5)
    assert logged_in(attempt(client, "county", PASSWORD, peer="192.0.2.200"))


def test_the_delay_doubles_with_each_failure_up_to_the_cap(settings):
    settings.LOGIN_ACCOUNT_FREE_FAILURES = 10
    settings.LOGIN_ACCOUNT_DELAY_MAX = timedelta(minutes=2)
    assert throttle.delay_after(9) == timedelta(0)
    assert [throttle.delay_after(n).total_seconds() for n in (10, 11, 12, 13)] == [1, 2, 4, 8]
    assert throttle.delay_after(40) == timedelta(minutes=2)
    assert throttle.delay_after(10_000) == timedelta(minutes=2)


def test_failures_older_than_the_window_do_not_count(client, personas, settings):
    settings.LOGIN_ACCOUNT_FREE_FAILURES = 3
    fail_from_many_addresses(client, "county", 5)
    assert throttle.seconds_to_wait("county") > 0
    age_failures(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
    assert throttle.seconds_to_wait("county") == 0


def test_the_token_endpoint_honours_the_account_delay(client, personas, settings):
    settings.LOGIN_ACCOUNT_FREE_FAILURES = 3
    fail_from_many_addresses(client, "grid1a", 4)
    response = client.post(
        "/api/auth/token",
        {"username": "grid1a", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.250",
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "account_throttled" and "秒后再试" in body["message"]
    assert AccessFailureLog.objects.count() == 4


def test_the_lockout_page_lists_delayed_accounts_and_unlock_clears_the_delay(
    client, personas, settings
):
    from shuangying.testing import login

    settings.LOGIN_ACCOUNT_FREE_FAILURES = 3
    fail_from_many_addresses(client, "grid1a", 4)
    assert throttle.seconds_to_wait("grid1a") > 0
    login(client, personas["security"])
    html = client.get(reverse("accounts:lockout_list")).content.decode()
    assert "账户级延迟" in html and "grid1a" in html
    client.post(reverse("accounts:user_unlock"), {"username": "grid1a", "from": "lockouts"})
    assert throttle.seconds_to_wait("grid1a") == 0
    html = client.get(reverse("accounts:lockout_list")).content.decode()
    assert "当前没有处于延迟中的账户" in html

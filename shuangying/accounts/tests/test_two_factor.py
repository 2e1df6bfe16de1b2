"""TOTP two-factor: enrolment with an encrypted secret and an inline SVG QR, the verify step
after the password, required roles, demo accounts, wrong-code lockout, no code reuse."""

import time
from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from shuangying.accounts import services, two_factor
from shuangying.accounts.middleware import OTP_VERIFIED
from shuangying.accounts.models import User
from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.core.crypto import decrypt
from shuangying.testing import PASSWORD, make_user

from .helpers import enrol_totp, password_login

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_required_role_is_sent_to_setup_after_password(client, personas):
    response = password_login(client, "county")
    assert response["Location"].startswith(reverse("accounts:totp_setup"))
    # Nothing else is reachable before enrolment.
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp_setup"))
    assert "next=%2Fpeople%2F" in response["Location"]


@pytest.mark.parametrize("persona", ["county", "admin", "security", "auditor"])
def test_every_required_role_must_enrol(client, personas, persona):
    password_login(client, persona)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp_setup"))


def test_optional_for_other_roles(client, personas):
    password_login(client, "grid1a")
    assert client.get(reverse("dashboard:home")).status_code == 200
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "两步验证" in html and reverse("accounts:totp_setup") in html


def test_setup_page_shows_svg_qr_and_secret_stored_encrypted(client, personas):
    password_login(client, "county")
    response = client.get(reverse("accounts:totp_setup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<path" in html
    user = fresh(personas["county"])
    secret = decrypt(user.totp_secret, context="user.totp")
    assert secret not in user.totp_secret
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in html
    # Reloading keeps the same secret (the phone may already have scanned it).
    client.get(reverse("accounts:totp_setup"))
    assert decrypt(fresh(user).totp_secret, context="user.totp") == secret
    assert user.totp_confirmed_at is None


def test_setup_confirms_with_a_code_and_unlocks_the_site(client, personas):
    password_login(client, "county", next_url=reverse("people:person_list"))
    client.get(reverse("accounts:totp_setup"))
    secret = decrypt(fresh(personas["county"]).totp_secret, context="user.totp")
    url = reverse("accounts:totp_setup") + "?next=/people/"
    response = client.post(
        url, {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}
    )
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    response = client.post(url, {"code": pyotp.TOTP(secret).now(), "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert fresh(personas["county"]).totp_confirmed_at is not None
    assert client.session[OTP_VERIFIED] is True
    assert client.get(reverse("people:person_list")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SECURITY, summary="绑定两步验证").exists()


def test_renew_generates_a_new_secret(client, personas):
    password_login(client, "county")
    client.get(reverse("accounts:totp_setup"))
    first = decrypt(fresh(personas["county"]).totp_secret, context="user.totp")
    client.post(reverse("accounts:totp_setup"), {"renew": "1"})
    assert decrypt(fresh(personas["county"]).totp_secret, context="user.totp") != first


def test_enrolled_user_must_verify_after_password(client, personas):
    totp = enrol_totp(personas["grid1a"])
    response = password_login(client, "grid1a")
    assert response["Location"].startswith(reverse("accounts:totp_verify"))
    assert client.get(reverse("dashboard:home")).status_code == 302
    page = client.get(reverse("accounts:totp_verify"))
    assert "6 位验证码" in page.content.decode()
    response = client.post(reverse("accounts:totp_verify"), {"code": totp.now(), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_setup_page_cannot_rebind_an_enrolled_account_before_verification(client, personas):
    enrol_totp(personas["grid1a"])
    password_login(client, "grid1a")
    response = client.get(reverse("accounts:totp_setup"))
    assert response["Location"].startswith(reverse("accounts:totp_verify"))
    response = client.post(reverse("accounts:totp_setup"), {"renew": "1"})
    assert response["Location"].startswith(reverse("accounts:totp_verify"))


def test_the_same_code_cannot_be_used_twice(client, personas):
    totp = enrol_totp(personas["grid1a"])
    code = totp.now()
    password_login(client, "grid1a")
    assert client.post(reverse("accounts:totp_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client, "grid1a")
    response = client.post(reverse("accounts:totp_verify"), {"code": code})
    assert response.status_code == 400
    assert "已经使用过" in response.content.decode()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_an_older_code_is_refused_after_a_newer_one(personas):
    user = personas["grid1a"]
    totp = enrol_totp(user)
    now = time.time()
    assert two_factor.verify_totp(user=user, code=totp.at(now + 30)).ok
    assert not two_factor.verify_totp(user=user, code=totp.at(now)).ok


def test_codes_from_the_neighbouring_time_step_are_accepted(personas):
    user = personas["grid1a"]
    totp = enrol_totp(user)
    assert two_factor.verify_totp(user=user, code=totp.at(time.time() - 30)).ok
    assert not two_factor.verify_totp(user=user, code=totp.at(time.time() - 120)).ok


def test_five_wrong_codes_lock_two_factor_for_15_minutes(client, personas):
    user = personas["grid1a"]
    totp = enrol_totp(user)
    password_login(client, "grid1a")
    wrong = "000000" if totp.now() != "000000" else "111111"
    for _ in range(4):
        assert client.post(reverse("accounts:totp_verify"), {"code": wrong}).status_code == 400
    response = client.post(reverse("accounts:totp_verify"), {"code": wrong})
    assert response.status_code == 429
    assert "错误次数过多" in response.content.decode()
    locked_until = fresh(user).totp_locked_until
    assert timedelta(minutes=14) < locked_until - timezone.now() <= timedelta(minutes=15)

    # The right code is refused while locked, and logging in again does not reset the count.
    assert client.post(reverse("accounts:totp_verify"), {"code": totp.now()}).status_code == 429
    client.post(reverse("accounts:logout"))
    password_login(client, "grid1a")
    assert client.post(reverse("accounts:totp_verify"), {"code": totp.now()}).status_code == 429
    assert AuditEvent.objects.filter(summary="两步验证错误次数过多，已锁定").count() == 1

    # After the lock expires the right code works.
    User.objects.filter(pk=user.pk).update(totp_locked_until=timezone.now() - timedelta(seconds=1))
    assert client.post(reverse("accounts:totp_verify"), {"code": totp.now()}).status_code == 302


@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567", "12 34 5x"])
def test_malformed_codes_get_a_chinese_error_not_a_500(client, personas, bad):
    enrol_totp(personas["grid1a"])
    password_login(client, "grid1a")
    response = client.post(reverse("accounts:totp_verify"), {"code": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请输入验证码" in html or "验证码不正确" in html


def test_code_with_spaces_is_accepted(client, personas):
    totp = enrol_totp(personas["grid1a"])
    password_login(client, "grid1a")
    code = totp.now()
    assert (
        client.post(reverse("accounts:totp_verify"), {"code": f"{code[:3]} {code[3:]}"}).status_code
        == 302
    )


def test_demo_users_skip_only_in_demo_mode(client, county, settings):
    make_user("demo-auditor", "auditor", is_demo=True)
    settings.SHUANGYING_DEMO = True
    password_login(client, "demo-auditor")
    assert client.get(reverse("audit:event_list")).status_code == 200
    client.post(reverse("accounts:logout"))

    settings.SHUANGYING_DEMO = False
    password_login(client, "demo-auditor")
    response = client.get(reverse("audit:event_list"))
    assert response["Location"].startswith(reverse("accounts:totp_setup"))


def test_remove_own_totp_needs_password(client, personas):
    from shuangying.testing import login

    user = personas["grid1a"]
    enrol_totp(user)
    login(client, fresh(user))
    response = client.post(reverse("accounts:totp_remove"), {"password": "wrong"})
    assert response.status_code == 400 and "密码不正确" in response.content.decode()
    response = client.post(reverse("accounts:totp_remove"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:profile")
    assert fresh(user).totp_confirmed_at is None and fresh(user).totp_secret == ""
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_required_role_removing_totp_must_enrol_again(client, personas):
    from shuangying.testing import login

    user = personas["county"]
    enrol_totp(user)
    login(client, fresh(user))
    response = client.post(reverse("accounts:totp_remove"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:totp_setup")
    assert client.get(reverse("dashboard:home"))["Location"].startswith(
        reverse("accounts:totp_setup")
    )


def test_security_admin_resets_a_lost_authenticator(client, personas):
    from shuangying.testing import login

    target = personas["county"]
    enrol_totp(target)
    login(client, personas["security"])
    response = client.post(
        reverse("accounts:user_totp_reset", args=[target.pk]), {"reason": "手机丢失"}
    )
    assert response.status_code == 302
    assert fresh(target).totp_confirmed_at is None
    event = AuditEvent.objects.get(summary__startswith="重置用户")
    assert event.reason == "手机丢失" and event.user_id == personas["security"].pk


def test_role_becoming_required_forces_enrolment(client, personas):
    user = personas["grid1a"]
    services.set_user_roles(actor=personas["security"], user=user, roles=["auditor"])
    password_login(client, "grid1a")
    assert client.get(reverse("dashboard:home"))["Location"].startswith(
        reverse("accounts:totp_setup")
    )


def test_two_factor_groups_come_from_settings(settings, personas):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["grid_worker"]
    assert fresh(personas["grid1a"]).needs_two_factor
    assert not fresh(personas["county"]).needs_two_factor
    assert Group.objects.filter(name="grid_worker").exists()

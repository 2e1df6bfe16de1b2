"""Login security: lockout by username + address (django-axes), Chinese pages, audit."""

import pytest
from django.urls import reverse

from shuangying.audit.models import AuditAction, AuditEvent

from .helpers import password_login

pytestmark = pytest.mark.django_db

IP1, IP2 = "10.1.1.1", "10.2.2.2"


def fail(client, username, ip, times=1):
    for _ in range(times):
        response = password_login(client, username, "wrong-password-123", ip=ip)
    return response


def test_login_page_is_chinese(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "登录双赢指挥系统" in html and "用户名" in html and "密码" in html


def test_wrong_password_shows_chinese_error_and_is_audited(client, personas):
    response = fail(client, "grid1a", IP1)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.object_id == str(personas["grid1a"].pk)
    assert event.ip_address == IP1
    assert "grid1a" in event.summary


def test_successful_login_is_audited_and_lands_home(client, personas):
    response = password_login(client, "grid1a", ip=IP1)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.user_id == personas["grid1a"].pk and event.ip_address == IP1
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_logout_is_audited(client, personas):
    password_login(client, "grid1a")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGOUT, user_id=personas["grid1a"].pk
    ).exists()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_five_failures_lock_that_user_from_that_address_only(client, personas):
    fail(client, "grid1a", IP1, times=4)
    response = fail(client, "grid1a", IP1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂时锁定" in html and "15 分钟" in html

    # Even the right password is refused from IP1 during the cool-off.
    response = password_login(client, "grid1a", ip=IP1)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    # The same user from another address is not locked out.
    response = password_login(client, "grid1a", ip=IP2)
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))

    # A colleague behind the same NAT address is not locked out either.
    response = password_login(client, "grid1b", ip=IP1)
    assert response.status_code == 302

    locked = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__locked=True)
    assert locked.exists()


def test_lockout_lifts_after_cool_off(client, personas, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    fail(client, "grid1a", IP1, times=5)
    assert password_login(client, "grid1a", ip=IP1).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert password_login(client, "grid1a", ip=IP1).status_code == 302


def test_inactive_user_cannot_log_in(client, personas):
    personas["grid1a"].is_active = False
    personas["grid1a"].save()
    response = password_login(client, "grid1a")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_with_next_keeps_destination_through_two_factor(client, personas):
    response = password_login(client, "county", next_url=reverse("people:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp_setup"))
    assert "next=%2Fpeople%2F" in response["Location"]


def test_login_refuses_offsite_next(client, personas):
    response = password_login(client, "grid1a", next_url="https://evil.example.com/")
    assert response["Location"] == reverse("dashboard:home")


# --- NUL and control characters ---------------------------------------------------------------


@pytest.mark.parametrize(("field", "label"), [("username", "用户名"), ("password", "密码")])
def test_login_form_refuses_nul_naming_the_field(client, personas, field, label):
    data = {"username": "grid1a", "password": "wrong-password-123"}
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    response = client.post(reverse("accounts:login"), data, REMOTE_ADDR=IP1)
    # Refused at the edge (guards.py) before the form is read: a Chinese 400 naming the field,
    # no failed login counted, nothing with a NUL written anywhere.
    assert response.status_code == 400
    assert f"{label}：含有不允许的控制字符" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
    assert all("\x00" not in e.summary for e in AuditEvent.objects.all())


def test_login_form_refuses_other_control_characters(client, personas):
    response = client.post(
        reverse("accounts:login"),
        {"username": "grid\x1b1a", "password": "wrong-password-123"},
        REMOTE_ADDR=IP1,
    )
    assert response.status_code == 400 and "控制字符" in response.content.decode()


def test_account_forms_refuse_nul_in_every_text_field(county):
    from shuangying.accounts.forms import ReasonForm, UserCreateForm

    form = UserCreateForm(
        data={
            "username": "new\x00user",
            "full_name": "张\x00三",
            "password1": "Spring-Rice-Field-2020",
            "password2": "Spring-Rice-Field-2020",
        }
    )
    assert not form.is_valid()
    assert "用户名不能含有空字符或控制字符。" in form.errors["username"]
    assert "姓名不能含有空字符或控制字符。" in form.errors["full_name"]
    reason = ReasonForm(data={"reason": "误\x07操作"})
    assert not reason.is_valid()
    assert reason.errors["reason"] == ["原因不能含有空字符或控制字符。"]

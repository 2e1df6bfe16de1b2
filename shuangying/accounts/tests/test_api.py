"""API authentication (A4): bearer tokens (issue, expiry, revocation, two-factor, lockout),
the page session with CSRF, and GET /api/me."""

import hashlib
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from shuangying.accounts.api import TOKEN_TTL
from shuangying.accounts.middleware import OTP_VERIFIED
from shuangying.accounts.models import ApiToken
from shuangying.audit.models import AuditEvent
from shuangying.core import crypto
from shuangying.testing import PASSWORD, login

pytestmark = pytest.mark.django_db


def obtain(client, username, password=PASSWORD, **extra):
    return client.post(
        "/api/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def token_for(client, user, **extra) -> str:
    response = obtain(client, user.username, **extra)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def enrol_totp(user) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    user.totp_secret = crypto.encrypt(secret, context="user.totp")
    user.totp_confirmed_at = timezone.now()
    user.save()
    return pyotp.TOTP(secret)


# --- tokens ---------------------------------------------------------------------------------


def test_issue_token_and_use_it(client, personas):
    before = timezone.now()
    response = obtain(client, "grid1a")
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    assert body["token_type"] == "Bearer"
    random_part, _, seal = token.rpartition(".")
    assert len(random_part) >= 43 and len(seal) == 32  # 32 random bytes, urlsafe base64
    stored = ApiToken.objects.get()
    assert stored.user == personas["grid1a"]
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values_list())
    assert before + TOKEN_TTL <= stored.expires_at <= timezone.now() + TOKEN_TTL
    assert stored.last_used_at is None
    assert "sessionid" not in response.cookies  # a token request leaves no session behind
    personas["grid1a"].refresh_from_db()
    assert personas["grid1a"].last_login >= before

    fresh = Client()  # no session: the token alone
    me = fresh.get("/api/me", **bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "grid1a"
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert AuditEvent.objects.filter(action="login", object_type="api_token").count() == 1


def test_each_issue_is_a_new_random_token(client, personas):
    assert token_for(client, personas["grid1a"]) != token_for(client, personas["grid1a"])


def test_bearer_token_writes_without_csrf_and_audits_as_its_user(county, personas):
    client = Client(enforce_csrf_checks=True)
    token = token_for(client, personas["grid1a"])
    response = client.post(
        "/api/households",
        {"division": county.grid1a.pk, "number": "T-1", "address": "东村"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="create", object_type="household").username == "grid1a"


def test_wrong_password_is_401(client, personas):
    response = obtain(client, "grid1a", password="wrong-password-1")
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "用户名或密码不正确",
        "field": None,
    }
    assert obtain(client, "nobody").status_code == 401
    assert not ApiToken.objects.exists()


def test_lockout_applies_to_the_token_endpoint(client, personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert obtain(client, "grid1a", password="wrong-password-1").status_code == 401
    assert obtain(client, "grid1a", password="wrong-password-1").status_code == 401
    # The failure that reaches the limit already answers 429.
    assert obtain(client, "grid1a", password="wrong-password-1").status_code == 429
    # Locked out now: even the right password is refused, in JSON like every API error.
    response = obtain(client, "grid1a")
    assert response.status_code == 429
    assert response.json() == {
        "code": "locked_out",
        "message": "登录失败次数过多，账户已锁定15分钟，请稍后再试",
        "field": None,
    }
    assert not ApiToken.objects.exists()


def test_success_clears_earlier_failures(client, personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    obtain(client, "grid1a", password="wrong-password-1")
    obtain(client, "grid1a", password="wrong-password-1")
    assert obtain(client, "grid1a").status_code == 200
    obtain(client, "grid1a", password="wrong-password-1")
    obtain(client, "grid1a", password="wrong-password-1")
    assert obtain(client, "grid1a").status_code == 200


def test_expired_token_is_refused(client, personas):
    token = token_for(client, personas["grid1a"])
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get("/api/me", **bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_tampered_or_unknown_tokens_are_refused(client, personas):
    token = token_for(client, personas["grid1a"])
    random_part, _, seal = token.rpartition(".")
    for bad in (random_part, f"{random_part}.{'0' * 32}", "x" * 80, f"{token}x"):
        assert Client().get("/api/me", **bearer(bad)).status_code == 401


def test_changed_security_stamp_revokes_tokens(client, personas):
    user = personas["grid1a"]
    token = token_for(client, user)
    assert Client().get("/api/me", **bearer(token)).status_code == 200
    # Roles, divisions, department or the active flag changed (accounts.services rotate it).
    user.rotate_security_stamp()
    user.save()
    response = Client().get("/api/me", **bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    # A new token works again.
    assert Client().get("/api/me", **bearer(token_for(client, user))).status_code == 200


def test_changed_password_revokes_tokens(client, personas):
    user = personas["grid1a"]
    token = token_for(client, user)
    user.set_password("Another-Horse-2021")
    user.save()
    assert Client().get("/api/me", **bearer(token)).status_code == 401


def test_disabled_user_cannot_use_or_obtain_tokens(client, personas):
    user = personas["grid1a"]
    token = token_for(client, user)
    user.is_active = False
    user.save()  # even without a stamp rotation
    assert Client().get("/api/me", **bearer(token)).status_code == 401
    assert obtain(client, "grid1a").status_code == 401


def test_revoke_own_tokens(client, personas):
    user = personas["grid1a"]
    first, second = token_for(client, user), token_for(client, user)
    other = token_for(client, personas["grid1b"])
    response = Client().delete("/api/auth/tokens", **bearer(first))
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert Client().get("/api/me", **bearer(second)).status_code == 401
    assert Client().get("/api/me", **bearer(other)).status_code == 200


# --- two-factor -----------------------------------------------------------------------------


def test_two_factor_role_without_enrolment_gets_no_token(client, personas):
    response = obtain(client, "county")  # county_commander must use two-factor
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_setup_required"


def test_two_factor_role_needs_a_valid_code(client, personas):
    totp = enrol_totp(personas["county"])
    missing = obtain(client, "county")
    assert missing.status_code == 401
    assert missing.json() == {
        "code": "otp_required",
        "message": "两步验证码：该账户须填写6位两步验证码",
        "field": "otp",
    }
    wrong = obtain(client, "county", otp="000000" if totp.now() != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_otp"
    assert not ApiToken.objects.exists()
    assert obtain(client, "county", otp=totp.now()).status_code == 200


def test_enrolled_user_needs_a_code_whatever_the_role(client, personas):
    totp = enrol_totp(personas["grid1a"])
    assert obtain(client, "grid1a").status_code == 401
    assert obtain(client, "grid1a", otp=totp.now()).status_code == 200


def test_a_code_works_once(client, personas):
    totp = enrol_totp(personas["grid1a"])
    code = totp.now()
    assert obtain(client, "grid1a", otp=code).status_code == 200
    replay = obtain(client, "grid1a", otp=code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid_otp" and "已经使用过" in replay.json()["message"]


def test_wrong_codes_lock_two_factor_like_the_pages(client, personas, settings):
    settings.TOTP_FAILURE_LIMIT = 3
    totp = enrol_totp(personas["county"])
    wrong = "000000" if totp.now() != "000000" else "111111"
    assert obtain(client, "county", otp=wrong).status_code == 401
    assert obtain(client, "county", otp=wrong).status_code == 401
    locked = obtain(client, "county", otp=wrong)
    assert locked.status_code == 429
    assert locked.json()["code"] == "otp_locked" and locked.json()["field"] == "otp"
    assert obtain(client, "county", otp=totp.now()).json()["code"] == "otp_locked"
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="login_failed", username="county").count() == 3


def test_failed_password_is_audited(client, personas):
    obtain(client, "grid1a", password="wrong-password-1")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_type == "api_token" and event.detail["username"] == "grid1a"
    assert "wrong-password-1" not in str(event.detail) + event.summary


# --- session --------------------------------------------------------------------------------


def test_anonymous_is_401(client, db):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.post("/api/persons", {}, content_type="application/json").status_code == 401


def test_session_works_for_reads(client, personas):
    login(client, personas["grid1a"])
    assert client.get("/api/me").json()["username"] == "grid1a"


def test_session_post_without_csrf_token_is_refused(county, personas):
    client = Client(enforce_csrf_checks=True)
    login(client, personas["grid1a"])
    payload = {"division": county.grid1a.pk, "number": "S-1", "address": "东村"}
    response = client.post("/api/households", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/households", payload, content_type="application/json", HTTP_X_CSRFTOKEN=secret
    )
    assert response.status_code == 201


def test_session_patch_and_delete_need_csrf_too(personas, people):
    client = Client(enforce_csrf_checks=True)
    login(client, personas["grid1a"])
    url = f"/api/persons/{people.in_grid1a.pk}"
    assert client.patch(url, {"name": "改"}, content_type="application/json").status_code == 403
    assert client.delete("/api/auth/tokens").status_code == 403


def test_session_owing_a_totp_code_is_refused(client, personas):
    client.force_login(personas["county"])  # password entered, code not yet
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_required"
    session = client.session
    session[OTP_VERIFIED] = True
    session.save()
    assert client.get("/api/me").status_code == 200


# --- me -------------------------------------------------------------------------------------


def test_me(client, county, personas):
    login(client, personas["town1"])
    body = client.get("/api/me").json()
    assert body["username"] == "town1"
    assert body["roles"] == [{"name": "township_officer", "label": "乡镇（街道）工作人员"}]
    assert [d["id"] for d in body["divisions"]] == [county.town1.pk]
    assert body["department"] is None
    assert "people.view_person" in body["permissions"]
    assert body["two_factor"] is False

    login(client, personas["dept"])
    assert client.get("/api/me").json()["department"] == {"code": "health", "name": "卫健局"}


# --- NUL and control characters ---------------------------------------------------------------


@pytest.mark.parametrize("field, label", [("username", "用户名"), ("password", "密码")])
def test_token_refuses_nul_naming_the_field(client, personas, field, label):
    """Refused at the edge (shuangying/guards.py) before the schema: 400 naming the field."""
    payload = {"username": "grid1a", "password": PASSWORD, field: "adm\u0000in"}
    response = client.post("/api/auth/token", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["code"] == "invalid_characters"
    # Refused before authenticate(): nothing counted, nothing logged, nothing queried.
    assert all("\x00" not in e.summary for e in AuditEvent.objects.all())


def test_token_refuses_control_characters_in_the_otp(client, personas):
    response = obtain(client, "grid1a", otp="12\x0834")
    assert response.status_code == 400 and response.json()["field"] == "otp"

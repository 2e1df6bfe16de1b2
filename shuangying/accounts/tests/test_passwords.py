"""Password storage and strength: Argon2 first, 12+ characters, no common passwords."""

import importlib

import pytest
from django.urls import reverse

from shuangying.accounts.forms import OwnPasswordChangeForm, UserCreateForm
from shuangying.accounts.models import User
from shuangying.testing import PASSWORD, login

pytestmark = pytest.mark.django_db


def configured_settings():
    # conftest swaps in MD5 for speed; the module itself holds what a server runs with.
    return importlib.import_module("shuangying.settings")


def test_argon2_is_the_first_hasher():
    hashers = configured_settings().PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hash_is_produced_by_the_configured_hashers(settings):
    settings.PASSWORD_HASHERS = configured_settings().PASSWORD_HASHERS
    user = User.objects.create_user(username="hash-check", password="Long-Enough-Pass-2020")
    assert user.password.startswith("argon2$")
    assert user.check_password("Long-Enough-Pass-2020")


def test_validators_require_12_characters_and_refuse_common_passwords():
    validators = {
        v["NAME"].rsplit(".", 1)[-1]: v for v in configured_settings().AUTH_PASSWORD_VALIDATORS
    }
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
    assert "CommonPasswordValidator" in validators
    assert "UserAttributeSimilarityValidator" in validators


def create_form(password, username="newuser"):
    return UserCreateForm(
        data={
            "username": username,
            "full_name": "新用户",
            "password1": password,
            "password2": password,
        }
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("Short-1", "密码太短，至少需要 12 个字符"),
        ("password1234", "这个密码太常见了"),
        ("123456789012345", "密码只包含数字"),
    ],
)
def test_user_creation_form_refuses_weak_passwords(county, password, message):
    form = create_form(password)
    assert not form.is_valid()
    assert any(message in e for e in form.errors["password2"])


def test_user_creation_form_accepts_a_strong_password(county):
    assert create_form("Spring-Rice-Field-2020").is_valid()


def test_user_creation_form_refuses_mismatch_in_chinese(county):
    form = UserCreateForm(
        data={
            "username": "x1",
            "password1": "Spring-Rice-Field-2020",
            "password2": "Other-Rice-Field-2020",
        }
    )
    assert not form.is_valid()
    assert "两次输入的密码不一致。" in form.errors["password2"]


@pytest.mark.parametrize("password", ["Short-1", "password1234", "123456789012345"])
def test_password_change_form_refuses_weak_passwords(personas, password):
    form = OwnPasswordChangeForm(
        personas["grid1a"],
        data={"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert not form.is_valid()
    assert form.errors["new_password2"]


def test_password_change_page(client, personas):
    user = personas["grid1a"]
    login(client, user)
    url = reverse("accounts:password_change")
    response = client.post(
        url, {"old_password": "wrong", "new_password1": "x", "new_password2": "x"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "当前密码不正确" in html and "密码太短" in html

    new = "Winter-Wheat-Harvest-2020"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    # This session survives the change; the profile page still opens.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_ends_other_sessions(client, personas):
    from django.test import Client

    user = personas["grid1a"]
    other = Client()
    login(other, user)
    login(client, user)
    new = "Winter-Wheat-Harvest-2020"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert other.get(reverse("dashboard:home")).status_code == 302


@pytest.mark.parametrize(
    "password, code",
    [
        ("aaaaaaaaaaaa", "password_repetitive"),
        ("abcabcabcabc", "password_repetitive"),
        ("qwertyuiopas", "password_keyboard_pattern"),
        ("1qaz2wsx3edc", "password_keyboard_pattern"),
        ("abcd1234abcd", "password_keyboard_pattern"),
        ("Qwertyuiop12!", "password_keyboard_pattern"),
    ],
)
def test_repeated_and_keyboard_patterns_are_refused_in_chinese(county, password, code):
    form = create_form(password)
    assert not form.is_valid()
    errors = form.errors.as_data()["password2"]
    assert code in {e.code for e in errors}
    assert all("密码" in m for m in form.errors["password2"])


def test_pattern_validator_is_configured():
    names = [v["NAME"] for v in configured_settings().AUTH_PASSWORD_VALIDATORS]
    assert "shuangying.accounts.validators.PatternPasswordValidator" in names


@pytest.mark.parametrize(
    "password", ["Spring-Rice-Field-2020", "Winter-Wheat-Harvest-2020", "Shuangying@2020"]
)
def test_passwords_with_a_pattern_inside_still_pass(county, password):
    assert create_form(password).is_valid()


def test_own_password_change_refuses_a_keyboard_walk(personas):
    form = OwnPasswordChangeForm(
        personas["grid1a"],
        data={
            "old_password": PASSWORD,
            "new_password1": "qwertyuiopas",
            "new_password2": "qwertyuiopas",
        },
    )
    assert not form.is_valid()
    assert any("键盘" in m for m in form.errors["new_password2"])

"""The request's edge (issue 17): bad input is a 4xx naming the field, never a 500 —
control characters, oversized bodies, broken multipart, integers beyond 64 bits, a
database out of reach."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_client(client, personas):
    login(client, personas["county"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/households?q=%00",
        "/api/persons?q=a%00b",
        "/api/divisions?q=%01",
        "/api/households?%00=1",
    ],
)
def test_control_characters_in_query_are_a_400_naming_the_field(county_client, url):
    response = county_client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert "控制字符" in body["message"]


def test_nul_in_query_is_refused_without_login(client, db):
    response = client.get("/api/households?q=%00")
    assert response.status_code == 400
    assert response.json()["field"] == "q"


def test_nul_in_a_page_query_is_a_chinese_400_page(county_client):
    response = county_client.get(reverse("people:person_list"), {"q": "张\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    # The people ledger's search form labels ``q`` "搜索"; other apps' forms label it
    # differently, so the label comes from the requested page's own app.
    assert "请求无效" in html and "搜索：含有不允许的控制字符" in html
    assert "q：" not in html


def test_nul_in_a_form_post_is_a_400_naming_the_field_in_chinese(client, db):
    response = client.post(reverse("accounts:login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "用户名：含有不允许的控制字符" in html and "username" not in html


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("password", "密码"),
        ("csrfmiddlewaretoken", "安全令牌"),
        ("unheard_of_key", "某个输入项"),
        ("bad\x00key", "某个输入项"),
    ],
)
def test_a_page_400_names_known_keys_in_chinese_and_no_english_key(client, db, key, label):
    response = client.post(reverse("accounts:login"), {key: "a\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{label}：含有不允许的控制字符" in html
    assert "unheard_of_key" not in html and "csrfmiddlewaretoken" not in html


def test_a_page_names_the_field_by_its_view_form_or_app(client, db):
    from django.test import RequestFactory

    from shuangying.guards import field_label

    login_page = RequestFactory().post(reverse("accounts:login"))
    assert field_label(login_page, "lines-0-username") == "用户名"  # a formset's key
    people = RequestFactory().get(reverse("people:person_list"))
    assert field_label(people, "q") == "搜索"
    assert field_label(people, "no_such_field") == "某个输入项"


def test_the_api_still_names_the_key(client, db):
    response = client.post(
        "/api/auth/token",
        data="username=a%00&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "username" and body["message"].startswith("username：")


def test_nul_in_a_json_body_is_a_400_naming_the_field(client, db):
    response = client.post(
        "/api/auth/token",
        data=b'{"username": "a\\u0000", "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "username"


def test_nested_json_fields_are_named():
    from shuangying.apibase import control_path

    assert control_path({"companions": [{"name": "ok"}, {"name": "x\x00"}]}) == "companions[1].name"
    assert control_path({"a": ["\ud800"]}) == "a[0]"
    assert control_path({"a": "tab\tand\nnewline"}) is None


def test_tabs_and_newlines_are_still_accepted(county_client):
    assert county_client.get("/api/households", {"q": "a\tb"}).status_code == 200


def test_a_6_mb_body_is_413_in_the_api_error_shape(client, db):
    body = b'{"username": "' + b"x" * (6 * 1024 * 1024) + b'", "password": "x"}'
    response = client.post("/api/auth/token", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_6_mb_form_is_413_on_a_page(client, db):
    response = client.post(reverse("accounts:login"), {"username": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/auth/token", "/api/risk-areas/import"])
def test_multipart_without_boundary_is_a_400(client, db, url):
    response = client.post(url, data=b"x=1", content_type="multipart/form-data")
    assert response.status_code in (400, 415)
    assert response.json()["code"] == "invalid_multipart"


def test_too_many_form_fields_is_a_400_in_the_api_shape(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(20))
    response = client.post(
        "/api/auth/token", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


@pytest.mark.parametrize(
    "url",
    [
        "/api/divisions?parent=99999999999999999999",
        "/api/persons/99999999999999999999",
        "/api/places/99999999999999999999",
        "/api/persons?offset=99999999999999999999",
    ],
)
def test_integers_beyond_64_bits_are_a_422(county_client, url):
    response = county_client.get(url)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_an_unreachable_database_is_a_503_in_the_api(county_client):
    with mock.patch(
        "shuangying.divisions.api.Division.objects.restrict",
        side_effect=OperationalError("connection refused"),
    ):
        response = county_client.get("/api/divisions")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["code"] == "unavailable"


def test_an_unreachable_database_is_a_chinese_503_page(client, db):
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection refused"),
    ):
        client.raise_request_exception = False
        client.cookies["sessionid"] = "x" * 32
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "系统暂时不可用" in response.content.decode()

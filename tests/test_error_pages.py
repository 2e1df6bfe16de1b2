"""With DEBUG off (as `make run` serves the demo) errors are the product's own Chinese pages in
the base layout, never Django's English debug pages; static files still load (WhiteNoise)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from shuangying.urls import urlpatterns as site_urlpatterns

ROOT = Path(__file__).resolve().parent.parent


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def assert_product_page(response, status, title):
    assert response.status_code == status
    html = response.content.decode()
    assert title in html
    assert 'class="topbar"' in html  # the base layout
    assert "Traceback" not in html and "Page not found" not in html and "Django" not in html


def test_unknown_address_is_the_chinese_404(settings):
    settings.DEBUG = False
    assert_product_page(Client().get("/no/such/page/"), 404, "页面不存在")


def test_a_crash_is_the_chinese_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    assert_product_page(client.get("/boom/"), 500, "服务器错误")


def test_a_stale_form_is_the_chinese_csrf_page(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    assert_product_page(client.post("/accounts/login/", {"username": "x"}), 403, "页面已过期")


def test_static_files_are_served_with_debug_off(settings):
    settings.DEBUG = False
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"/*")


def settings_under(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SHUANGYING_DEMO"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="shuangying.settings")
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SHUANGYING_DEMO, bool(s.SHUANGYING_HEALTHCODE_SIGNING_KEY))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_demo_keeps_its_features_with_debug_off():
    # make run: demo logins, demo data and the development health-code key all still work.
    assert settings_under({"DEBUG": "0", "SHUANGYING_DEMO": "1"}) == "False True True"
    assert settings_under({"DEBUG": "0", "SHUANGYING_DEMO": "0"}) == "False False False"


def test_the_favicon_is_served_by_the_app(settings):
    settings.DEBUG = False
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file

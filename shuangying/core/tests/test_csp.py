"""The Content-Security-Policy header: no inline script, no eval, on every response."""

import re
from pathlib import Path

import pytest
from django.test import Client

from shuangying.core.csp import build_policy

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2]


def test_every_page_carries_a_strict_policy():
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script == "'self'"
    assert "unsafe-inline" not in script and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert re.search(r"style-src 'self'(;|$)", policy)


def test_a_nonce_appears_only_when_a_page_asks_for_one():
    assert "nonce" not in build_policy()
    assert "'nonce-abc'" in build_policy("abc")


def test_no_template_has_an_inline_script_or_style_element_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag and "csp_nonce" not in tag:
                offenders.append(f"{path}: {tag}")
        if re.search(r"<style\b(?![^>]*csp_nonce)", text):
            offenders.append(f"{path}: <style>")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path}: inline event handler")
    assert offenders == []

"""The cached signers sign exactly as Django's own calls do, and follow a changed key."""

from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory

from shuangying.core.signers import cookie_sign, timestamp_sign


def test_cookie_sign_is_what_set_signed_cookie_stores(settings):
    value = cookie_sign("sy_x", "a.b", salt="s1")
    reference = HttpResponse()
    reference.set_signed_cookie("sy_x", "a.b", salt="s1")
    stored = reference.cookies["sy_x"].value
    assert value.rsplit(":", 2)[0] == stored.rsplit(":", 2)[0]  # same value, same scheme
    request = RequestFactory().get("/", HTTP_COOKIE=f"sy_x={value}")
    assert request.get_signed_cookie("sy_x", salt="s1") == "a.b"
    settings.SECRET_KEY = "another-" + "k" * 50
    rotated = cookie_sign("sy_x", "a.b", salt="s1")
    request = RequestFactory().get("/", HTTP_COOKIE=f"sy_x={rotated}")
    assert request.get_signed_cookie("sy_x", salt="s1") == "a.b"
    assert rotated.rsplit(":", 1)[1] != value.rsplit(":", 1)[1]


def test_timestamp_sign_verifies_with_django(settings):
    signed = timestamp_sign("12:b", salt="s2")
    assert signing.TimestampSigner(salt="s2").unsign(signed, max_age=60) == "12:b"
    settings.SECRET_KEY = "rotated-" + "k" * 50
    assert signing.TimestampSigner(salt="s2").unsign(timestamp_sign("12:b", salt="s2")) == "12:b"

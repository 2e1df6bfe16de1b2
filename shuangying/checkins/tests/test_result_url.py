"""The scan's redirect path is built without the resolver: it must be what reverse() gives."""

from django.core import signing
from django.urls import reverse, set_script_prefix

from shuangying.checkins.views import RESULT_SALT, result_url


def test_result_url_is_reverse():
    for value in ("1:", "123456:b", "98765:bp"):
        signed = signing.TimestampSigner(salt=RESULT_SALT).sign(value)
        assert result_url(signed) == reverse("checkins:checkin_result", args=[signed])


def test_result_url_follows_the_script_prefix():
    signed = signing.TimestampSigner(salt=RESULT_SALT).sign("5:b")
    set_script_prefix("/county/")
    try:
        assert result_url(signed) == reverse("checkins:checkin_result", args=[signed])
        assert result_url(signed).startswith("/county/c/r/")
    finally:
        set_script_prefix("/")


def test_the_scan_first_shadows_no_other_checkins_path():
    """The public scan is matched early (it is the hot path): every other check-ins path
    must still resolve to its own view."""
    from django.urls import resolve

    from shuangying.checkins import urls

    for pattern in urls.urlpatterns:
        keys = list(pattern.pattern.converters)
        args = {k: "7" for k in keys}
        url = reverse(f"checkins:{pattern.name}", kwargs=args)
        assert resolve(url).url_name == pattern.name, url


def test_result_url_reads_the_script_prefix_from_the_request():
    from django.test import RequestFactory

    signed = signing.TimestampSigner(salt=RESULT_SALT).sign("6:b")
    request = RequestFactory().post("/c/tok/")
    assert result_url(signed, request) == f"/c/r/{signed}/"
    request = RequestFactory().post("/c/tok/", SCRIPT_NAME="/county")
    request.path = "/county/c/tok/"
    assert result_url(signed, request) == f"/county/c/r/{signed}/"

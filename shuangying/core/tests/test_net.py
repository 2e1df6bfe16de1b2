import pytest
from django.test import RequestFactory, override_settings

from shuangying.core.net import client_ip

rf = RequestFactory()


def req(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_no_trusted_proxy_ignores_the_header():
    assert client_ip(req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),  # through the proxy
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a spoofed left hop ignored
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),  # two proxies
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # an untrusted peer's header
        ("10.0.0.2", "not-an-ip", "10.0.0.2"),
        ("10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_trusted_proxy(peer, forwarded, expected):
    assert client_ip(req(peer, forwarded)) == expected

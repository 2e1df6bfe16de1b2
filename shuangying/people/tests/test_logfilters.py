"""Issue 17: a full document number or phone in a query string never reaches an access log."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest

from shuangying.people.logfilters import RedactIdentifiers, redact_query

ID18 = "11010519491231002X"
ID15 = "110105491231002"
MOBILE = "13912340001"


@pytest.mark.parametrize(
    "value",
    [ID18, ID18.lower(), ID15, MOBILE, "%2B8613912340001", "0357-7654321", "E12345678"],
)
def test_identifier_like_query_values_are_redacted(value):
    line = f"GET /api/persons?q={value}&limit=5 HTTP/1.1"
    redacted = redact_query(line)
    assert value not in redacted
    assert redacted == "GET /api/persons?q=[redacted]&limit=5 HTTP/1.1"


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/persons?q=张三&limit=50&offset=100 HTTP/1.1",
        "GET /people/?q=1234 HTTP/1.1",  # the last four characters identify nobody
        "GET /people/?h=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "GET /people/12345678901234567/ HTTP/1.1",  # no query string: the path is kept
    ],
)
def test_other_values_are_kept(line):
    assert redact_query(line) == line


def test_django_server_records_are_redacted():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /api/persons?q={ID18} HTTP/1.1", "200", "512"),
        None,
    )
    assert RedactIdentifiers().filter(record) is True
    assert ID18 not in record.getMessage() and "[redacted]" in record.getMessage()


def test_the_django_server_logger_is_configured_with_the_filter(caplog):
    handler = next(h for h in logging.getLogger("django.server").handlers)
    assert any(isinstance(f, RedactIdentifiers) for f in handler.filters)
    assert any(isinstance(f, RedactIdentifiers) for f in logging.getLogger("django.server").filters)


def test_gunicorn_access_log_is_redacted():
    from gunicorn.config import Config

    from shuangying.people.logfilters import GunicornLogger

    logger = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/persons?q={MOBILE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/api/persons",
        "QUERY_STRING": f"q={MOBILE}",
        "HTTP_REFERER": f"https://example.org/people/?q={ID18}",
        "REMOTE_ADDR": "10.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", f"https://example.org/people/?q={ID18}")])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=5))
    text = " ".join(str(v) for v in atoms.values())
    assert MOBILE not in text and ID18 not in text
    assert atoms["r"] == "GET /api/persons?q=[redacted] HTTP/1.1"
    assert atoms["q"] == "q=[redacted]"
    assert atoms["U"] == "/api/persons"


def test_the_development_server_log_line_is_redacted():
    """What runserver's request handler writes, through the configured logger and handler."""
    handler = logging.getLogger("django.server").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /api/persons?q={ID18} HTTP/1.1", "200", "10"
        )
    finally:
        handler.setStream(previous)
    assert ID18 not in stream.getvalue()
    assert "GET /api/persons?q=[redacted] HTTP/1.1" in stream.getvalue()

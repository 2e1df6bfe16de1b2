"""Document numbers and phones out of access logs (M1, issue 17). ``GET /api/persons?q=<full
ID>`` and the pages' search links carry what was searched for in the query string, which
the development server (``django.server``) and gunicorn's access log would write out as it
came. Values that look like a document number or a phone are replaced, in the query string
and the referer alike; the path and the rest of the line stay, so the log is still useful.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

IDENTIFIER = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"\d{17}[\dXx]"  # resident ID, 18 characters
    r"|\d{15}"  # resident ID, first generation
    r"|(?:\+?86|%2B86)?1[3-9]\d{9}"  # mobile phone
    r"|0\d{2,3}(?:-|%2D)?\d{7,8}"  # fixed line with area code
    r"|[A-Za-z]{1,2}\d{7,10}"  # passport, Hong Kong/Macao/Taiwan permit
    r")(?![0-9A-Za-z])"
)


# gunicorn's atoms that hold a query string alone: %(q)s and the environ's QUERY_STRING.
BARE_QUERIES = {"q", "{query_string}e"}


def redact_query(text: str) -> str:
    """``text`` with identifier-like values after its first ``?`` replaced."""
    head, mark, query = text.partition("?")
    if not mark:
        return text
    return head + mark + IDENTIFIER.sub(REDACTED, query)


class RedactIdentifiers(logging.Filter):
    """A logging filter (``django.server``): the request line and any other string argument
    lose identifier-like query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = redact_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact_query(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production dependency only
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger with the access log's atoms redacted (``gunicorn.conf.py``)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if not isinstance(value, str):
                    continue
                if key in BARE_QUERIES:  # a query string without its "?"
                    atoms[key] = IDENTIFIER.sub(REDACTED, value)
                elif "?" in value:
                    atoms[key] = redact_query(value)
            return atoms

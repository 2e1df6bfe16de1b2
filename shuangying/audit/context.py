"""Who is acting and from where, set once per request (``AuditContextMiddleware``) or per
background job (``audit_context(...)``), read by ``record_event``. Services take the actor and
their data, never the request (after NetBox's ``netbox/context.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from shuangying.core.net import client_ip


@dataclass(frozen=True)
class AuditContext:
    """What an audit row records about the circumstances of an action. ``request`` is kept
    so that the user is read when the row is written (API authentication sets it after the
    middleware has run)."""

    user: Any = None
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None

    @property
    def actor(self):
        if self.user is not None:
            return self.user
        return getattr(self.request, "user", None) if self.request is not None else None

    @classmethod
    def from_request(cls, request) -> AuditContext:
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            # The path without its query string: a query may hold what was searched for.
            path=request.path[:300],
            request=request,
        )


EMPTY = AuditContext(request_id="")
_current: ContextVar[AuditContext] = ContextVar("shuangying_audit_context", default=EMPTY)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def audit_context(context: AuditContext | None = None, **fields) -> Iterator[AuditContext]:
    """Run a block under ``context`` (or one built from ``fields``): a request, a task, a
    management command."""
    ctx = context if context is not None else AuditContext(**fields)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Sets the audit context of every request; placed after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(AuditContext.from_request(request)):
            return self.get_response(request)

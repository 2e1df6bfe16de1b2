"""Writing the audit trail. Every view, search, export and change of personal data calls
``record_event``; nothing else writes AuditEvent rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from . import chain
from .context import AuditContext, current
from .models import AuditAction, AuditEvent


def record_event(
    *,
    request: HttpRequest | None = None,
    user=None,
    action: AuditAction | str,
    object_type: str = "",
    object_id: Any = "",
    summary: str = "",
    detail: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit row. ``detail`` must never hold plaintext personal data: callers pass
    masked values or counts. Who acted and from where come from the audit context (set once
    per request by ``AuditContextMiddleware``); ``user`` names the actor where it differs
    (a login, a task), and ``request`` is accepted only while callers move off it."""
    ctx = AuditContext.from_request(request) if request is not None else current()
    if user is None:
        user = ctx.actor
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    event = AuditEvent(
        at=timezone.now(),
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        summary=summary[:300],
        detail=detail or {},
        reason=reason[:300],
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        path=ctx.path,
    )
    chain.append(event)
    return event

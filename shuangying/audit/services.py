"""Writing the audit trail. Every view, search, export and change of personal data calls
``record_event``; nothing else writes AuditEvent rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    masked values or counts."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return AuditEvent.objects.create(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        summary=summary[:300],
        detail=detail or {},
        reason=reason[:300],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        # The path without its query string: a query may hold what was searched for.
        path=(request.path[:300] if request else ""),
    )

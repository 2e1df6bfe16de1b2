"""Per-user limits on the acts that hand out personal data one record at a time (issue 17):
revealing plaintext, and learning that a document number is registered elsewhere. The audit
log is the counter: every such act already writes a row there, so the count is shared by every
server process, survives a restart and cannot drift from what the auditor sees.

Limits are settings, per role (``PEOPLE_RATE_LIMITS``: ``{kind: {role or "default": n}}``, a
user getting the largest figure of their roles) over ``PEOPLE_RATE_WINDOW`` seconds. The first
refusal in a window writes a SECURITY audit row and a warning on the ``shuangying.security``
logger, which an installation routes to its security administrator."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.audit.services import record_event

security_log = logging.getLogger("shuangying.security")

REVEAL = "reveal"
EXISTS_ELSEWHERE = "exists_elsewhere"

DEFAULT_LIMITS = {
    REVEAL: {"default": 20},
    EXISTS_ELSEWHERE: {"default": 10},
}
LABELS = {REVEAL: "查看明文", EXISTS_ELSEWHERE: "登记时匹配到其他辖区已登记的证件号码"}


class RateLimited(Exception):
    """The user has used up an hourly allowance; ``message`` is Chinese."""

    def __init__(self, kind: str, limit: int, window: int):
        self.kind = kind
        self.limit = limit
        minutes = max(window // 60, 1)
        self.message = (
            f"{LABELS[kind]}过于频繁：每{minutes}分钟最多{limit}次，已通知安全管理员。请稍后再试。"
        )
        super().__init__(self.message)


def window() -> int:
    return int(getattr(settings, "PEOPLE_RATE_WINDOW", 3600)) or 3600


def limit_for(user, kind: str) -> int:
    conf = {**DEFAULT_LIMITS[kind], **getattr(settings, "PEOPLE_RATE_LIMITS", {}).get(kind, {})}
    figures = [conf[role] for role in user.role_names() if role in conf]
    return int(max(figures)) if figures else int(conf["default"])


@contextmanager
def counted(user, kind: str, events) -> Iterator[None]:
    """Run the block (which writes the act's own audit row) unless ``events`` (the audit rows
    of ``kind``) already number the user's limit within the window: then raise RateLimited,
    after an alert that outlives the refusal. The count and the block run in one transaction
    holding the user's row, so that parallel requests cannot all count the same rows."""
    try:
        with transaction.atomic():
            get_user_model()._default_manager.select_for_update().filter(pk=user.pk).exists()
            _check(user, kind, events)
            yield
    except RateLimited as exc:
        _alert(user, exc)
        raise


def _check(user, kind: str, events) -> None:
    limit, seconds = limit_for(user, kind), window()
    since = timezone.now() - timedelta(seconds=seconds)
    if events.filter(user_id=user.pk, at__gte=since).count() >= limit:
        raise RateLimited(kind, limit, seconds)


def _alert(user, exc: RateLimited) -> None:
    """One SECURITY row (and log warning) per user, kind and window."""
    seconds = window()
    alerted = AuditEvent.objects.filter(
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=str(user.pk),
        detail__limit=exc.kind,
        at__gte=timezone.now() - timedelta(seconds=seconds),
    ).exists()
    if alerted:
        return
    record_event(
        user=user,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=user.pk,
        summary=f"{LABELS[exc.kind]}超过限额（{exc.limit}次/{seconds // 60}分钟），已拒绝",
        detail={"limit": exc.kind, "allowed": exc.limit, "window": seconds},
    )
    security_log.warning(
        "user %s (id %s) exceeded the %s limit of %s per %ss",
        user.get_username(),
        user.pk,
        exc.kind,
        exc.limit,
        seconds,
    )

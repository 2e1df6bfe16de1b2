"""The per-account cap on failed logins, across addresses (login security).

django-axes locks a username *at one address* after AXES_FAILURE_LIMIT failures (settings):
an attacker at one address cannot lock a commander out for everyone. What that leaves open is
guessing one account's password from many addresses. This cap counts the failures of a
username from every address within AXES_COOLOFF_TIME (axes' AccessFailureLog) and, past
LOGIN_ACCOUNT_FREE_FAILURES, makes each next attempt wait a delay that doubles with every
failure up to LOGIN_ACCOUNT_DELAY_MAX. It slows guessing to a trickle but never locks: once
the delay has passed, the right password gets in from anywhere.

An attempt refused for the delay is refused before the password is checked, so it is not a
failure: it neither lengthens the delay nor counts towards axes' lock at that address.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone


def _failures(username: str, now: datetime):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(count=Count("id"), last=Max("attempt_time"))


def delay_after(failures: int) -> timedelta:
    """The wait after ``failures`` failures: none up to the free allowance, then 1 s, 2 s,
    4 s … up to the maximum."""
    over = failures - settings.LOGIN_ACCOUNT_FREE_FAILURES
    if over < 0:
        return timedelta(0)
    cap = settings.LOGIN_ACCOUNT_DELAY_MAX
    # 2 ** over overflows timedelta long before the cap is checked otherwise.
    seconds = min(2 ** min(over, 32), cap.total_seconds())
    return timedelta(seconds=seconds)


def seconds_to_wait(username: str, now: datetime | None = None) -> int:
    """Whole seconds before ``username`` may try again; 0 when it may try now."""
    if not username:
        return 0
    now = now or timezone.now()
    found = _failures(username, now)
    if not found["count"]:
        return 0
    remaining = (found["last"] + delay_after(found["count"]) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def throttled_message(seconds: int) -> str:
    return f"该账户近期登录失败次数较多，为防止他人猜测密码，请 {seconds} 秒后再试。"


def delayed_accounts(now: datetime | None = None) -> list[dict]:
    """Usernames past the free allowance now, with their failures and wait, for the security
    administrator's lockout page."""
    from axes.models import AccessFailureLog

    now = now or timezone.now()
    rows = (
        AccessFailureLog.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
        .values("username")
        .annotate(count=Count("id"), last=Max("attempt_time"))
        .filter(count__gte=settings.LOGIN_ACCOUNT_FREE_FAILURES)
        .order_by("-last")[:200]
    )
    return [{**row, "delay": delay_after(row["count"])} for row in rows]


def clear(username: str, now: datetime | None = None) -> int:
    """Forget the recent failures of ``username`` (the security administrator lifted its
    lockout). Every failure is also in the audit log, which keeps them."""
    from axes.models import AccessFailureLog

    now = now or timezone.now()
    removed, _ = AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return removed

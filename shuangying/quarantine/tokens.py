"""The personal report link (F3): the order's id signed with the project's key (salted), valid
until the order's last day plus QUARANTINE_LINK_GRACE_DAYS. A forged or altered token fails
before any database lookup; an expired one, or one for a released order, after."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

SALT = "shuangying.quarantine.report"


class ReportTokenError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # forged | expired


def report_token(order) -> str:
    return signing.Signer(salt=SALT).sign_object({"o": order.pk})


def order_for_token(token: str):
    from .models import QuarantineOrder

    try:
        order_id = signing.Signer(salt=SALT).unsign_object(token or "")["o"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ReportTokenError("forged") from None
    order = QuarantineOrder.objects.select_related("person").filter(pk=order_id).first()
    if order is None:
        raise ReportTokenError("forged")
    last = order.end_date + timedelta(days=settings.QUARANTINE_LINK_GRACE_DAYS)
    if order.state != "active" or timezone.localdate() > last:
        raise ReportTokenError("expired")
    return order

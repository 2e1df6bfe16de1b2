"""The notice channel: how a one-time code reaches a phone.

``IDENTITY_NOTICE_CHANNEL`` names the class (dotted path) with a ``send(phone, text)``
method; the default, ``OutboxChannel``, writes to the ``OutboxNotice`` table and the log (for
development, the demo and tests). A county's SMS gateway is an adapter with the same method,
configured there by settings."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shuangying.core.masking import mask_phone
from shuangying.people.models import phone_hash

from .models import OutboxNotice

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "shuangying.identity.notice.OutboxChannel"


class NoticeChannel(Protocol):
    def send(self, *, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (normalised); raise on failure."""


class OutboxChannel:
    """Development channel: the outbox table and the console."""

    def send(self, *, phone: str, text: str) -> None:
        OutboxNotice.objects.create(
            phone_masked=mask_phone(phone), phone_hash=phone_hash(phone), text=text
        )
        logger.warning("SMS to %s: %s", mask_phone(phone), text)


def channel() -> NoticeChannel:
    return import_string(getattr(settings, "IDENTITY_NOTICE_CHANNEL", DEFAULT_CHANNEL))()

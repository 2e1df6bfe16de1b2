"""Field sizes and helpers shared by the supplies models."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

QUANTITY = {"max_digits": 16, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


def user_fk(**extra):
    return models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **extra,
    )

"""Quantities and money on supplies pages: 5800.000 → 5,800; 0.750 → 0.75; ¥693,740.00."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def qty(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format(Decimal(value).normalize(), ",f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format(Decimal(value), ",.2f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def plain(value) -> str:
    """For input values: 1000, 0.75 (no separators, no exponent)."""
    if value is None or value == "":
        return ""
    try:
        return format(Decimal(value).normalize(), "f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)

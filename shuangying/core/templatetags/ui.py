"""Template helpers of the shared layout.

``{% load ui %}`` then:

- ``{% if user|can:obj %}`` / ``{% if user|can_do:"change"|of:obj %}``: show a link only when
  its page would open for this viewer; the same ``access.can`` that guards the page decides.
- ``{% tab "healthcodes:ruleset_list" "赋码规则" %}``: a sub-tab, marked when the page is one of
  its routes (the rule of core/navigation.py); ``covers="supplies:report_"`` widens it.
- ``{{ n|count }}``: a count with thousands separators (20,017), as amounts are shown.
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from shuangying import access
from shuangying.core.navigation import current_route, route_score

register = template.Library()


@register.filter
def can(user, obj):
    """May ``user`` view ``obj`` (its detail page opens)?"""
    return access.can(user, obj, "view")


@register.filter
def can_do(user, action):
    """First half of ``user|can_do:"change"|of:obj``."""
    return (user, action)


@register.filter
def of(user_action, obj):
    user, action = user_action
    return access.can(user, obj, action)


def _family(route: str) -> str:
    """``supplies:purchase_list`` covers ``supplies:purchase_*`` (its detail, forms, exports)."""
    for suffix in ("_list", "_tree"):
        if route.endswith(suffix):
            return route[: -len(suffix) + 1]
    return route


@register.simple_tag(takes_context=True)
def tab(context, route, label, covers=None, **kwargs):
    request = context.get("request")
    namespace, url_name = current_route(request) if request else ("", "")
    active = any(
        route_score(p, namespace, url_name) > 1 for p in (covers or _family(route)).split(",")
    )
    return format_html(
        '<a class="btn secondary small{}" href="{}"{}>{}</a>',
        " active" if active else "",
        reverse(route, kwargs=kwargs or None),
        mark_safe(' aria-current="page"') if active else "",
        label,
    )


@register.filter
def count(value):
    """Counts of people, households, records: 20,017 beside 13,400 吨."""
    if value in (None, ""):
        return value
    return intcomma(value, use_l10n=False)

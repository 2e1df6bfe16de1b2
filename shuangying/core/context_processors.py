"""The navigation shell: the grouped menu this user sees (core/navigation.py)."""

from django.urls import reverse

from .navigation import current_route, menu


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "nav_home": None, "nav_current": None, "nav_here": None}
    groups = menu(request)
    current = next((g for g in groups if g["active"]), None)
    return {
        "nav_groups": groups,
        "nav_home": {
            "url": reverse("dashboard:home"),
            "active": current_route(request)[0] == "dashboard",
        },
        "nav_current": current,
        # The phone menu names the page you are on beside its "更多" button.
        "nav_here": next((i for i in current["items"] if i["active"]), None) if current else None,
    }

"""The menu, grouped by the county's work, and the one rule for "where am I".

Every entry names the routes it stands for as ``namespace`` or ``namespace:prefix`` of a URL
name; the page's own route (``request.resolver_match``) picks the most specific entry. The main
menu, its groups and the sub-tabs inside an app (``{% tab %}`` in core/templatetags/ui.py) all
ask :func:`route_score`, so a new page is marked by naming it, not by matching its path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    route: str
    label: str
    # One codename, or several of which any one shows the entry.
    perm: str | tuple[str, ...] | None
    covers: tuple[str, ...] = ()

    @property
    def patterns(self) -> tuple[str, ...]:
        return self.covers or (self.route,)


GROUPS = [
    (
        _("防控"),
        [
            Entry(
                "people:person_list",
                _("人员台账"),
                "people.view_person",
                ("people:person", "checkins:person_trajectory"),
            ),
            Entry(
                "people:household_list",
                _("一户一档"),
                "people.view_household",
                ("people:household",),
            ),
            Entry(
                "places:place_list",
                _("场所码"),
                "places.view_place",
                ("places", "checkins:place_visitors"),
            ),
            Entry(
                "healthcodes:riskarea_list",
                _("健康码"),
                "healthcodes.view_riskarea",
                ("healthcodes",),
            ),
            # One gate page for passes, health codes, documents and temperatures.
            Entry(
                "checkpoints:checkpoint_mode",
                _("卡口核验"),
                ("checkpoints.add_checkpointrecord", "passes.add_passcheck"),
                ("checkpoints", "passes:gate_check"),
            ),
            Entry(
                "checkpoints:fever_alerts",
                _("发热预警"),
                "checkpoints.view_checkpointrecord",
                ("checkpoints:fever",),
            ),
            Entry("labs:lab_list", _("采样检测"), "labs.view_lab", ("labs",)),
            Entry("cases:case_list", _("病例救治"), "cases.view_case", ("cases",)),
            Entry(
                "fevers:episode_list",
                cast(str, _("发热闭环")),
                ("fevers.view_feverepisode", "fevers.view_feverreport"),
                ("fevers",),
            ),
            Entry(
                "quarantine:desk",
                cast(str, _("隔离管理")),
                "quarantine.view_quarantineorder",
                ("quarantine",),
            ),
            # A pharmacy (a place user) reports its buyers and sees nothing else.
            Entry(
                "fevers:pharmacy_register",
                cast(str, _("购药登记")),
                "fevers.add_feverreport",
                ("fevers:pharmacy_register",),
            ),
        ],
    ),
    (
        _("复工复产"),
        [
            Entry(
                "people:staff_survey_list",
                _("单位人员摸底"),
                "people.view_staffsurvey",
                ("people:staff_survey",),
            ),
            Entry("passes:pass_list", _("通行证"), "passes.view_pass", ("passes",)),
        ],
    ),
    (
        _("保障"),
        [
            Entry(
                "supplies:stock_list", _("应急物资"), "supplies.view_stockbalance", ("supplies",)
            ),
            Entry(
                "supplies:dispatch_list",
                _("物资调用"),
                "supplies.view_dispatchorder",
                ("supplies:dispatch", "supplies:issue"),
            ),
        ],
    ),
    (
        _("系统"),
        [
            Entry(
                "divisions:division_tree", _("行政区划"), "divisions.view_division", ("divisions",)
            ),
            Entry("imports:import_list", _("导入"), "people.import_person", ("imports",)),
            Entry(
                "accounts:user_list",
                _("用户管理"),
                "accounts.view_user",
                ("accounts:user", "accounts:lockout"),
            ),
            Entry("audit:event_list", _("审计日志"), "audit.view_auditevent", ("audit",)),
        ],
    ),
]


def current_route(request) -> tuple[str, str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    return match.namespace or "", match.url_name or ""


def route_score(pattern: str, namespace: str, url_name: str) -> int:
    """How specifically ``pattern`` covers the route: 0 not at all, 1 its namespace, more for a
    longer prefix of its URL name (``people:household`` beats ``people``)."""
    ns, _sep, prefix = pattern.partition(":")
    if not namespace or ns != namespace:
        return 0
    if not prefix:
        return 1
    return 2 + len(prefix) if url_name.startswith(prefix) else 0


def menu(request) -> list[dict]:
    """The groups this user sees, each with its entries; the current group and entry marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    namespace, url_name = current_route(request)
    groups, best, best_score = [], None, 0
    for label, entries in GROUPS:
        items = []
        for entry in entries:
            perms = (entry.perm,) if isinstance(entry.perm, str) else entry.perm
            if perms and not any(user.has_perm(p) for p in perms):
                continue
            item = {"url": reverse(entry.route), "label": entry.label, "active": False}
            score = max(route_score(p, namespace, url_name) for p in entry.patterns)
            if score > best_score:
                best, best_score = item, score
            items.append(item)
        if items:
            groups.append({"label": label, "url": items[0]["url"], "items": items})
    if best is not None:
        best["active"] = True
    for group in groups:
        group["active"] = any(item["active"] for item in group["items"])
    return groups

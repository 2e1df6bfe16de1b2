"""The navigation shell: which menu entries this user sees (by permission codename)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("dashboard:home", _("首页"), None),
    ("divisions:division_tree", _("行政区划"), "divisions.view_division"),
    ("people:person_list", _("人员台账"), "people.view_person"),
    ("people:household_list", _("一户一档"), "people.view_household"),
    ("people:staff_survey_list", _("单位人员摸底"), "people.view_staffsurvey"),
    ("imports:import_list", _("导入"), "people.import_person"),
    ("places:place_list", _("场所码"), "places.view_place"),
    ("passes:pass_list", _("通行证"), "passes.view_pass"),
    # One gate page for passes, health codes, documents and temperatures: either codename.
    (
        "checkpoints:checkpoint_mode",
        _("卡口核验"),
        ("checkpoints.add_checkpointrecord", "passes.add_passcheck"),
    ),
    ("checkpoints:fever_alerts", _("发热预警"), "checkpoints.view_checkpointrecord"),
    ("healthcodes:riskarea_list", _("健康码"), "healthcodes.view_riskarea"),
    ("supplies:stock_list", _("应急物资"), "supplies.view_stockbalance"),
    ("supplies:dispatch_list", _("物资调用"), "supplies.view_dispatchorder"),
    ("audit:event_list", _("审计日志"), "audit.view_auditevent"),
    ("accounts:user_list", _("用户管理"), "accounts.view_user"),
]


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    for url_name, label, perm in NAV:
        perms = (perm,) if isinstance(perm, str) else perm or ()
        if not perms or any(user.has_perm(p) for p in perms):
            items.append({"url": reverse(url_name), "label": label, "active": False})
    # The entry whose URL is the longest prefix of this page is the active one.
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav": items}

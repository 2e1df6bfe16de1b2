"""Home-page panel: cases (E4). Who reads cases sees them by class, the beds, and the days
without a new confirmed case for the county and their townships."""

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import Case, Ward
from .stats import class_counts, confirmed_total, days_without_confirmed


def panel(user) -> Panel | None:
    if not user.has_perm("cases.view_case"):
        return None
    cases = Case.objects.restrict(user)
    counts = class_counts(cases)
    url = reverse("cases:case_list")
    figures = [
        Figure(_("累计确诊"), confirmed_total(cases), url),
        Figure(_("疑似病例"), counts["suspected"], url, alert=bool(counts["suspected"])),
        Figure(_("治愈"), counts["cured"], url),
    ]
    if user.has_perm("cases.view_ward"):
        beds = Ward.objects.restrict(user).aggregate(c=Sum("capacity"), o=Sum("occupied"))
        figures.append(
            Figure(
                _("隔离病区在院/床位"),
                f"{beds['o'] or 0}/{beds['c'] or 0}",
                reverse("cases:hospital_list"),
            )
        )
    paths = user.division_paths()
    narrow = paths is not None and not user.holds_every_root()
    items = []
    for row in days_without_confirmed():
        outside = not any(row.path.startswith(p) or p.startswith(row.path) for p in paths or [])
        if narrow and row.path.count("/") > 1 and outside:
            continue
        days = _("无确诊病例") if row.days is None else _("连续%(n)s天无新增确诊") % {"n": row.days}
        items.append(f"{row.name}：{days}")
    return Panel(_("病例与救治"), figures, [], items=items[:8], order=30, testid="cases-card")

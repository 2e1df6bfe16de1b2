"""Home-page panel: the divisions this user holds (their jurisdiction)."""

from django.utils.translation import gettext as _

from shuangying.core.panels import Panel


def panel(user) -> Panel | None:
    # A department officer, an auditor or an enterprise contact holds no division: no panel
    # rather than an empty "jurisdiction" card with nowhere to go.
    divisions = list(user.divisions.order_by("path"))
    if not divisions:
        return None
    names = [(d.full_name() or d.name, d.get_absolute_url()) for d in divisions]
    if user.has_perm("divisions.view_division"):
        return Panel(_("我的管辖范围"), links=names, order=900, testid="divisions-panel")
    return Panel(
        _("我的管辖范围"), items=[n for n, _url in names], order=900, testid="divisions-panel"
    )

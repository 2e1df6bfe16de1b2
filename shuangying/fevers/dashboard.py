"""Home-page panel: the fever loop (E2). First on the page for whoever follows fevers: the
overdue episodes of their own jurisdiction (a township sees its grids, the county its
townships), then the open ones and the reports waiting to be resolved."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import FeverEpisode, FeverReport
from .summary import overdue_by, overdue_by_township


def panel(user) -> Panel | None:
    sees = user.has_perm("fevers.view_feverepisode")
    reports = user.has_perm("fevers.add_feverreport")
    if not (sees or reports):
        return None
    figures, items, links = [], [], []
    if sees:
        mine = FeverEpisode.objects.restrict(user)
        overdue = mine.overdue().count()
        url = reverse("fevers:episode_list")
        figures.append(Figure(_("发热超时未办"), overdue, f"{url}?overdue=on", alert=bool(overdue)))
        figures.append(Figure(_("未结案发热人员"), mine.open().count(), url))
        # The next level down of what the user holds: a county sees its townships, a township
        # its grids.
        paths = user.division_paths() or []
        holds_county = user.holds_every_root() or any(p.count("/") <= 1 for p in paths)
        rows = overdue_by_township(user) if holds_county else overdue_by(user, 0)
        items += [
            _("%(name)s 超时 %(n)s 人") % {"name": row.division.name, "n": row.overdue}
            for row in rows[:8]
        ]
    if user.has_perm("fevers.view_feverreport"):
        waiting = FeverReport.objects.restrict(user).unresolved().count()
        figures.append(
            Figure(_("待核实发热报告"), waiting, reverse("fevers:report_list"), alert=bool(waiting))
        )
    if reports and sees:
        links.append((_("登记发热人员"), reverse("fevers:report_create")))
    elif reports:  # a pharmacy's own account
        links.append((_("购药登记"), reverse("fevers:pharmacy_register")))
    return Panel(_("发热闭环"), figures, links, items=items, order=5, testid="fevers-panel")

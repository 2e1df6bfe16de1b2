"""Home-page panel: health codes that are not green in the user's jurisdiction (D1)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import HealthCodeState, PaletteColour


def panel(user) -> Panel | None:
    if not user.has_perm("healthcodes.view_healthcodestate"):
        return None
    states = HealthCodeState.objects.restrict(user)
    figures = []
    for colour in PaletteColour.objects.filter(is_default=False).order_by("severity"):
        figures.append(
            Figure(
                colour.label, states.filter(colour=colour.code).count(), alert=colour.severity > 20
            )
        )
    links = []
    if user.has_perm("healthcodes.view_riskarea"):
        links.append((_("风险地区"), reverse("healthcodes:riskarea_list")))
    return Panel(_("健康码"), figures, links, order=20, testid="healthcodes-panel")

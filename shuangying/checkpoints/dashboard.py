"""Home-page panel: today's checks and fevers at the user's checkpoints (C3)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import CheckpointRecord
from .querysets import local_day_range


def panel(user) -> Panel | None:
    if not user.has_perm("checkpoints.view_checkpointrecord"):
        return None
    today = timezone.localdate()
    records = CheckpointRecord.objects.restrict(user)
    totals = local_day_range(records, today, today).totals()
    week = today - timedelta(days=6)
    fevers_week = local_day_range(records.fevers(), week, today).count()
    alerts = reverse("checkpoints:fever_alerts")
    figures = [
        Figure(_("今日检查人次"), totals["persons"], reverse("checkpoints:dashboard")),
        Figure(_("今日检查车辆"), totals["vehicles"]),
        Figure(_("今日发现发热"), totals["fevers"], alerts, alert=totals["fevers"] > 0),
        Figure(_("近7日发热预警"), fevers_week, alerts, alert=fevers_week > 0),
    ]
    links = []
    if user.has_perm("checkpoints.add_checkpointrecord"):
        links.append((_("进入卡口检查"), reverse("checkpoints:checkpoint_mode")))
    return Panel(_("卡口检查"), figures, links, order=30, testid="checkpoints-panel")

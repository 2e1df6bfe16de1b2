"""Home-page panel for the auditor: today's trail, and the acts on personal data in it (M2)."""

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import AuditAction, AuditEvent


def panel(user) -> Panel | None:
    if not user.has_perm("audit.view_auditevent"):
        return None
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time()))
    today = AuditEvent.objects.filter(at__gte=midnight)
    sensitive = today.filter(action__in=[AuditAction.EXPORT, AuditAction.REVEAL]).count()
    failed = today.filter(action=AuditAction.LOGIN_FAILED).count()
    url = reverse("audit:event_list")
    figures = [
        Figure(_("今日审计记录"), today.count(), url),
        Figure(_("今日导出与查看明文"), sensitive, url, alert=sensitive > 0),
        Figure(_("今日登录失败"), failed, url, alert=failed > 0),
    ]
    return Panel(_("审计日志"), figures, order=80, testid="audit-panel")

"""Home-page panel for user administrators: accounts, and who is locked out (A4)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import User


def panel(user) -> Panel | None:
    if not user.has_perm("accounts.view_user"):
        return None
    users = User.objects.filter(is_active=True)
    locked = users.filter(totp_locked_until__gt=timezone.now()).count()
    url = reverse("accounts:user_list")
    figures = [
        Figure(_("在用账号"), users.count(), url),
        Figure(_("两步验证锁定"), locked, url, alert=locked > 0),
    ]
    links = (
        [(_("新建用户"), reverse("accounts:user_create"))]
        if user.has_perm("accounts.add_user")
        else []
    )
    return Panel(_("用户管理"), figures, links, order=70, testid="accounts-panel")

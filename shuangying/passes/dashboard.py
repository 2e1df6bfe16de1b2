"""Home-page panel: passes (C4). Issuers see the passes valid now in their jurisdiction and
the transport-pass applications waiting for them; whoever has asked for passes sees their own."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .choices import ApplicationStatus
from .models import Pass, PassApplication


def valid_now(qs):
    now = timezone.now()
    return qs.filter(revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now)


def panel(user) -> Panel | None:
    sees = user.has_perm("passes.view_pass")
    may_issue = user.has_perm("passes.add_pass")
    may_apply = user.has_perm("passes.add_passapplication")
    own = Pass.objects.filter(Q(issued_by=user))
    has_own = own.exists()
    applied = PassApplication.objects.filter(created_by=user).select_related("division")
    applied_rows = list(applied[:5])
    if not (sees or may_issue or may_apply or has_own or applied_rows):
        return None
    figures, items, links = [], [], []
    if sees:
        figures.append(
            Figure(
                _("有效通行证"),
                valid_now(Pass.objects.restrict(user)).count(),
                reverse("passes:pass_list"),
            )
        )
    if user.has_perm("passes.change_passapplication"):
        waiting = PassApplication.objects.restrict(user, "change").filter(
            status=ApplicationStatus.PENDING
        )
        figures.append(Figure(_("待签发申请"), waiting.count(), reverse("passes:application_list")))
    if has_own:
        figures.append(Figure(_("我办理的通行证"), own.count()))
        figures.append(Figure(_("其中有效"), valid_now(own).count()))
    if may_apply or applied_rows:
        figures.append(
            Figure(_("我的通行证申请"), applied.count(), reverse("passes:application_list"))
        )
        items += [
            _("%(holder)s %(plate)s：%(status)s")
            % {"holder": a.holder_name, "plate": a.plate, "status": a.get_status_display()}
            for a in applied_rows
        ]
    if may_issue:
        links.append((_("办理通行证"), reverse("passes:pass_create")))
    elif may_apply:
        links.append((_("申请运输通行证"), reverse("passes:pass_create")))
    return Panel(_("通行证"), figures, links, items=items, order=50, testid="passes-panel")

"""Home-page panel: passes (C4). Issuers see the passes valid now in their jurisdiction;
whoever has asked for passes sees their own."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import Pass


def valid_now(qs):
    now = timezone.now()
    return qs.filter(revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now)


def panel(user) -> Panel | None:
    sees = user.has_perm("passes.view_pass")
    may_ask = user.has_perm("passes.add_pass")
    own = Pass.objects.filter(Q(issued_by=user))
    has_own = own.exists()
    if not (sees or may_ask or has_own):
        return None
    figures = []
    if sees:
        figures.append(
            Figure(
                _("有效通行证"),
                valid_now(Pass.objects.restrict(user)).count(),
                reverse("passes:pass_list"),
            )
        )
    if has_own:
        figures.append(Figure(_("我办理的通行证"), own.count()))
        figures.append(Figure(_("其中有效"), valid_now(own).count()))
    links = [(_("办理通行证"), reverse("passes:pass_create"))] if may_ask else []
    return Panel(_("通行证"), figures, links, order=50, testid="passes-panel")

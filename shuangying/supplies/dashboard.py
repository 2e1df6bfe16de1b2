"""Home-page panel: emergency supplies (H7, H8). A store's officers see what the stores
hold, what runs low and the enterprises' open requests; whoever asked for supplies sees
their own requests and where they stand."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .choices import RequestStatus
from .models import EnterpriseRequest, Location
from .reports import current_stock


def panel(user) -> Panel | None:
    sees_stock = user.has_perm("supplies.view_stockbalance")
    sees_requests = user.has_perm("supplies.view_enterpriserequest")
    may_ask = user.has_perm("supplies.add_enterpriserequest")
    own = EnterpriseRequest.objects.filter(created_by=user).select_related("item", "recipient")
    own_rows = list(own[:5])
    if not (sees_stock or sees_requests or may_ask or own_rows):
        return None
    figures, items = [], []
    if sees_stock:
        stock = current_stock(locations=Location.objects.restrict(user))
        low = [row for row in stock if row.low]
        value = sum(row.value for row in stock)
        figures.append(Figure(_("库存金额"), f"¥{value:,.2f}", reverse("supplies:stock_list")))
        figures.append(Figure(_("低于最低库存"), len(low), alert=bool(low)))
        items += [_("低库存：%(item)s") % {"item": row.item} for row in low]
    if sees_requests:
        open_ = EnterpriseRequest.objects.restrict(user).filter(status=RequestStatus.OPEN)
        figures.append(Figure(_("待处理企业需求"), open_.count(), reverse("supplies:request_list")))
    if own_rows:
        figures.append(Figure(_("我提出的物资需求"), own.count()))
        items += [
            _("%(recipient)s：%(item)s %(qty)s（%(status)s）")
            % {
                "recipient": r.recipient,
                "item": r.item,
                "qty": f"{r.quantity.normalize():f}",
                "status": r.get_status_display(),
            }
            for r in own_rows
        ]
    links = [(_("申请物资"), reverse("supplies:request_create"))] if may_ask else []
    note = "" if may_ask else _("需要新的物资时，请联系所在乡镇防控办或县指挥部代为提出。")
    return Panel(
        _("应急物资"), figures, links, note=note, items=items, order=40, testid="supplies-card"
    )

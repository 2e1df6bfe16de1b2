"""Enterprise requests (H8): recorded, then met from stock or by a purchase."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.pages import audited_page

from .. import forms as f
from .. import services
from ..models import EnterpriseRequest
from .base import FormView, refusal_messages


class RequestListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_enterpriserequest"
    template_name = "supplies/request_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = EnterpriseRequest.objects.restrict(user).select_related(
            "recipient", "item", "dispatch_order", "purchase"
        )
        page, query = audited_page(
            self.request, qs, object_type="enterprise_request", title="企业物资需求"
        )
        ctx.update(
            page=page,
            query=query,
            stores=f.stores_for(user),
            can_meet=user.has_perm("supplies.change_enterpriserequest"),
        )
        return ctx


class RequestCreateView(FormView):
    permission_required = "supplies.add_enterpriserequest"
    form_class = f.EnterpriseRequestForm
    title = "登记企业物资需求"
    back = "supplies:request_list"

    def save(self, d):
        services.create_enterprise_request(actor=self.request.user, **d)
        messages.success(self.request, "已登记企业需求")
        return redirect("supplies:request_list")


class RequestMeetView(PermissionRequiredMixin, View):
    """Meet a request from stock (a dispatch order) or by a purchase on the enterprise's behalf."""

    permission_required = "supplies.change_enterpriserequest"

    def post(self, request, pk):
        req = get_restricted_or_404(EnterpriseRequest, request.user, "change", pk=pk)
        store = f.stores_for(request.user).filter(pk=request.POST.get("location") or 0).first()
        try:
            if store is None:
                raise ValidationError("库点：请选择您管辖的库点")
            if request.POST.get("how") == "purchase":
                purchase = services.meet_request_by_purchase(
                    actor=request.user,
                    req=req,
                    location=store,
                    supplier_name=request.POST.get("supplier", ""),
                    estimated_price=services.decimal_of(
                        request.POST.get("price", ""), label="预估单价", positive=False
                    ),
                )
                messages.success(request, f"已转为采购申请 {purchase.number}")
                return redirect(purchase)
            order = services.meet_request_from_stock(actor=request.user, req=req, source=store)
            messages.success(request, f"已生成调用指令 {order.number}")
            return redirect(order)
        except ValidationError as exc:
            refusal_messages(request, exc)
        return redirect("supplies:request_list")

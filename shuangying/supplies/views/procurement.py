"""Procurement (H2): purchase requests, the joint pre-review, the order and the joint
acceptance on arrival."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.pages import apply_errors, audited_page

from .. import forms as f
from .. import services
from ..choices import REVIEW_DEPARTMENTS, PurchaseStatus, ReviewDecision
from ..filters import PurchaseFilter
from ..lines import AcceptanceFormSet
from ..models import PurchaseRequest
from .base import LinesFormView, refusal_messages


class PurchaseListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_purchaserequest"
    template_name = "supplies/purchase_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = PurchaseFilter(self.request.GET)
        qs = form.filter(
            PurchaseRequest.objects.restrict(self.request.user).select_related(
                "location", "supplier", "budget"
            )
        )
        page, query = audited_page(
            self.request,
            qs.prefetch_related("lines").order_by("-created_at", "-pk"),
            object_type="purchase_request",
            title="物资采购",
            detail=form.chosen(),
        )
        ctx.update(page=page, query=query, filter=form)
        return ctx


class PurchaseCreateView(LinesFormView):
    permission_required = "supplies.add_purchaserequest"
    form_class = f.PurchaseForm
    title = "新增采购申请"
    back = "supplies:purchase_list"
    price_label = "预估单价（元）"

    def save(self, d, lines):
        purchase = services.create_purchase_request(
            actor=self.request.user,
            location=d["location"],
            supplier_name=d["supplier"],
            reason=d["reason"],
            budget=d["budget"],
            lines=lines,
        )
        messages.success(self.request, f"已保存采购申请 {purchase.number}，请提交联合预审")
        return redirect(purchase)


class PurchaseDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_purchaserequest"
    template_name = "supplies/purchase_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        purchase = get_restricted_or_404(
            PurchaseRequest.objects.select_related("location", "supplier", "budget"),
            user,
            pk=kwargs["pk"],
        )
        reviews = list(
            purchase.reviews.select_related("department", "reviewer").order_by(
                "-round", "department__code"
            )
        )
        reviewing = (
            user.has_perm("supplies.review_purchaserequest")
            and purchase.status == PurchaseStatus.IN_REVIEW
            and user.department_id is not None
        )
        my_review = next(
            (
                r
                for r in reviews
                if reviewing
                and r.round == purchase.review_round
                and r.department_id == user.department_id
                and r.decision == ReviewDecision.PENDING
            ),
            None,
        )
        ctx.update(
            purchase=purchase,
            lines=purchase.lines.select_related("item"),
            reviews=reviews,
            my_review=my_review,
            can_change=can(user, purchase, "change"),
            review_departments=REVIEW_DEPARTMENTS,
        )
        return ctx


class PurchaseActionView(PermissionRequiredMixin, View):
    permission_required = "supplies.change_purchaserequest"
    action = "change"

    def post(self, request, pk):
        purchase = get_restricted_or_404(PurchaseRequest, request.user, self.action, pk=pk)
        try:
            self.act(request, purchase)
        except ValidationError as exc:
            refusal_messages(request, exc)
        return redirect(purchase)


class PurchaseSubmitView(PurchaseActionView):
    def act(self, request, purchase):
        services.submit_purchase_request(actor=request.user, purchase=purchase)
        messages.success(request, "已提交联合预审（财政、卫健、市场监管、工信）")


class PurchaseReviewView(PurchaseActionView):
    permission_required = "supplies.review_purchaserequest"
    action = "view"

    def act(self, request, purchase):
        services.review_purchase_request(
            actor=request.user,
            purchase=purchase,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, "审核意见已提交")


class PurchaseOrderView(PurchaseActionView):
    def act(self, request, purchase):
        prices = {
            line.pk: request.POST.get(f"price_{line.pk}", "").strip() or None
            for line in purchase.lines.all()
        }
        services.place_order(
            actor=request.user,
            purchase=purchase,
            order_number=request.POST.get("order_number", ""),
            prices=prices,
        )
        messages.success(request, "已订购")


class PurchaseAcceptView(PermissionRequiredMixin, View):
    """Joint acceptance on arrival: per line what arrived, what passed, why the rest did not
    (a formset, one form per line of the purchase)."""

    permission_required = "supplies.change_purchaserequest"
    template_name = "supplies/purchase_accept.html"

    def forms(self, request, pk, data=None):
        purchase = get_restricted_or_404(
            PurchaseRequest.objects.select_related("location", "supplier"),
            request.user,
            "change",
            pk=pk,
        )
        lines = purchase.lines.select_related("item")
        return (
            purchase,
            f.AcceptanceTeamForm(data),
            AcceptanceFormSet(data, prefix="lines", lines=lines),
        )

    def render(self, request, purchase, form, formset, status=200):
        context = {"purchase": purchase, "form": form, "formset": formset}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(request, *self.forms(request, pk))

    def post(self, request, pk):
        purchase, form, formset = self.forms(request, pk, request.POST)
        if all([form.is_valid(), formset.is_valid()]):
            try:
                services.accept_delivery(
                    actor=request.user,
                    purchase=purchase,
                    results=formset.acceptances(),
                    acceptance_team=form.cleaned_data["acceptance_team"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "联合验收完成，合格物资已入库")
                return redirect(purchase)
        return self.render(request, purchase, form, formset, status=400)

"""Donations (H3): recorded, accepted, thanked and published."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.core.excel import Column
from shuangying.pages import apply_errors, audited_page

from .. import forms as f
from .. import services
from ..choices import DonationStatus
from ..lines import DonationAcceptanceFormSet
from ..models import Donation
from .base import LinesFormView, xlsx


class DonationListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_donation"
    template_name = "supplies/donation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = Donation.objects.restrict(self.request.user).select_related("location")
        page, query = audited_page(
            self.request,
            qs.prefetch_related("lines__item").order_by("-received_on", "-pk"),
            object_type="donation",
            title="捐赠物资",
        )
        ctx.update(page=page, query=query)
        return ctx


class DonationCreateView(LinesFormView):
    permission_required = "supplies.add_donation"
    form_class = f.DonationForm
    title = "登记捐赠"
    back = "supplies:donation_list"
    price_label = "申报价值（元，合计）"

    def save(self, d, lines):
        donation = services.record_donation(actor=self.request.user, lines=lines, **d)
        messages.success(self.request, f"已登记捐赠 {donation.number}，请组织验收")
        return redirect(donation)


class DonationDetailView(PermissionRequiredMixin, TemplateView):
    """A donation; while it waits for acceptance, the acceptance form (a row per line)."""

    permission_required = "supplies.view_donation"
    template_name = "supplies/donation_detail.html"

    def get_context_data(self, data=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        donation = get_restricted_or_404(
            Donation.objects.select_related("location"), self.request.user, pk=kwargs["pk"]
        )
        lines = donation.lines.select_related("item")
        can_accept = donation.status == DonationStatus.PENDING and can(
            self.request.user, donation, "change"
        )
        ctx.update(donation=donation, lines=lines, can_accept=can_accept)
        if can_accept:
            ctx.update(
                form=f.AcceptanceTeamForm(data),
                formset=DonationAcceptanceFormSet(data, prefix="lines", lines=lines),
            )
        return ctx


class DonationAcceptView(DonationDetailView):
    """Accept a donation like a delivery: all of a line unless less passed (with a reason)."""

    permission_required = "supplies.change_donation"
    http_method_names = ["post"]

    def post(self, request, pk):
        get_restricted_or_404(Donation, request.user, "change", pk=pk)
        ctx = self.get_context_data(data=request.POST, pk=pk)
        form, formset = ctx.get("form"), ctx.get("formset")
        if form is None:
            messages.error(request, "状态：该捐赠已验收")
            return redirect(ctx["donation"])
        if all([form.is_valid(), formset.is_valid()]):
            try:
                services.accept_donation(
                    actor=request.user,
                    donation=ctx["donation"],
                    accepted=formset.accepted(),
                    reasons=formset.reasons(),
                    acceptance_team=form.cleaned_data["acceptance_team"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "捐赠物资已验收入库")
                return redirect(ctx["donation"])
        return self.render_to_response(ctx, status=400)


class DonationLetterView(DonationDetailView):
    """A printable thank-you letter (感谢信)."""

    template_name = "supplies/donation_letter.html"


PUBLIC_COLUMNS = (
    Column("接收日期", 12),
    Column("捐赠方", 24),
    Column("捐赠方类型", 10),
    Column("物资", 18),
    Column("数量", 12, text=False),
    Column("单位", 6),
    Column("申报价值（元）", 12, text=False),
)


class DonationPublicExportView(PermissionRequiredMixin, View):
    """捐赠公示: every accepted donation, anonymous donors as such."""

    permission_required = ("supplies.view_donation", "supplies.export_stockbalance")

    def get(self, request):
        qs = (
            Donation.objects.restrict(request.user)
            .filter(status=DonationStatus.ACCEPTED)
            .prefetch_related("lines__item")
            .order_by("received_on", "pk")
        )
        rows = (
            [
                d.received_on,
                d.public_name,
                d.get_donor_kind_display(),
                line.item.name,
                line.accepted,
                line.item.unit,
                line.declared_value,
            ]
            for d in qs
            for line in d.lines.all()
            if line.accepted > 0
        )
        return xlsx(
            request, title="捐赠公示", columns=PUBLIC_COLUMNS, rows=rows, object_type="donation"
        )

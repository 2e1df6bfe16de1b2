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
from shuangying.pages import audited_page

from .. import forms as f
from .. import services
from ..choices import DonationStatus
from ..models import Donation
from .base import LinesFormView, refusal_messages, xlsx


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
    price_label = "申报价值(元,合计)"

    def save(self, d, lines):
        donation = services.record_donation(actor=self.request.user, lines=lines, **d)
        messages.success(self.request, f"已登记捐赠 {donation.number},请组织验收")
        return redirect(donation)


class DonationDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_donation"
    template_name = "supplies/donation_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        donation = get_restricted_or_404(
            Donation.objects.select_related("location"), self.request.user, pk=kwargs["pk"]
        )
        ctx.update(
            donation=donation,
            lines=donation.lines.select_related("item"),
            can_accept=donation.status == DonationStatus.PENDING
            and can(self.request.user, donation, "change"),
        )
        return ctx


class DonationAcceptView(PermissionRequiredMixin, View):
    permission_required = "supplies.change_donation"

    def post(self, request, pk):
        donation = get_restricted_or_404(Donation, request.user, "change", pk=pk)
        lines = donation.lines.all()
        try:
            services.accept_donation(
                actor=request.user,
                donation=donation,
                accepted={line.pk: request.POST.get(f"accepted_{line.pk}", "") for line in lines},
                reasons={line.pk: request.POST.get(f"reason_{line.pk}", "") for line in lines},
                acceptance_team=request.POST.get("acceptance_team", ""),
            )
        except ValidationError as exc:
            refusal_messages(request, exc)
        else:
            messages.success(request, "捐赠物资已验收入库")
        return redirect(donation)


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
    Column("申报价值(元)", 12, text=False),
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

"""Pages of the daily reports (F3): the person's phone page from their personal link (no
login; a forged or expired link is 403 and writes nothing), the grid worker's report on the
order page, and the missing-report list (the grid worker's from the cut-off, the township's
an hour later)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import TemplateView

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.masking import mask_name
from shuangying.pages import apply_errors

from . import services
from .forms import ReportForm
from .models import QuarantineOrder
from .tokens import ReportTokenError, order_for_token
from .views import OrderDetailView


def initial_report() -> dict:
    return {"day": timezone.localdate(), "slot": services.current_slot()}


def submit(form, order, actor) -> services.ReportResult | None:
    try:
        return services.submit_report(order=order, actor=actor, **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def public_report(request, token):
    """The person's own report, from the link printed on their notice."""
    try:
        order = order_for_token(token)
    except ReportTokenError as exc:
        message = "链接无效或已过期，请联系网格员。" if exc.reason == "expired" else "链接无效。"
        return render(request, "quarantine/public_error.html", {"message": message}, status=403)
    form = ReportForm(request.POST or None, initial=initial_report())
    done = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and (done := submit(form, order, None)) is not None:
            form = ReportForm(initial=initial_report())
        else:
            status = 400
    return render(
        request,
        "quarantine/public_report.html",
        {"form": form, "done": done, "masked_name": mask_name(order.person.name), "order": order},
        status=status,
    )


class OrderReportView(OrderDetailView):
    """The grid worker (or the desk) reports for the person."""

    permission_required = "quarantine.add_dailyreport"

    def post(self, request, pk):
        order = self.order(pk)
        form = ReportForm(request.POST)
        if form.is_valid() and (result := submit(form, order, request.user)) is not None:
            text = "已记录健康报告" if result.created else "该时段已报告，数值相同"
            if result.corrected:
                text = "已更正健康报告"
            if result.report.abnormal:
                text += "；报告异常，已转入发热闭环"
            messages.success(request, text)
            return redirect(order)
        return self.failed(order, report=form)


class MissingView(PermissionRequiredMixin, TemplateView):
    permission_required = "quarantine.view_quarantineorder"
    template_name = "quarantine/missing.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.localtime()
        grid = user.groups.filter(name="grid_worker").exists()
        delay = 0 if grid else settings.QUARANTINE_TOWNSHIP_DELAY_MINUTES
        orders = QuarantineOrder.objects.restrict(user).select_related("person", "grid_worker")
        slots = []
        for slot in services.SLOTS:
            rows = list(
                services.missing_reports(orders, day=now.date(), slot=slot, now=now, delay=delay)[
                    :500
                ]
            )
            slots.append((slot, services.cutoff(now.date(), slot), rows))
        record_event(
            action=AuditAction.LIST,
            object_type="quarantine_order",
            summary=f"查看未报告人员 {sum(len(r) for _s, _c, r in slots)}人",
        )
        ctx.update(slots=slots, delay=delay, today=now.date())
        return ctx

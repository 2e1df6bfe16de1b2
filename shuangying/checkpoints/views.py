"""Checkpoint pages (C3): checkpoint mode on a phone (works offline), fever alerts that update
themselves, and the daily counters with their Excel export."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.audit.exports import watermark_text
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import XLSX_CONTENT_TYPE, Column, write_xlsx
from shuangying.core.masking import mask_name
from shuangying.healthcodes.fever import FEVER_THRESHOLD, TEMPERATURE_MAX, TEMPERATURE_MIN
from shuangying.places.models import Place

from .choices import Direction, FeverDisposal, Outcome, VehicleType
from .forms import CounterFilter
from .models import CheckpointDay, CheckpointRecord
from .services import checkpoints_for, handle_fever
from .validators import PROVINCES

FEVER_LIMIT = 50
RECORD_PERM = "checkpoints.add_checkpointrecord"
PASS_PERM = "passes.add_passcheck"


class CheckpointModeView(PermissionRequiredMixin, TemplateView):
    """卡口核验, the one gate page staff keep open: the camera (or a hardware scanner, or typing)
    reads whatever is shown — a pass is checked at once (放行/劝返), a health code shows its
    colour and joins the check, a document number identifies the person — and the check is
    recorded with the temperature. Everything it needs to record offline is in the page
    itself (its checkpoints, the CSRF token) and cached by the service worker; pass checks
    need the network. Staff who only check passes (compound gates) see the pass part."""

    permission_required = (RECORD_PERM, PASS_PERM)
    template_name = "checkpoints/checkpoint_mode.html"

    def has_permission(self):
        return any(self.request.user.has_perm(p) for p in self.permission_required)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_record = user.has_perm(RECORD_PERM)
        gates = (
            checkpoints_for(user)
            if can_record
            else Place.objects.restrict(user).filter(is_active=True).order_by("name")
        )
        ctx.update(
            can_record=can_record,
            can_check_pass=user.has_perm(PASS_PERM),
            selected=self.request.GET.get("place", ""),
            checkpoints=list(gates.select_related("division")),
            directions=Direction.choices,
            outcomes=Outcome.choices,
            vehicle_types=VehicleType.choices,
            provinces=PROVINCES,
            temperature_min=TEMPERATURE_MIN,
            temperature_max=TEMPERATURE_MAX,
            fever_threshold=FEVER_THRESHOLD,
        )
        return ctx


class ServiceWorkerView(TemplateView):
    """The service worker, served from /checkpoints/ so that its scope is checkpoint mode.
    A template, so that it names the static files by their (hashed, in production) URLs."""

    template_name = "checkpoints/sw.js"
    content_type = "application/javascript"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Service-Worker-Allowed"] = "/checkpoints/"
        response["Cache-Control"] = "no-cache"
        return response


def _fevers(user, since: int):
    """The newest fevers above ``since``, each with the masked name of its person and the
    link to them only where ``access.can`` lets this user open the person."""
    fevers = list(
        CheckpointRecord.objects.restrict(user)
        .fevers()
        .filter(pk__gt=since)
        .select_related("checkpoint__division", "person", "handled_by")
        .order_by("-pk")[:FEVER_LIMIT]
    )
    may_handle = user.has_perm("checkpoints.change_checkpointrecord")
    for fever in fevers:
        person = fever.person
        fever.masked_name = mask_name(person.name) if person else ""
        fever.person_url = (
            reverse("people:person_detail", args=[person.pk]) if can(user, person) else ""
        )
        fever.may_handle = may_handle and fever.handled_at is None
    return fevers


class FeverAlertView(PermissionRequiredMixin, TemplateView):
    """发热预警: the latest fevers at checkpoints in the user's jurisdiction; the list polls
    for newer ones every few seconds (htmx) without reloading."""

    permission_required = "checkpoints.view_checkpointrecord"
    template_name = "checkpoints/fever_alerts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fevers = _fevers(self.request.user, 0)
        ctx["fevers"] = fevers
        ctx["disposals"] = FeverDisposal.choices
        ctx["last_id"] = fevers[0].pk if fevers else 0
        # The list shows masked document numbers of people with a fever (M2). The polls that
        # follow show only what this audited page goes on to display.
        record_event(
            action=AuditAction.LIST,
            object_type="checkpoint_record",
            summary=f"查看发热预警 {len(fevers)}条",
        )
        return ctx


class FeverPartialView(PermissionRequiredMixin, TemplateView):
    """Fevers with an id above ``since``: one indexed query per poll."""

    permission_required = "checkpoints.view_checkpointrecord"
    template_name = "checkpoints/partials/fever_rows.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            since = max(int(self.request.GET.get("since", 0)), 0)
        except ValueError:
            since = 0
        fevers = _fevers(self.request.user, since)
        ctx["fevers"] = fevers
        ctx["disposals"] = FeverDisposal.choices
        ctx["last_id"] = fevers[0].pk if fevers else since
        return ctx


class FeverHandleView(PermissionRequiredMixin, View):
    """Mark one fever alert handled (who, when, where the person was sent)."""

    permission_required = "checkpoints.change_checkpointrecord"

    def post(self, request, pk):
        record = get_restricted_or_404(
            CheckpointRecord.objects.select_related("checkpoint"), request.user, "change", pk=pk
        )
        try:
            handle_fever(
                actor=request.user,
                record=record,
                sent_to=request.POST.get("sent_to", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, "已标记为已处置")
        return redirect("checkpoints:fever_alerts")


def _dashboard_query(request):
    """The filter form and the daily counters it selects, within the user's jurisdiction."""
    checkpoints = list(
        Place.objects.restrict(request.user).checkpoints().select_related("division")
    )
    form = CounterFilter(request.GET or None, checkpoints=checkpoints)
    qs = CheckpointDay.objects.restrict(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        qs = qs.between(data["start"], data["end"])
        if data["checkpoint"]:
            qs = qs.filter(checkpoint_id=data["checkpoint"])
    return form, qs


class CounterDashboardView(PermissionRequiredMixin, TemplateView):
    """Daily counters per checkpoint and the total over the user's jurisdiction (C3)."""

    permission_required = "checkpoints.view_checkpointrecord"
    template_name = "checkpoints/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, qs = _dashboard_query(self.request)
        ctx.update(form=form, totals=qs.totals(), rows=list(qs.rows()[:500]))
        ctx["can_export"] = self.request.user.has_perm("checkpoints.export_checkpointrecord")
        ctx["query"] = self.request.GET.urlencode()
        return ctx


COUNTER_COLUMNS = [
    Column("日期", 12),
    Column("卡口", 24),
    Column("所在区划", 16),
    Column("检查人数", 10, text=False),
    Column("检查车辆", 10, text=False),
    Column("发现发热", 10, text=False),
    Column("劝返", 10, text=False),
]


class CounterExportView(PermissionRequiredMixin, View):
    """The dashboard's rows as a watermarked, audited xlsx (a total row last)."""

    permission_required = "checkpoints.export_checkpointrecord"

    def get(self, request):
        _form, qs = _dashboard_query(request)
        totals = qs.totals()

        def rows():
            for row in qs.rows().iterator():
                yield [
                    row.day.isoformat(),
                    row.checkpoint.name,
                    row.checkpoint.division.name,
                    row.persons,
                    row.vehicles,
                    row.fevers,
                    row.turned_back,
                ]
            yield [
                "合计",
                "",
                "",
                totals["persons"],
                totals["vehicles"],
                totals["fevers"],
                totals["turned_back"],
            ]

        stream = io.BytesIO()
        mark = watermark_text(request.user, timezone.now())
        count = write_xlsx(
            stream,
            sheet_name="卡口检查统计",
            columns=COUNTER_COLUMNS,
            rows=rows(),
            watermark=f"{mark} 内部资料 严禁外传",
            creator=request.user.get_username(),
        )
        record_event(
            action=AuditAction.EXPORT,
            object_type="checkpoint_record",
            summary=f"导出卡口检查统计 {count}行",
            detail={"rows": count, "watermark": mark},
        )
        response = HttpResponse(stream.getvalue(), content_type=XLSX_CONTENT_TYPE)
        name = f"checkpoint-counters-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

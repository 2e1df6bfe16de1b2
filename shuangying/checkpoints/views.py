"""Checkpoint pages (C3): checkpoint mode on a phone (works offline), fever alerts that update
themselves, and the daily counters with their Excel export."""

from __future__ import annotations

import io

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.audit.exports import watermark_text
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import XLSX_CONTENT_TYPE, Column, write_xlsx
from shuangying.healthcodes.fever import FEVER_THRESHOLD, TEMPERATURE_MAX, TEMPERATURE_MIN
from shuangying.places.models import Place

from .choices import Direction, Outcome, VehicleType
from .forms import CounterFilter
from .models import CheckpointDay, CheckpointRecord
from .services import checkpoints_for
from .validators import PROVINCES

FEVER_LIMIT = 50


class CheckpointModeView(PermissionRequiredMixin, TemplateView):
    """The page staff keep open at the checkpoint. Everything it needs to work offline is in
    the page itself (its checkpoints, the CSRF token) and cached by the service worker."""

    permission_required = "checkpoints.add_checkpointrecord"
    template_name = "checkpoints/checkpoint_mode.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            checkpoints=list(checkpoints_for(self.request.user).select_related("division")),
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
    return list(
        CheckpointRecord.objects.restrict(user)
        .fevers()
        .filter(pk__gt=since)
        .select_related("checkpoint__division")
        .order_by("-pk")[:FEVER_LIMIT]
    )


class FeverAlertView(PermissionRequiredMixin, TemplateView):
    """发热预警: the latest fevers at checkpoints in the user's jurisdiction; the list polls
    for newer ones every few seconds (htmx) without reloading."""

    permission_required = "checkpoints.view_checkpointrecord"
    template_name = "checkpoints/fever_alerts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fevers = _fevers(self.request.user, 0)
        ctx["fevers"] = fevers
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
        ctx["last_id"] = fevers[0].pk if fevers else since
        return ctx


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

"""Stock, the ledger, transfers and processing (H4, H6, H7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.core.excel import Column
from shuangying.pages import audited_page

from .. import forms as f
from .. import reports, services
from ..choices import STORE_KINDS, MoveKind
from ..filters import MoveFilter, StockFilter
from ..ledger import fmt
from ..models import Location, ProcessingRun, StockBalance, StockMove
from .base import FormView, LinesFormView, xlsx


def store_locations(user):
    return Location.objects.restrict(user).filter(kind__in=STORE_KINDS)


class StockListView(PermissionRequiredMixin, TemplateView):
    """Stock per store and item, with the low-stock alerts (H7). An item under its minimum is
    in the table too, at 0 where a store has run out, highlighted; one that no store holds at
    all has a row of its own, so that every item of the alert can be found in the table."""

    permission_required = "supplies.view_stockbalance"
    template_name = "supplies/stock_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        locations = store_locations(user)
        low = reports.low_stock(locations=locations)
        low_ids = {row.item_id for row in low}
        form = StockFilter(self.request.GET, locations=locations)
        qs = form.filter(
            StockBalance.objects.restrict(user)
            .filter(Q(quantity__gt=0) | Q(item_id__in=low_ids))
            .select_related("location", "item__category")
        )
        chosen = form.values()
        held = set(qs.filter(item_id__in=low_ids).values_list("item_id", flat=True))
        unheld = [
            row
            for row in low
            if row.item_id not in held
            and "location" not in chosen
            and ("category" not in chosen or chosen["category"].name == row.category)
        ]
        page, query = audited_page(
            self.request,
            qs.order_by("location__name", "item__category__sort_order", "item_id"),
            object_type="stock_balance",
            title="物资库存",
            detail=form.chosen(),
        )
        ctx.update(page=page, query=query, filter=form, low=low, low_ids=low_ids, unheld=unheld)
        return ctx


STOCK_COLUMNS = (
    Column("库点", 18),
    Column("类别", 10),
    Column("物资", 18),
    Column("规格", 12),
    Column("单位", 6),
    Column("库存", 12, text=False),
    Column("最低库存", 10, text=False),
)


class StockExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockbalance", "supplies.export_stockbalance")

    def get(self, request):
        qs = (
            StockBalance.objects.restrict(request.user)
            .filter(quantity__gt=0)
            .order_by("location__name", "item_id")
            .values_list(
                "location__name",
                "item__category__name",
                "item__name",
                "item__specification",
                "item__unit",
                "quantity",
                "item__min_stock",
            )
        )
        return xlsx(
            request,
            title="物资库存",
            columns=STOCK_COLUMNS,
            rows=qs.iterator(),
            object_type="stock_balance",
        )


def filtered_moves(request) -> tuple[MoveFilter, object]:
    form = MoveFilter(request.GET, locations=store_locations(request.user))
    qs = StockMove.objects.restrict(request.user).select_related(
        "item", "from_location", "to_location"
    )
    return form, form.filter(qs).order_by("-moved_at", "-pk")


class MoveListView(PermissionRequiredMixin, TemplateView):
    """The ledger (出入库台账): every move, from where to where; reversals marked."""

    permission_required = "supplies.view_stockmove"
    template_name = "supplies/move_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, qs = filtered_moves(self.request)
        page, query = audited_page(
            self.request, qs, object_type="stock_move", title="出入库台账", detail=form.chosen()
        )
        ctx.update(page=page, query=query, filter=form)
        return ctx


MOVE_COLUMNS = (
    Column("时间", 17),
    Column("类型", 10),
    Column("物资", 18),
    Column("数量", 12, text=False),
    Column("单位", 6),
    Column("来源", 20),
    Column("去向", 20),
    Column("金额（元）", 12, text=False),
    Column("单据", 18),
    Column("冲销记录", 10),
    Column("备注", 24),
)


class MoveExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockmove", "supplies.export_stockbalance")

    def get(self, request):
        form, qs = filtered_moves(request)
        kinds = dict(MoveKind.choices)
        tz = timezone.get_current_timezone()
        rows = (
            [
                f"{m.moved_at.astimezone(tz):%Y-%m-%d %H:%M}",
                str(kinds.get(m.kind, m.kind)),
                m.item.name,
                m.quantity,
                m.item.unit,
                m.from_location.name,
                m.to_location.name,
                m.amount,
                m.document,
                "是" if m.reverses_id else "",
                m.note,
            ]
            for m in qs.iterator(chunk_size=2000)
        )
        return xlsx(
            request,
            title="出入库台账",
            columns=MOVE_COLUMNS,
            rows=rows,
            object_type="stock_move",
            filters=form.chosen(),
        )


class TransferCreateView(LinesFormView):
    permission_required = "supplies.add_stockmove"
    form_class = f.TransferForm
    title = "库点调拨"
    back = "supplies:stock_list"

    def save(self, d, lines):
        services.transfer_stock(actor=self.request.user, lines=lines, **d)
        messages.success(self.request, "调拨已入账")
        return redirect("supplies:stock_list")


class ProcessingListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_processingrun"
    template_name = "supplies/processing_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = ProcessingRun.objects.restrict(self.request.user).select_related(
            "location", "input_item", "output_item"
        )
        page, query = audited_page(self.request, qs, object_type="processing_run", title="物资加工")
        ctx.update(page=page, query=query)
        return ctx


class ProcessingCreateView(FormView):
    permission_required = "supplies.add_processingrun"
    form_class = f.ProcessingForm
    title = "登记加工"
    back = "supplies:processing_list"

    def save(self, d):
        run = services.record_processing(actor=self.request.user, **d)
        messages.success(
            self.request,
            f"已登记加工：{run.input_item}{fmt(run.input_quantity)}{run.input_item.unit}→"
            f"{run.output_item}{fmt(run.output_quantity)}{run.output_item.unit}",
        )
        return redirect("supplies:processing_list")

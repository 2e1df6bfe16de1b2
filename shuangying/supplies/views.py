"""Pages of emergency supplies (H1–H8): stock and the ledger, the catalogue, procurement with
the joint pre-review and acceptance, donations (thank-you letter, public list), processing,
transfers, dispatch orders issued in batches and signed for (handover note), enterprise
requests, and the reports, each exported to Excel. Jurisdiction through ``restrict`` and
``get_restricted_or_404``; every write is one service call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.exports import export_rows, xlsx_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column
from shuangying.pages import audited_page

from . import forms as f
from . import reports, services
from .choices import (
    REVIEW_DEPARTMENTS,
    STORE_KINDS,
    DispatchStatus,
    DonationStatus,
    IssueStatus,
    MoveKind,
    PurchaseStatus,
    ReviewDecision,
)
from .ledger import fmt
from .models import (
    Category,
    DispatchOrder,
    Donation,
    EnterpriseRequest,
    Issue,
    Item,
    Location,
    ProcessingRun,
    PurchaseRequest,
    StockBalance,
    StockMove,
)


def add_errors(form, exc: ValidationError) -> list[str]:
    """Put a service's ValidationError on the form's fields; return what belongs to no field."""
    loose = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if form is not None and field in form.fields:
                form.add_error(field, errors)
            else:
                loose.extend(errors)
    else:
        loose.extend(exc.messages)
    return loose


def can(user, model, action: str, obj) -> bool:
    return model.objects.restrict(user, action).filter(pk=obj.pk).exists()


def xlsx(request, *, title, columns, rows, object_type, filters=None):
    return xlsx_response(
        lambda stream: export_rows(
            stream=stream,
            user=request.user,
            sheet_name=title,
            columns=columns,
            rows=rows,
            object_type=object_type,
            filters=filters,
        ),
        title,
    )


def period_of(request) -> tuple[f.PeriodForm, date | None, date]:
    form = f.PeriodForm(request.GET or None)
    start, end = None, timezone.localdate()
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"]
        end = form.cleaned_data["end"] or end
    return form, start, end


# --- stock and the ledger (H6) ----------------------------------------------------------------


class StockListView(PermissionRequiredMixin, TemplateView):
    """Stock per store and item, with the low-stock alerts (H7)."""

    permission_required = "supplies.view_stockbalance"
    template_name = "supplies/stock_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        locations = Location.objects.restrict(user).filter(kind__in=STORE_KINDS)
        qs = (
            StockBalance.objects.restrict(user)
            .filter(quantity__gt=0)
            .select_related("location", "item__category")
        )
        location = params.get("location", "")
        if location.isdigit():
            qs = qs.filter(location_id=location)
        category = params.get("category", "")
        if category.isdigit():
            qs = qs.filter(item__category_id=category)
        page, query = audited_page(
            self.request,
            qs.order_by("location__name", "item__category__sort_order", "item_id"),
            object_type="stock_balance",
            title="物资库存",
        )
        ctx.update(
            page=page,
            query=query,
            locations=locations,
            categories=Category.objects.all(),
            location=location,
            category=category,
            low=reports.low_stock(locations=locations),
        )
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


def move_queryset(user, params):
    qs = StockMove.objects.restrict(user).select_related("item", "from_location", "to_location")
    filters = {}
    item = params.get("item", "")
    if item.isdigit():
        qs = qs.filter(item_id=item)
        filters["item"] = item
    kind = params.get("kind", "")
    if kind in MoveKind.values:
        qs = qs.filter(kind=kind)
        filters["kind"] = kind
    location = params.get("location", "")
    if location.isdigit():
        qs = qs.filter(Q(from_location_id=location) | Q(to_location_id=location))
        filters["location"] = location
    form = f.PeriodForm(params or None)
    if form.is_bound and form.is_valid():
        lo, hi = reports.period_bounds(form.cleaned_data["start"], form.cleaned_data["end"])
        if lo:
            qs = qs.filter(moved_at__gte=lo)
        if hi:
            qs = qs.filter(moved_at__lt=hi)
    return qs.order_by("-moved_at", "-pk"), filters, form


class MoveListView(PermissionRequiredMixin, TemplateView):
    """The ledger (出入库台账): every move, from where to where; reversals marked."""

    permission_required = "supplies.view_stockmove"
    template_name = "supplies/move_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs, filters, form = move_queryset(self.request.user, self.request.GET)
        page, query = audited_page(
            self.request, qs, object_type="stock_move", title="出入库台账", detail=filters
        )
        ctx.update(
            page=page,
            query=query,
            form=form,
            items=Item.objects.all(),
            kinds=MoveKind.choices,
            locations=Location.objects.restrict(self.request.user).filter(kind__in=STORE_KINDS),
            params=self.request.GET,
        )
        return ctx


MOVE_COLUMNS = (
    Column("时间", 17),
    Column("类型", 10),
    Column("物资", 18),
    Column("数量", 12, text=False),
    Column("单位", 6),
    Column("来源", 20),
    Column("去向", 20),
    Column("金额(元)", 12, text=False),
    Column("单据", 18),
    Column("冲销记录", 10),
    Column("备注", 24),
)


class MoveExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockmove", "supplies.export_stockbalance")

    def get(self, request):
        qs, filters, _form = move_queryset(request.user, request.GET)
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
            filters=filters,
        )


# --- catalogue and places (H1) ----------------------------------------------------------------


class ItemListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_item"
    template_name = "supplies/item_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = Item.objects.select_related("category").prefetch_related("conversions")
        ctx["locations"] = Location.objects.restrict(self.request.user).filter(kind__in=STORE_KINDS)
        return ctx


class ItemCreateView(PermissionRequiredMixin, View):
    permission_required = "supplies.add_item"
    template_name = "supplies/form.html"
    title = "新增物资"

    def item(self, pk=None):
        return None

    def render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "title": self.title, "back": "supplies:item_list"},
            status=status,
        )

    def initial(self, item):
        return None

    def get(self, request, pk=None):
        item = self.item(pk)
        return self.render(request, f.ItemForm(initial=self.initial(item)))

    def post(self, request, pk=None):
        item = self.item(pk)
        form = f.ItemForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.save_item(
                    actor=request.user,
                    item=item,
                    category=d["category"],
                    name=d["name"],
                    unit=d["unit"],
                    specification=d["specification"],
                    min_stock=d["min_stock"],
                    daily_consumption=d["daily_consumption"],
                    conversions=d["conversions"],
                )
            except ValidationError as exc:
                for error in add_errors(form, exc):
                    form.add_error(None, error)
            else:
                messages.success(request, f"已保存物资 {d['name']}")
                return redirect("supplies:item_list")
        return self.render(request, form, status=400)


class ItemUpdateView(ItemCreateView):
    permission_required = "supplies.change_item"
    title = "修改物资"

    def item(self, pk=None):
        return get_restricted_or_404(Item, self.request.user, "change", pk=pk)

    def initial(self, item):
        return {
            "category": item.category_id,
            "name": item.name,
            "unit": item.unit,
            "specification": item.specification,
            "min_stock": item.min_stock,
            "daily_consumption": item.daily_consumption,
            "conversions": "\n".join(
                f"{c.unit}={c.factor.normalize():f}" for c in item.conversions.all()
            ),
        }


class SimpleCreateView(PermissionRequiredMixin, View):
    """A one-form page whose POST is one service call."""

    template_name = "supplies/form.html"
    form_class = None
    title = ""
    back = ""

    def form(self, data=None):
        return self.form_class(data, user=self.request.user)

    def get(self, request):
        return render(request, self.template_name, self.context(self.form()))

    def context(self, form, **extra):
        return {"form": form, "title": self.title, "back": self.back, **extra}

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                done = self.save(form.cleaned_data)
            except ValidationError as exc:
                for error in add_errors(form, exc):
                    form.add_error(None, error)
            else:
                return done
        return render(request, self.template_name, self.context(form), status=400)


class LocationCreateView(SimpleCreateView):
    permission_required = "supplies.add_location"
    form_class = f.LocationForm
    title = "新增库点"
    back = "supplies:item_list"

    def save(self, d):
        services.create_location(actor=self.request.user, **d)
        messages.success(self.request, f"已新增库点 {d['name']}")
        return redirect("supplies:item_list")


class RecipientCreateView(SimpleCreateView):
    permission_required = "supplies.add_recipient"
    form_class = f.RecipientForm
    title = "新增领用单位"
    back = "supplies:dispatch_list"

    def save(self, d):
        services.create_recipient(actor=self.request.user, **d)
        messages.success(self.request, f"已新增领用单位 {d['name']}")
        return redirect("supplies:dispatch_list")


class LinesCreateView(SimpleCreateView):
    """A document with item rows (purchase, donation, transfer, dispatch order)."""

    template_name = "supplies/lines_form.html"
    price = False
    price_label = "单价(元)"

    def context(self, form, **extra):
        return super().context(
            form,
            rows=f.line_rows(self.request.POST if self.request.method == "POST" else None),
            items=Item.objects.filter(is_active=True),
            price=self.price,
            price_label=self.price_label,
            **extra,
        )

    def post(self, request):
        form = self.form(request.POST)
        lines, errors = f.parse_lines(request.POST, price=self.price)
        if form.is_valid() and not errors:
            try:
                return self.save(form.cleaned_data, lines)
            except ValidationError as exc:
                errors = add_errors(form, exc)
        return render(request, self.template_name, self.context(form, errors=errors), status=400)


# --- procurement (H2) -----------------------------------------------------------------------


class PurchaseListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_purchaserequest"
    template_name = "supplies/purchase_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = PurchaseRequest.objects.restrict(self.request.user).select_related(
            "location", "supplier", "budget"
        )
        status = self.request.GET.get("status", "")
        if status in PurchaseStatus.values:
            qs = qs.filter(status=status)
        page, query = audited_page(
            self.request,
            qs.prefetch_related("lines").order_by("-created_at", "-pk"),
            object_type="purchase_request",
            title="物资采购",
        )
        ctx.update(page=page, query=query, statuses=PurchaseStatus.choices, status=status)
        return ctx


class PurchaseCreateView(LinesCreateView):
    permission_required = "supplies.add_purchaserequest"
    form_class = f.PurchaseForm
    title = "新增采购申请"
    back = "supplies:purchase_list"
    price = True
    price_label = "预估单价(元)"

    def save(self, d, lines):
        purchase = services.create_purchase_request(
            actor=self.request.user,
            location=d["location"],
            supplier_name=d["supplier"],
            reason=d["reason"],
            budget=d["budget"],
            lines=lines,
        )
        messages.success(self.request, f"已保存采购申请 {purchase.number},请提交联合预审")
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
        department = user.department
        my_review = next(
            (
                r
                for r in reviews
                if r.round == purchase.review_round
                and department is not None
                and r.department_id == department.pk
                and r.decision == ReviewDecision.PENDING
            ),
            None,
        )
        ctx.update(
            purchase=purchase,
            lines=purchase.lines.select_related("item"),
            reviews=reviews,
            my_review=my_review
            if user.has_perm("supplies.review_purchaserequest")
            and purchase.status == PurchaseStatus.IN_REVIEW
            else None,
            can_change=can(user, PurchaseRequest, "change", purchase),
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
            for error in add_errors(None, exc):
                messages.error(request, error)
        return redirect(purchase)


class PurchaseSubmitView(PurchaseActionView):
    def act(self, request, purchase):
        services.submit_purchase_request(actor=request.user, purchase=purchase)
        messages.success(request, "已提交联合预审(财政、卫健、市场监管、工信)")


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
    """Joint acceptance on arrival: per line what arrived, what passed, why the rest did not."""

    permission_required = "supplies.change_purchaserequest"
    template_name = "supplies/purchase_accept.html"

    def purchase(self, request, pk):
        return get_restricted_or_404(
            PurchaseRequest.objects.select_related("location", "supplier"),
            request.user,
            "change",
            pk=pk,
        )

    def get(self, request, pk):
        purchase = self.purchase(request, pk)
        return render(
            request,
            self.template_name,
            {"purchase": purchase, "lines": purchase.lines.select_related("item"), "data": {}},
        )

    def post(self, request, pk):
        purchase = self.purchase(request, pk)
        lines = list(purchase.lines.select_related("item"))
        errors = []
        results = []
        for n, line in enumerate(lines, start=1):
            try:
                delivered = services.decimal_of(
                    request.POST.get(f"delivered_{line.pk}", ""),
                    label="到货数量",
                    row=n,
                    positive=False,
                )
                accepted = services.decimal_of(
                    request.POST.get(f"accepted_{line.pk}", ""),
                    label="验收合格数量",
                    row=n,
                    positive=False,
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            results.append(
                services.Acceptance(
                    line_id=line.pk,
                    delivered=delivered,
                    accepted=accepted,
                    rejection_reason=request.POST.get(f"reason_{line.pk}", ""),
                )
            )
        if not errors:
            try:
                services.accept_delivery(
                    actor=request.user,
                    purchase=purchase,
                    results=results,
                    acceptance_team=request.POST.get("acceptance_team", ""),
                )
            except ValidationError as exc:
                errors = add_errors(None, exc)
            else:
                messages.success(request, "联合验收完成,合格物资已入库")
                return redirect(purchase)
        return render(
            request,
            self.template_name,
            {"purchase": purchase, "lines": lines, "errors": errors, "data": request.POST},
            status=400,
        )


# --- donations (H3) ---------------------------------------------------------------------------


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


class DonationCreateView(LinesCreateView):
    permission_required = "supplies.add_donation"
    form_class = f.DonationForm
    title = "登记捐赠"
    back = "supplies:donation_list"
    price = True
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
            and can(self.request.user, Donation, "change", donation),
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
            for error in add_errors(None, exc):
                messages.error(request, error)
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


# --- processing and transfers (H4, H6) -----------------------------------------------------------


class ProcessingListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_processingrun"
    template_name = "supplies/processing_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["runs"] = ProcessingRun.objects.restrict(self.request.user).select_related(
            "location", "input_item", "output_item"
        )[:200]
        return ctx


class ProcessingCreateView(SimpleCreateView):
    permission_required = "supplies.add_processingrun"
    form_class = f.ProcessingForm
    title = "登记加工"
    back = "supplies:processing_list"

    def save(self, d):
        run = services.record_processing(actor=self.request.user, **d)
        messages.success(
            self.request,
            f"已登记加工:{run.input_item}{fmt(run.input_quantity)}{run.input_item.unit}→"
            f"{run.output_item}{fmt(run.output_quantity)}{run.output_item.unit}",
        )
        return redirect("supplies:processing_list")


class TransferCreateView(LinesCreateView):
    permission_required = "supplies.add_stockmove"
    form_class = f.TransferForm
    title = "库点调拨"
    back = "supplies:stock_list"

    def save(self, d, lines):
        services.transfer_stock(actor=self.request.user, lines=lines, **d)
        messages.success(self.request, "调拨已入账")
        return redirect("supplies:stock_list")


# --- dispatch (H5) ------------------------------------------------------------------------------


class DispatchListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_dispatchorder"
    template_name = "supplies/dispatch_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = DispatchOrder.objects.restrict(self.request.user).select_related("source", "recipient")
        status = self.request.GET.get("status", "")
        if status in DispatchStatus.values:
            qs = qs.filter(status=status)
        page, query = audited_page(
            self.request,
            qs.prefetch_related("lines__item").order_by("-ordered_on", "-pk"),
            object_type="dispatch_order",
            title="调用指令",
        )
        ctx.update(page=page, query=query, statuses=DispatchStatus.choices, status=status)
        return ctx


class DispatchCreateView(LinesCreateView):
    permission_required = "supplies.add_dispatchorder"
    form_class = f.DispatchForm
    title = "下达调用指令"
    back = "supplies:dispatch_list"

    def save(self, d, lines):
        order = services.create_dispatch_order(actor=self.request.user, lines=lines, **d)
        messages.success(self.request, f"已下达调用指令 {order.number}")
        return redirect(order)


class DispatchDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_dispatchorder"
    template_name = "supplies/dispatch_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        order = get_restricted_or_404(
            DispatchOrder.objects.select_related("source", "recipient"), user, pk=kwargs["pk"]
        )
        open_ = order.status in (DispatchStatus.OPEN, DispatchStatus.PARTIAL)
        ctx.update(
            order=order,
            lines=order.lines.select_related("item"),
            issues=order.issues.prefetch_related("lines__item"),
            can_issue=open_
            and user.has_perm("supplies.add_issue")
            and Location.objects.restrict(user).filter(pk=order.source_id).exists(),
            can_cancel=open_ and can(user, DispatchOrder, "change", order),
        )
        return ctx


class IssueCreateView(PermissionRequiredMixin, View):
    permission_required = "supplies.add_issue"

    def post(self, request, pk):
        order = get_restricted_or_404(DispatchOrder, request.user, pk=pk)
        if not Location.objects.restrict(request.user).filter(pk=order.source_id).exists():
            raise PermissionDenied
        quantities = {
            line.pk: request.POST.get(f"qty_{line.pk}", "").strip() for line in order.lines.all()
        }
        try:
            issue = services.issue_batch(
                actor=request.user,
                order=order,
                quantities={k: v for k, v in quantities.items() if v},
            )
        except ValidationError as exc:
            for error in add_errors(None, exc):
                messages.error(request, error)
            return redirect(order)
        messages.success(request, f"批次 {issue.number} 已出库,待领用单位签收")
        return redirect(issue)


class ObjectActionView(PermissionRequiredMixin, View):
    """POST one action on one object in the user's jurisdiction: the service is called with
    the object and one typed-in field; its refusal is shown as messages, nothing changed."""

    model: type
    action = "change"
    service: str  # name in supplies.services
    object_arg: str  # the service's keyword for the object
    field: str  # the POST field passed on under the same keyword
    done_message: str
    done_level = messages.SUCCESS

    def post(self, request, pk):
        obj = get_restricted_or_404(self.model, request.user, self.action, pk=pk)
        try:
            getattr(services, self.service)(
                actor=request.user,
                **{self.object_arg: obj, self.field: request.POST.get(self.field, "")},
            )
        except ValidationError as exc:
            for error in add_errors(None, exc):
                messages.error(request, error)
        else:
            messages.add_message(request, self.done_level, self.done_message)
        return redirect(obj)


class DispatchCancelView(ObjectActionView):
    permission_required = "supplies.change_dispatchorder"
    model = DispatchOrder
    service, object_arg, field = "cancel_dispatch_order", "order", "reason"
    done_message, done_level = "调用指令已撤销", messages.WARNING


class IssueDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_issue"
    template_name = "supplies/issue_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        issue = get_restricted_or_404(
            Issue.objects.select_related("order__source", "order__recipient", "handled_by"),
            user,
            pk=kwargs["pk"],
        )
        pending = issue.status == IssueStatus.ISSUED
        ctx.update(
            issue=issue,
            lines=issue.lines.select_related("item"),
            can_sign=pending and can(user, Issue, "sign", issue) and user.pk != issue.handled_by_id,
            can_cancel=pending and can(user, Issue, "change", issue),
        )
        return ctx


class IssueNoteView(IssueDetailView):
    """The printable handover note (物资交接单)."""

    template_name = "supplies/issue_note.html"


class IssueSignView(ObjectActionView):
    permission_required = "supplies.sign_issue"
    model, action = Issue, "sign"
    service, object_arg, field = "sign_issue", "issue", "signed_name"
    done_message = "已签收"


class IssueCancelView(ObjectActionView):
    permission_required = "supplies.change_issue"
    model = Issue
    service, object_arg, field = "cancel_issue", "issue", "reason"
    done_message, done_level = "批次已撤销,物资已冲回库存", messages.WARNING


# --- enterprise requests (H8) --------------------------------------------------------------------


class RequestListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_enterpriserequest"
    template_name = "supplies/request_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["requests"] = EnterpriseRequest.objects.restrict(user).select_related(
            "recipient", "item", "dispatch_order", "purchase"
        )[:200]
        ctx["stores"] = f.stores_for(user)
        ctx["can_meet"] = user.has_perm("supplies.change_enterpriserequest")
        return ctx


class RequestCreateView(SimpleCreateView):
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
                raise ValidationError("库点:请选择您管辖的库点")
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
            for error in add_errors(None, exc):
                messages.error(request, error)
        return redirect("supplies:request_list")


# --- reports (H7) -------------------------------------------------------------------------------


REPORT_COLUMNS = (
    Column("类别", 10),
    Column("物资", 18),
    Column("单位", 6),
    Column("期初", 12, text=False),
    Column("采购", 12, text=False),
    Column("捐赠", 12, text=False),
    Column("加工产出", 10, text=False),
    Column("加工投入", 10, text=False),
    Column("发放", 12, text=False),
    Column("调拨净额", 10, text=False),
    Column("期末库存", 12, text=False),
    Column("金额(元)", 14, text=False),
)


def _item_rows(request):
    form, start, end = period_of(request)
    rows = reports.item_report(
        start=start, end=end, locations=Location.objects.restrict(request.user)
    )
    return form, start, end, rows


class ItemReportView(PermissionRequiredMixin, TemplateView):
    """收发存: per item over the period (H7)."""

    permission_required = "supplies.view_stockbalance"
    template_name = "supplies/report_items.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, start, end, rows = _item_rows(self.request)
        record_event(
            action=AuditAction.LIST,
            object_type="supplies_report",
            summary=f"物资收发存报表 {start or '起始'}至{end}",
        )
        ctx.update(
            form=form,
            start=start,
            end=end,
            rows=[r for r in rows if any(getattr(r, x) for x in reports.FIELDS)],
            total=sum((r.value for r in rows), Decimal(0)),
            query=self.request.GET.urlencode(),
        )
        return ctx


class ItemReportExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockbalance", "supplies.export_stockbalance")

    def get(self, request):
        _form, start, end, rows = _item_rows(request)
        data = (
            [
                r.category,
                r.item,
                r.unit,
                r.opening,
                r.purchased,
                r.donated,
                r.processed_in,
                r.processed_out,
                r.issued,
                r.transferred,
                r.on_hand,
                r.value,
            ]
            for r in rows
        )
        return xlsx(
            request,
            title="物资收发存报表",
            columns=REPORT_COLUMNS,
            rows=data,
            object_type="supplies_report",
            filters={"start": str(start or ""), "end": str(end)},
        )


RECIPIENT_COLUMNS = (
    Column("领用单位", 22),
    Column("类型", 10),
    Column("物资", 18),
    Column("单位", 6),
    Column("发放数量", 12, text=False),
    Column("批次数", 8, text=False),
)


def _recipient_rows(request):
    from .models import Recipient

    form, start, end = period_of(request)
    rows = reports.recipient_report(
        start=start, end=end, recipients=Recipient.objects.restrict(request.user)
    )
    return form, start, end, rows


class RecipientReportView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_stockbalance"
    template_name = "supplies/report_recipients.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, start, end, rows = _recipient_rows(self.request)
        ctx.update(form=form, rows=rows, query=self.request.GET.urlencode())
        return ctx


class RecipientReportExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockbalance", "supplies.export_stockbalance")

    def get(self, request):
        _form, start, end, rows = _recipient_rows(request)
        data = ([r.recipient, r.kind, r.item, r.unit, r.issued, r.batches] for r in rows)
        return xlsx(
            request,
            title="领用单位发放汇总",
            columns=RECIPIENT_COLUMNS,
            rows=data,
            object_type="supplies_report",
            filters={"start": str(start or ""), "end": str(end)},
        )


RESERVE_COLUMNS = (
    Column("物资", 18),
    Column("单位", 6),
    Column("库存", 12, text=False),
    Column("日消耗量", 10, text=False),
    Column("可供应天数", 10, text=False),
    Column("期内投放", 12, text=False),
)
LOW_COLUMNS = (
    Column("类别", 10),
    Column("物资", 18),
    Column("单位", 6),
    Column("库存", 12, text=False),
    Column("最低库存", 12, text=False),
)


def _reserve_rows(request):
    form, start, end = period_of(request)
    locations = Location.objects.restrict(request.user)
    return (
        form,
        reports.reserve_days(start=start, end=end, locations=locations),
        reports.low_stock(locations=locations),
    )


class ReserveReportView(PermissionRequiredMixin, TemplateView):
    """Grain and oil in days of consumption, and the items under their minimum stock."""

    permission_required = "supplies.view_stockbalance"
    template_name = "supplies/report_reserves.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, reserves, low = _reserve_rows(self.request)
        ctx.update(form=form, reserves=reserves, low=low, query=self.request.GET.urlencode())
        return ctx


class ReserveReportExportView(PermissionRequiredMixin, View):
    permission_required = ("supplies.view_stockbalance", "supplies.export_stockbalance")

    def get(self, request):
        _form, reserves, low = _reserve_rows(request)
        title = "粮油储备与低库存预警"

        def write(stream):
            from shuangying.audit.exports import watermark_text
            from shuangying.core.excel import XlsxStreamWriter

            mark = f"{watermark_text(request.user)} 内部资料 严禁外传"
            with XlsxStreamWriter(stream, creator=request.user.get_username()) as book:
                sheet = book.add_sheet(
                    "粮油储备", RESERVE_COLUMNS, watermark=mark, header_footer=mark
                )
                sheet.write_rows(
                    [r.item, r.unit, r.on_hand, r.daily_consumption, r.days, r.issued]
                    for r in reserves
                )
                sheet = book.add_sheet(
                    "低库存预警", LOW_COLUMNS, watermark=mark, header_footer=mark
                )
                sheet.write_rows([r.category, r.item, r.unit, r.on_hand, r.min_stock] for r in low)
            record_event(
                action=AuditAction.EXPORT,
                object_type="supplies_report",
                summary=f"导出{title}",
                detail={"rows": len(reserves) + len(low)},
            )
            return len(reserves) + len(low)

        from shuangying.audit.exports import xlsx_response as respond

        return respond(write, title)

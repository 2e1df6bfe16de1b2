"""Pages of quarantine (F1, F2, F4): the township's desk (orders by state with filters,
search and paging, the releases due today, the counts), the order page with its history and
actions, the sites and their room board, the printable notice and certificate, and the
public verification of a certificate. Lists paged and audited; exports masked and audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.audit.exports import ledger_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column
from shuangying.core.masking import mask_name
from shuangying.pages import apply_errors, audited_page

from . import notices, services, stats
from .choices import OrderState
from .forms import ChangeForm, OrderFilter, OrderForm, ReleaseForm, ReportForm, RoomForm
from .models import QuarantineOrder, Room, Site, Stay
from .rules import unmet_conditions
from .tokens import report_token


def initial_report():
    from .services import current_slot

    return {"day": timezone.localdate(), "slot": current_slot()}


def _orders(user):
    return QuarantineOrder.objects.restrict(user).select_related(
        "person", "division", "grid_worker"
    )


def filtered_orders(request):
    form = OrderFilter(request.GET)
    qs = _orders(request.user)
    chosen = {}
    if form.is_valid():
        for field, label in (("state", "状态"), ("kind", "隔离方式"), ("reason", "隔离原因")):
            if form.cleaned_data[field]:
                chosen[label] = form.cleaned_data[field]
                qs = qs.filter(**{field: form.cleaned_data[field]})
        if form.cleaned_data["q"]:
            chosen["姓名"] = form.cleaned_data["q"]
            qs = qs.filter(person__name__contains=form.cleaned_data["q"])
    return form, qs, chosen


class DeskView(PermissionRequiredMixin, TemplateView):
    permission_required = "quarantine.view_quarantineorder"
    template_name = "quarantine/desk.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form, qs, chosen = filtered_orders(self.request)
        page, query = audited_page(
            self.request, qs, object_type="quarantine_order", title="隔离人员", detail=chosen
        )
        visible = QuarantineOrder.objects.restrict(user)
        due = list(stats.due_today(_orders(user))[:50])
        ctx.update(
            page=page,
            query=query,
            filter=form,
            total=stats.counts(visible),
            by_kind=stats.by_kind(visible),
            due=due,
        )
        return ctx


ORDER_COLUMNS = (
    Column("姓名", 10),
    Column("证件号码", 22),
    Column("所属区划", 16),
    Column("隔离方式", 10),
    Column("隔离原因", 20),
    Column("开始日期", 12),
    Column("期满日期", 12),
    Column("状态", 8),
    Column("责任网格员", 12),
    Column("解除时间", 18),
)


def _t(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class OrderExportView(PermissionRequiredMixin, View):
    permission_required = "quarantine.export_quarantineorder"

    def get(self, request):
        _form, qs, chosen = filtered_orders(request)
        rows = (
            (
                o.person.name,
                o.person.id_number_masked,
                o.division.name,
                o.get_kind_display(),
                o.reason_label,
                str(o.start_date),
                str(o.end_date),
                o.get_state_display(),
                (o.grid_worker.get_full_name() or o.grid_worker.get_username())
                if o.grid_worker
                else "",
                _t(o.released_at),
            )
            for o in qs.iterator(chunk_size=2000)
        )
        return ledger_response(
            request.user,
            title="隔离人员",
            columns=ORDER_COLUMNS,
            rows=rows,
            object_type="quarantine_order",
            filters=chosen,
        )


class OrderCreateView(PermissionRequiredMixin, View):
    permission_required = "quarantine.add_quarantineorder"

    def get(self, request):
        return render(request, "quarantine/order_form.html", {"form": OrderForm(user=request.user)})

    def post(self, request):
        form = OrderForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.open_order(
                    person=form.person,
                    kind=data["kind"],
                    reason=data["reason"],
                    reason_text=data["reason_text"],
                    start_date=data["start_date"],
                    days=data["days"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                (messages.success if result.created else messages.warning)(request, result.message)
                return redirect(result.order)
        return render(request, "quarantine/order_form.html", {"form": form}, status=400)


class OrderDetailView(PermissionRequiredMixin, View):
    permission_required = "quarantine.view_quarantineorder"

    def context(self, order, **forms):
        user = self.request.user
        active = order.state == OrderState.ACTIVE
        may_change = active and can(user, order, "change")
        stays = list(order.stays.select_related("room__site"))
        open_stay = next((s for s in stays if s.to_at is None), None)
        rooms = active and order.kind != "home" and user.has_perm("quarantine.add_stay")
        return {
            "order": order,
            "changes": order.changes.all(),
            "stays": stays,
            "open_stay": open_stay,
            "unmet": unmet_conditions(order, timezone.localdate()) if active else [],
            "change_form": forms.get("change") or (ChangeForm() if may_change else None),
            "release_form": forms.get("release")
            or (ReleaseForm() if active and can(user, order, "release") else None),
            "room_form": forms.get("room") or (RoomForm(user=user) if rooms else None),
            "reports": order.reports.all(),
            "report_form": forms.get("report")
            or (
                ReportForm(initial=initial_report())
                if active and user.has_perm("quarantine.add_dailyreport")
                else None
            ),
            "report_url": self.request.build_absolute_uri(
                reverse("quarantine:public_report", args=[report_token(order)])
            )
            if active
            else "",
        }

    def order(self, pk, action="view"):
        return get_restricted_or_404(_orders(self.request.user), self.request.user, action, pk=pk)

    def get(self, request, pk):
        order = self.order(pk)
        record_event(
            action=AuditAction.VIEW,
            object_type="quarantine_order",
            object_id=order.pk,
            summary="查看隔离令",
        )
        return render(request, "quarantine/order_detail.html", self.context(order))

    def failed(self, order, **forms):
        return render(
            self.request, "quarantine/order_detail.html", self.context(order, **forms), status=400
        )


class OrderChangeView(OrderDetailView):
    permission_required = "quarantine.change_quarantineorder"

    def post(self, request, pk):
        order = self.order(pk, "change")
        form = ChangeForm(request.POST)
        if form.is_valid():
            try:
                services.change_order(actor=request.user, order=order, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "隔离期已变更")
                return redirect(order)
        return self.failed(order, change=form)


class OrderReleaseView(OrderDetailView):
    permission_required = "quarantine.release_quarantineorder"

    def post(self, request, pk):
        order = self.order(pk, "release")
        form = ReleaseForm(request.POST)
        if form.is_valid():
            try:
                services.release_order(
                    order=order, note=form.cleaned_data["note"], actor=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已解除隔离，可打印解除隔离证明")
                return redirect(order)
        return self.failed(order, release=form)


class OrderRoomView(OrderDetailView):
    """Allocate a room, or transfer to another when the order has one."""

    permission_required = "quarantine.add_stay"

    def post(self, request, pk):
        order = self.order(pk, "change")
        form = RoomForm(request.POST, user=request.user)
        if form.is_valid():
            room = form.cleaned_data["room"]
            try:
                if Stay.objects.filter(order=order, to_at__isnull=True).exists():
                    services.transfer_stay(
                        order=order,
                        room=room,
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                    )
                else:
                    services.allocate_room(order=order, room=room, actor=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已安排房间 {room}")
                return redirect(order)
        return self.failed(order, room=form)


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


class OrderNoticeView(OrderDetailView):
    def get(self, request, pk):
        order = self.order(pk)
        record_event(
            action=AuditAction.EXPORT,
            object_type="quarantine_order",
            object_id=order.pk,
            summary="打印隔离告知书",
        )
        url = request.build_absolute_uri(
            reverse("quarantine:public_report", args=[report_token(order)])
        )
        return _pdf(notices.render_order_notice(order, url), f"quarantine-notice-{order.pk}")


class OrderCertificateView(OrderDetailView):
    def get(self, request, pk):
        order = self.order(pk)
        if order.state != OrderState.RELEASED:
            raise Http404
        record_event(
            action=AuditAction.EXPORT,
            object_type="quarantine_order",
            object_id=order.pk,
            summary="打印解除隔离证明",
        )
        url = request.build_absolute_uri(
            reverse("quarantine:verify", args=[notices.release_token(order)])
        )
        return _pdf(notices.render_release_certificate(order, url), f"release-{order.pk}")


def verify(request, token):
    """Public: whether a release certificate is genuine (no login; a forged link is 404)."""
    order_id = notices.order_id_from_token(token)
    order = (
        QuarantineOrder.objects.select_related("person", "division")
        .filter(pk=order_id, state=OrderState.RELEASED)
        .first()
        if order_id
        else None
    )
    if order is None:
        raise Http404
    return render(
        request,
        "quarantine/verify.html",
        {"order": order, "masked_name": mask_name(order.person.name)},
    )


class SiteListView(PermissionRequiredMixin, TemplateView):
    permission_required = "quarantine.view_site"
    template_name = "quarantine/site_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sites = Site.objects.restrict(self.request.user).select_related("division")
        rows = stats.by_site(sites)
        record_event(
            action=AuditAction.LIST,
            object_type="quarantine_site",
            summary=f"查看隔离点 {len(rows)}个",
        )
        ctx["rows"] = rows
        return ctx


def board_rooms(site):
    rooms = list(site.rooms.all())
    stays: dict[int, list[Stay]] = {}
    for stay in Stay.objects.filter(room__site=site, to_at__isnull=True).select_related(
        "order__person"
    ):
        stays.setdefault(stay.room_id, []).append(stay)
    return [(room, stays.get(room.pk, [])) for room in rooms]


class SiteBoardView(PermissionRequiredMixin, View):
    permission_required = "quarantine.view_site"

    def get(self, request, pk):
        site = get_restricted_or_404(Site, request.user, pk=pk)
        rooms = board_rooms(site)
        record_event(
            action=AuditAction.VIEW,
            object_type="quarantine_site",
            object_id=site.pk,
            summary="查看隔离点房间",
        )
        counts: dict[str, int] = {}
        for room, _stays in rooms:
            counts[room.get_state_display()] = counts.get(room.get_state_display(), 0) + 1
        return render(
            request,
            "quarantine/site_board.html",
            {
                "site": site,
                "rooms": rooms,
                "counts": counts,
                "may_clean": can(request.user, site, "view")
                and request.user.has_perm("quarantine.change_room"),
            },
        )


class SiteExportView(PermissionRequiredMixin, View):
    permission_required = "quarantine.export_site"

    def get(self, request, pk):
        site = get_restricted_or_404(Site, request.user, pk=pk)
        rows = (
            (
                room.number,
                room.beds,
                room.get_state_display(),
                "、".join(mask_name(s.order.person.name) for s in stays),
                "、".join(str(s.order.end_date) for s in stays),
            )
            for room, stays in board_rooms(site)
        )
        columns = (
            Column("房间号", 10),
            Column("床位数", 8),
            Column("状态", 8),
            Column("入住人员", 20),
            Column("期满日期", 20),
        )
        return ledger_response(
            request.user,
            title=f"{site.name}房间",
            columns=columns,
            rows=rows,
            object_type="quarantine_site",
        )


class RoomCleanedView(PermissionRequiredMixin, View):
    permission_required = "quarantine.change_room"

    def post(self, request, pk):
        room = get_restricted_or_404(
            Room.objects.select_related("site"), request.user, "change", pk=pk
        )
        try:
            services.mark_room_cleaned(room=room, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"{room}已消毒，可以入住")
        return redirect(room.site)

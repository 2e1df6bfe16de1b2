"""Dispatch (H5): the command's dispatch orders, issued in batches, signed for, cancelled."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.pages import audited_page

from .. import forms as f
from .. import services
from ..choices import DispatchStatus, IssueStatus
from ..filters import DispatchFilter
from ..models import DispatchOrder, Issue, Location
from .base import LinesFormView, ObjectActionView, refusal_messages


def issues_from(user, order: DispatchOrder) -> bool:
    """May ``user`` issue batches of ``order``: the role, and the order's store is theirs."""
    return bool(
        user.has_perm("supplies.add_issue")
        and Location.objects.restrict(user).filter(pk=order.source_id).exists()
    )


class DispatchListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_dispatchorder"
    template_name = "supplies/dispatch_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = DispatchFilter(self.request.GET)
        qs = form.filter(
            DispatchOrder.objects.restrict(self.request.user).select_related("source", "recipient")
        )
        page, query = audited_page(
            self.request,
            qs.prefetch_related("lines__item").order_by("-ordered_on", "-pk"),
            object_type="dispatch_order",
            title="调用指令",
            detail=form.chosen(),
        )
        ctx.update(page=page, query=query, filter=form)
        return ctx


class DispatchCreateView(LinesFormView):
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
            can_issue=open_ and issues_from(user, order),
            can_cancel=open_ and can(user, order, "change"),
        )
        return ctx


class IssueCreateView(PermissionRequiredMixin, View):
    permission_required = "supplies.add_issue"

    def post(self, request, pk):
        order = get_restricted_or_404(DispatchOrder, request.user, pk=pk)
        if not issues_from(request.user, order):
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
            refusal_messages(request, exc)
            return redirect(order)
        messages.success(request, f"批次 {issue.number} 已出库，待领用单位签收")
        return redirect(issue)


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
            can_sign=pending and can(user, issue, "sign") and user.pk != issue.handled_by_id,
            can_cancel=pending and can(user, issue, "change"),
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
    done_message, done_level = "批次已撤销，物资已冲回库存", messages.WARNING

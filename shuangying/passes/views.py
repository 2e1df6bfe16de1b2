"""Pages of closed management (C4, C6): rules, passes (issue, detail, revoke, print), the
gate check for checkpoint staff (375 px) and the record of checks and turn-backs."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.pages import apply_errors, paginate

from .choices import ApplicationStatus, Outcome, PassType
from .forms import GateCheckForm, PassApplicationForm, PassForm, RuleForm, default_validity
from .models import ClosedManagementRule, Pass, PassApplication, PassCheck
from .services import (
    apply_for_pass,
    check_pass,
    decide_pass_application,
    issue_pass,
    lift_rule,
    record_turn_back,
    revoke_pass,
    save_rule,
)
from .tokens import token_for


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class PassListView(PermissionRequiredMixin, TemplateView):
    permission_required = "passes.view_pass"
    template_name = "passes/pass_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = Pass.objects.restrict(self.request.user).select_related("division", "household")
        kind = self.request.GET.get("type", "")
        if kind in PassType.values:
            qs = qs.filter(type=kind)
        q = self.request.GET.get("q", "").strip()[:40]
        if q:
            qs = qs.filter(Q(holder_name__contains=q) | Q(plate__contains=q.upper()))
        page = paginate(self.request, qs.order_by("-issued_at", "-pk"))
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            page=page,
            query=params.urlencode(),
            types=PassType.choices,
            type=kind,
            q=q,
            now=timezone.now(),
        )
        return ctx


class PassCreateView(PermissionRequiredMixin, View):
    """Officers issue a pass here; whoever may only ask for one (an enterprise's contact)
    finds the application form for a transport pass at the same address."""

    permission_required = "passes.add_pass"
    template_name = "passes/pass_form.html"

    def has_permission(self):
        user = self.request.user
        return user.has_perm("passes.add_pass") or user.has_perm("passes.add_passapplication")

    def get(self, request):
        if not request.user.has_perm("passes.add_pass"):
            form = PassApplicationForm(initial=default_validity())
            return render(request, "passes/application_form.html", {"form": form})
        initial = {**default_validity(), "type": request.GET.get("type", PassType.HOUSEHOLD)}
        return render(
            request, self.template_name, {"form": PassForm(user=request.user, initial=initial)}
        )

    def post(self, request):
        if not request.user.has_perm("passes.add_pass"):
            return self._apply(request)
        form = PassForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pass_obj = issue_pass(
                    actor=request.user,
                    type=data["type"],
                    division=data["division"],
                    household=data["household"],
                    person=data["person"],
                    holder_name=data["holder_name"],
                    plate=data["plate"],
                    route=data["route"],
                    issuing_department=data["issuing_department"],
                    purpose=data["purpose"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已签发{pass_obj.get_type_display()}")
                return redirect(pass_obj)
        return render(request, self.template_name, {"form": form}, status=400)

    def _apply(self, request):
        form = PassApplicationForm(request.POST)
        if form.is_valid():
            try:
                apply_for_pass(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已提交运输通行证申请，待乡镇（街道）审核签发")
                return redirect("passes:application_list")
        return render(request, "passes/application_form.html", {"form": form}, status=400)


class ApplicationListView(PermissionRequiredMixin, TemplateView):
    """Transport-pass applications: the applicant's own, and those an officer may decide."""

    permission_required = "passes.view_passapplication"
    template_name = "passes/application_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = PassApplication.objects.restrict(user).select_related("division", "pass_obj")
        deciding = set(
            PassApplication.objects.restrict(user, "change")
            .filter(status=ApplicationStatus.PENDING)
            .values_list("pk", flat=True)
        )
        ctx.update(
            page=paginate(self.request, qs.order_by("-created_at", "-pk")),
            deciding=deciding,
            may_apply=user.has_perm("passes.add_passapplication"),
        )
        return ctx


class ApplicationDecideView(PermissionRequiredMixin, View):
    permission_required = "passes.change_passapplication"

    def post(self, request, pk):
        application = get_restricted_or_404(PassApplication, request.user, "change", pk=pk)
        issue = request.POST.get("decision") == "issue"
        try:
            application = decide_pass_application(
                actor=request.user,
                application=application,
                issue=issue,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("passes:application_list")
        if application.pass_obj is not None:
            messages.success(request, "已签发运输通行证")
            return redirect(application.pass_obj)
        messages.success(request, "已不予签发")
        return redirect("passes:application_list")


class PassDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "passes.view_pass"
    template_name = "passes/pass_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        pass_obj = get_restricted_or_404(
            Pass.objects.select_related("division", "household", "person", "issuing_department"),
            user,
            pk=kwargs["pk"],
        )
        token = token_for(pass_obj)
        ctx.update(
            pass_obj=pass_obj,
            token=token,
            qr_svg=qr_svg(token),
            status=pass_obj.status(timezone.now()),
            checks=pass_obj.checks.select_related("place")[:20],
            can_change=Pass.objects.restrict(user, "change").filter(pk=pass_obj.pk).exists(),
        )
        return ctx


class PassPrintView(PassDetailView):
    """A6-sized card for printing and handing to the household."""

    template_name = "passes/pass_print.html"


class PassRevokeView(PermissionRequiredMixin, View):
    permission_required = "passes.change_pass"

    def post(self, request, pk):
        pass_obj = get_restricted_or_404(Pass, request.user, "change", pk=pk)
        revoke_pass(
            actor=request.user,
            pass_obj=pass_obj,
            reason=request.POST.get("reason", "").strip(),
        )
        messages.warning(request, "通行证已作废")
        return redirect(pass_obj)


class RuleListView(PermissionRequiredMixin, TemplateView):
    permission_required = "passes.view_closedmanagementrule"
    template_name = "passes/rule_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rules"] = (
            ClosedManagementRule.objects.restrict(self.request.user)
            .filter(is_active=True)
            .select_related("division")[:500]
        )
        return ctx


class RuleCreateView(PermissionRequiredMixin, View):
    permission_required = "passes.add_closedmanagementrule"
    template_name = "passes/rule_form.html"

    def get(self, request):
        initial = {"division": request.GET.get("division")}
        return render(
            request, self.template_name, {"form": RuleForm(user=request.user, initial=initial)}
        )

    def post(self, request):
        form = RuleForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_rule(
                    actor=request.user,
                    division=data["division"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    exit_interval_days=data["exit_interval_days"],
                    admit_outsiders=data["admit_outsiders"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "封闭管理规则已生效")
                return redirect("passes:rule_list")
        return render(request, self.template_name, {"form": form}, status=400)


class RuleLiftView(PermissionRequiredMixin, View):
    permission_required = "passes.change_closedmanagementrule"

    def post(self, request, pk):
        rule = get_restricted_or_404(
            ClosedManagementRule.objects.select_related("division"), request.user, "change", pk=pk
        )
        lift_rule(actor=request.user, rule=rule)
        messages.success(request, f"已解除 {rule.division.name} 的封闭管理")
        return redirect("passes:rule_list")


class GateCheckView(PermissionRequiredMixin, View):
    """The form-only pass check (without JavaScript): a pass code typed or sent by a hardware
    scanner; the answer is one big 放行 or 劝返 with the reason. Opening it leads to the one
    gate page (``checkpoints:checkpoint_mode``), which does the same with the camera."""

    permission_required = "passes.add_passcheck"
    template_name = "passes/gate_check.html"

    def get(self, request):
        # One gate page reads passes, health codes and document numbers: 卡口核验.
        target = reverse("checkpoints:checkpoint_mode")
        if request.GET.get("place", "").isdigit():
            target += f"?place={request.GET['place']}"
        return redirect(target)

    def post(self, request):
        form = GateCheckForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        if "no_pass" in request.POST:
            check = record_turn_back(
                place=data["place"], checked_by=request.user, direction=data["direction"]
            )
        elif not data["token"].strip():
            form.add_error("token", "请扫描或输入通行证码")
            return render(request, self.template_name, {"form": form}, status=400)
        else:
            check = check_pass(
                token=data["token"],
                place=data["place"],
                checked_by=request.user,
                direction=data["direction"],
                plate=data["plate"],
            )
        fresh = GateCheckForm(
            user=request.user, initial={"place": data["place"].pk, "direction": data["direction"]}
        )
        return render(request, self.template_name, {"form": fresh, "check": check})


class CheckListView(PermissionRequiredMixin, TemplateView):
    """Checks at the gates of the jurisdiction; ``?outcome=refused`` lists the turn-backs."""

    permission_required = "passes.view_passcheck"
    template_name = "passes/check_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = PassCheck.objects.restrict(self.request.user).select_related(
            "place", "pass_obj", "checked_by"
        )
        outcome = self.request.GET.get("outcome", "")
        if outcome in Outcome.values:
            qs = qs.filter(outcome=outcome)
        page = paginate(self.request, qs.order_by("-at", "-pk"))
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(page=page, query=params.urlencode(), outcome=outcome)
        return ctx

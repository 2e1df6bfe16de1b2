"""Pages for health codes: a person's code (from the person detail), the override and appeal
queues, the risk-area list and import, the rule versions, and public verification."""

from __future__ import annotations

import datetime
import re
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core import ratelimit
from shuangying.core.excel import ExcelFileError
from shuangying.core.masking import mask_name
from shuangying.identity.devices import DEVICE_COOKIE, remembered_persons
from shuangying.pages import apply_errors
from shuangying.people.models import Person

from .choices import EventKind, RiskLevel
from .engine import demo_as_of
from .forms import (
    AppealDecisionForm,
    AppealForm,
    ArrivalReviewForm,
    DecisionForm,
    OverrideForm,
    RiskAreaForm,
    RiskAreaImportForm,
    VerifyForm,
)
from .models import Appeal, HealthEvent, OverrideRequest, PaletteColour, RiskArea, RuleSet
from .services import (
    RuleSpec,
    create_ruleset,
    decide_appeal,
    decide_override,
    file_appeal,
    import_risk_areas,
    issue_code,
    request_override,
    review_arrival,
    save_risk_area,
    verify_code,
)


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code scaled to the page (a 375 px phone too)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    return re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        '<svg role="img" aria-label="健康码" style="width:100%;max-width:260px;height:auto"',
        svg,
        count=1,
    )


def _error_text(exc: ValidationError) -> str:
    return (
        "；".join(m for ms in exc.message_dict.values() for m in ms)
        if hasattr(exc, "error_dict")
        else "；".join(exc.messages)
    )


class PersonCodeView(PermissionRequiredMixin, TemplateView):
    """A person's health code: colour, reason, since/until, the signed QR, the events behind
    it, and the appeal / override / arrival-review forms the user may use."""

    permission_required = ("people.view_person", "healthcodes.view_healthcodestate")
    template_name = "healthcodes/person_code.html"

    def get_person(self) -> Person:
        return get_restricted_or_404(
            Person.objects.select_related("division"), self.request.user, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = kwargs.get("person") or self.get_person()
        user = self.request.user
        issued = issue_code(person=person, actor=user)
        arrivals = HealthEvent.objects.filter(
            person=person, kind=EventKind.RISK_AREA_ARRIVAL, risk_level=RiskLevel.LOW
        )
        ctx.update(
            person=person,
            code=issued.result,
            token=issued.token,
            expires_at=issued.expires_at,
            qr=qr_svg(issued.token),
            events=HealthEvent.objects.filter(person=person).select_related("recorded_by")[:50],
            appeals=Appeal.objects.filter(person=person)[:10],
            overrides=OverrideRequest.objects.filter(person=person).select_related("colour")[:10],
            low_risk_arrivals=arrivals.exclude(reviews__approved=True)[:5],
            appeal_form=kwargs.get("appeal_form") or AppealForm(),
            override_form=kwargs.get("override_form") or OverrideForm(),
            review_form=kwargs.get("review_form") or ArrivalReviewForm(),
        )
        return ctx


class PersonActionView(PersonCodeView):
    """POSTs from the code page: one form each, the service does the work and the audit."""

    http_method_names = ["post"]
    action_permission = ""
    form_class = None
    form_name = ""

    def has_permission(self):
        return self.request.user.has_perms(self.permission_required) and self.request.user.has_perm(
            self.action_permission
        )

    def post(self, request, pk):
        person = self.get_person()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.act(person, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                return redirect("healthcodes:person_code", pk=person.pk)
        return self.render_to_response(
            self.get_context_data(person=person, **{self.form_name: form}), status=400
        )


class PersonAppealView(PersonActionView):
    action_permission = "healthcodes.add_appeal"
    form_class = AppealForm
    form_name = "appeal_form"

    def act(self, person, data):
        file_appeal(actor=self.request.user, person=person, reason=data["reason"])
        messages.success(self.request, "申诉已提交，等待处理")


class PersonOverrideView(PersonActionView):
    action_permission = "healthcodes.add_overriderequest"
    form_class = OverrideForm
    form_name = "override_form"

    def act(self, person, data):
        request_override(
            actor=self.request.user,
            person=person,
            colour=data["colour"].code,
            reason=data["reason"],
            ends_at=timezone.now() + timedelta(days=data["days"]),
        )
        messages.success(self.request, "人工赋码申请已提交，须另一名有审批权限的人员批准后生效")


class PersonArrivalReviewView(PersonActionView):
    action_permission = "healthcodes.add_arrivalreview"
    form_class = ArrivalReviewForm
    form_name = "review_form"

    def act(self, person, data):
        arrival = HealthEvent.objects.filter(
            person=person, pk=data["arrival"], kind=EventKind.RISK_AREA_ARRIVAL
        ).first()
        if arrival is None:
            raise ValidationError("行程记录不存在")
        review_arrival(
            actor=self.request.user,
            arrival=arrival,
            approve=data["approve"],
            note=data["note"],
        )
        messages.success(self.request, "返岗审核已记录")


class QueueView(PermissionRequiredMixin, TemplateView):
    """A queue of pending requests (jurisdiction-scoped) with a decision form per row."""

    model = None
    decide_permission = ""
    form_class = DecisionForm

    def rows(self):
        return self.model.objects.restrict(self.request.user).select_related(
            "person", "person__division"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = self.rows()
        ctx.update(
            pending=rows.filter(status="pending")[:100],
            decided=rows.exclude(status="pending")[:50],
            can_decide=self.request.user.has_perm(self.decide_permission),
            form=kwargs.get("form") or self.form_class(),
        )
        return ctx

    def post(self, request):
        if not request.user.has_perm(self.decide_permission):
            raise PermissionDenied
        form = self.form_class(request.POST)
        if form.is_valid():
            obj = self.rows().filter(pk=form.cleaned_data["pk"]).first()
            if obj is None:
                raise Http404
            try:
                self.decide(obj, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OverrideQueueView(QueueView):
    permission_required = "healthcodes.view_overriderequest"
    template_name = "healthcodes/override_list.html"
    model = OverrideRequest
    decide_permission = "healthcodes.approve_override"

    def rows(self):
        return super().rows().select_related("colour", "requested_by", "decided_by")

    def decide(self, obj, data):
        decide_override(
            actor=self.request.user,
            override=obj,
            approve=data["approve"],
            note=data["note"],
        )
        messages.success(self.request, "已审批")


class AppealQueueView(QueueView):
    permission_required = "healthcodes.view_appeal"
    template_name = "healthcodes/appeal_list.html"
    model = Appeal
    decide_permission = "healthcodes.change_appeal"
    form_class = AppealDecisionForm

    def rows(self):
        return super().rows().select_related("filed_by", "decided_by")

    def decide(self, obj, data):
        colour = data.get("colour")
        decide_appeal(
            actor=self.request.user,
            appeal=obj,
            accept=data["approve"],
            note=data["note"],
            colour=colour.code if colour else None,
        )
        messages.success(self.request, "申诉已处理")


class RiskAreaListView(PermissionRequiredMixin, TemplateView):
    permission_required = "healthcodes.view_riskarea"
    template_name = "healthcodes/riskarea_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = RiskArea.objects.restrict(self.request.user)
        show = self.request.GET.get("show")
        if show != "all":
            qs = qs.active_on(timezone.localdate())
        ctx.update(
            areas=qs[:500],
            show_all=show == "all",
            form=kwargs.get("form") or RiskAreaForm(),
            can_add=self.request.user.has_perm("healthcodes.add_riskarea"),
        )
        return ctx

    def post(self, request):
        if not request.user.has_perm("healthcodes.add_riskarea"):
            raise PermissionDenied
        form = RiskAreaForm(request.POST)
        if form.is_valid():
            try:
                save_risk_area(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已新增风险地区")
                return redirect("healthcodes:riskarea_list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RiskAreaImportView(PermissionRequiredMixin, View):
    permission_required = "healthcodes.add_riskarea"
    template_name = "healthcodes/riskarea_import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": RiskAreaImportForm()})

    def post(self, request):
        form = RiskAreaImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_risk_areas(
                    actor=request.user, data=upload.read(), file_name=upload.name
                )
            except ExcelFileError as exc:
                form.add_error("file", str(exc))
            else:
                if report.ok:
                    messages.success(
                        request, f"导入完成：新增{report.created}条，更新{report.updated}条"
                    )
                    return redirect("healthcodes:riskarea_list")
        return render(request, self.template_name, {"form": form, "report": report}, status=400)


class RuleSetListView(PermissionRequiredMixin, TemplateView):
    """The rule versions, and (county) a new version: the latest one's rules with their
    colours and days edited, effective from a date."""

    permission_required = "healthcodes.view_ruleset"
    template_name = "healthcodes/ruleset_list.html"

    def latest(self):
        return RuleSet.objects.order_by("-version").prefetch_related("rules__colour").first()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        rulesets = list(
            RuleSet.objects.restrict(self.request.user).prefetch_related("rules__colour")
        )
        current = RuleSet.objects.effective_on(today).first()
        latest = self.latest()
        ctx.update(
            rulesets=rulesets,
            current=current,
            today=today,
            can_add=self.request.user.has_perm("healthcodes.add_ruleset"),
            base_rules=list(latest.rules.all()) if latest else [],
            palette=PaletteColour.objects.all(),
            error=kwargs.get("error"),
        )
        return ctx

    def post(self, request):
        if not request.user.has_perm("healthcodes.add_ruleset"):
            raise PermissionDenied
        latest = self.latest()
        error = None
        try:
            effective_from = datetime.date.fromisoformat(request.POST.get("effective_from", ""))
        except ValueError:
            error = "生效日期：格式应为 2020-02-10"
        name = (request.POST.get("name") or "").strip()[:100]
        if not name and error is None:
            error = "名称：不能为空"
        specs = []
        for rule in latest.rules.all() if latest and error is None else []:
            try:
                days = int(request.POST.get(f"days_{rule.pk}", rule.duration_days))
            except ValueError:
                days = 0
            if not 1 <= days <= 366:
                error = f"{rule.get_kind_display()}：持续天数应在1到366之间"
                break
            colour = request.POST.get(f"colour_{rule.pk}", rule.colour_id)
            specs.append(
                RuleSpec(rule.kind, colour, days, rule.priority, rule.reason, rule.risk_level)
            )
        if error is None:
            try:
                ruleset = create_ruleset(
                    actor=request.user,
                    name=name,
                    effective_from=effective_from,
                    rules=specs,
                    notes=(request.POST.get("notes") or "").strip(),
                )
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                messages.success(
                    request,
                    f"规则 v{ruleset.version} 已保存，{effective_from:%Y-%m-%d} 起生效；"
                    "已生效的规则会在后台对所有人员重新计算",
                )
                return redirect("healthcodes:ruleset_list")
        return self.render_to_response(self.get_context_data(error=error), status=400)


class MyCodeView(View):
    """A resident's own codes (no login): the persons this phone remembers from public
    check-ins, each with its colour, reason and signed QR."""

    template_name = "healthcodes/my_code.html"

    def get(self, request):
        # The page form of issue/mine: the same limit.
        if not ratelimit.allow(request, "healthcode_mine", request.COOKIES.get(DEVICE_COOKIE, "")):
            return HttpResponse(
                "操作太频繁，请稍后再试。",
                status=429,
                content_type="text/plain; charset=utf-8",
                headers={"Cache-Control": "no-store"},
            )
        codes = []
        for person in remembered_persons(request):
            issued = issue_code(person=person)
            codes.append(
                {
                    "name": mask_name(person.name),
                    "code": issued.result,
                    "qr": qr_svg(issued.token),
                    "expires_at": issued.expires_at,
                }
            )
        response = render(request, self.template_name, {"codes": codes, "demo_day": demo_as_of()})
        response["Cache-Control"] = "no-store"
        return response


class VerifyView(View):
    """验码 in a browser: paste or scan a token; colour, masked name and validity. No login:
    the answer is what a gate with the public key learns anyway."""

    template_name = "healthcodes/verify.html"

    def get(self, request):
        token = request.GET.get("t", "")
        if token:
            return self._answer(request, VerifyForm({"token": token}))
        return render(request, self.template_name, {"form": VerifyForm()})

    def post(self, request):
        return self._answer(request, VerifyForm(request.POST))

    def _answer(self, request, form):
        # Each attempt counts, well-formed or not; the empty form does not.
        if not ratelimit.allow(request, "verify"):
            return render(request, self.template_name, {"form": form, "limited": True}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        result = verify_code(form.cleaned_data["token"])
        record_event(
            action=AuditAction.SEARCH,
            object_type="health_code",
            summary=f"验码 {'有效' if result.valid else '无效'} {result.label}".rstrip(),
        )
        return render(request, self.template_name, {"form": VerifyForm(), "result": result})

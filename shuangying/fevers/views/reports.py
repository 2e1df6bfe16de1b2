"""Reports typed by staff (a village's or compound's screening, the fever clinic's
registration, a pharmacy's register of buyers), the list of unresolved reports and their
resolution to a registry person; and the public pages: the tip-off and a pharmacy's register
by its place code, both without login and rate-limited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.core import ratelimit
from shuangying.pages import apply_errors, audited_page
from shuangying.places.choices import PlaceType
from shuangying.places.tokens import PlaceTokenError, resolve_token

from .. import services
from ..choices import Channel
from ..forms import PharmacyBuyerForm, ReportForm, ResolveForm, TipoffForm
from ..models import FeverReport

THROTTLED = (429, "操作太频繁", "提交次数过多，请稍后再试。")
TOKEN_ERROR = (404, "场所码无效", "请扫描药店张贴的正式场所码。")


class ReportCreateView(PermissionRequiredMixin, View):
    """A fever found by staff; ``channel`` fixes the channel (the clinic's and the pharmacy's
    own pages), otherwise the form asks for it."""

    permission_required = "fevers.add_feverreport"
    channel: str | None = None
    title = "登记发热人员"

    def form(self, data=None):
        return ReportForm(data, user=self.request.user, channel=self.channel)

    def page(self, form, status=200):
        ctx = {"form": form, "title": self.title}
        return render(self.request, "fevers/report_form.html", ctx, status=status)

    def get(self, request):
        return self.page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.setdefault("drug", "")
            data["found_at"] = data.pop("found_at", None)
            try:
                intake = services.report_fever(actor=request.user, **data)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                if intake.episode is None:
                    messages.success(request, "已登记，人员不在册，待网格员核实")
                elif intake.opened:
                    messages.success(request, "已登记，新开发热记录，请在1小时内完成登记")
                else:
                    messages.success(request, "已登记，并入此人未结案的发热记录")
                if request.user.has_perm("fevers.view_feverepisode") and intake.episode:
                    return redirect(intake.episode)
                return redirect(request.path)
        return self.page(form, status=400)


class ClinicRegisterView(ReportCreateView):
    channel = Channel.FEVER_CLINIC
    title = "发热门诊登记"


class PharmacyRegisterView(ReportCreateView):
    channel = Channel.PHARMACY
    title = "药店购药登记（退烧、止咳药）"


class ReportListView(PermissionRequiredMixin, TemplateView):
    """Reports whose person is not yet known, in the user's jurisdiction: the grid worker
    names them."""

    permission_required = "fevers.view_feverreport"
    template_name = "fevers/report_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = (
            FeverReport.objects.restrict(self.request.user)
            .unresolved()
            .select_related("division", "place")
            .order_by("reported_at", "pk")
        )
        page, query = audited_page(
            self.request, qs, object_type="fever_report", title="待核实发热报告"
        )
        ctx.update(page=page, query=query)
        return ctx


class ReportResolveView(PermissionRequiredMixin, View):
    permission_required = "fevers.change_feverreport"

    def report(self, request, pk):
        return get_restricted_or_404(
            FeverReport.objects.unresolved().select_related("division", "place"),
            request.user,
            "change",
            pk=pk,
        )

    def page(self, report, form, status=200):
        return render(
            self.request,
            "fevers/report_resolve.html",
            {"report": report, "form": form},
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.report(request, pk), ResolveForm(user=request.user))

    def post(self, request, pk):
        report = self.report(request, pk)
        form = ResolveForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                result = services.resolve_report(
                    actor=request.user, report=report, person=form.cleaned_data["person"]
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已核实为在册人员")
                return redirect(result.episode or "fevers:report_list")
        return self.page(report, form, status=400)


def public_error(request, status: int, title: str, message: str):
    ctx = {"title": title, "message": message}
    return render(request, "fevers/public_error.html", ctx, status=status)


@method_decorator(never_cache, name="dispatch")
class TipoffView(View):
    """群众举报: no login; the tipster's phone optional; a flood answered 429."""

    def page(self, form, status=200, done=False):
        ctx = {"form": form, "done": done}
        return render(self.request, "fevers/tipoff.html", ctx, status=status)

    def get(self, request):
        return self.page(TipoffForm())

    def post(self, request):
        if not ratelimit.allow(request, "fever_tipoff"):
            return public_error(request, *THROTTLED)
        form = TipoffForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.report_fever(
                    actor=None,
                    channel=Channel.TIPOFF,
                    name=d["name"],
                    address=d["address"],
                    phone=d["phone"],
                    symptoms=d["symptoms"],
                    division=d["division"],
                    tipster_phone=d["tipster_phone"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return self.page(TipoffForm(), done=True)
        return self.page(form, status=400)


@method_decorator(never_cache, name="dispatch")
class PharmacyPublicView(View):
    """A pharmacy's register of buyers by its place code (no login), rate-limited like the
    check-in."""

    def dispatch(self, request, token):
        if not ratelimit.allow(request, "fever_pharmacy", f"token:{token[:40]}"):
            return public_error(request, *THROTTLED)
        try:
            self.place = resolve_token(token).place
        except PlaceTokenError:
            return public_error(request, *TOKEN_ERROR)
        if self.place.type != PlaceType.PHARMACY:
            return public_error(request, 404, "不是药店的场所码", "此页面仅供药店登记购药人员。")
        return super().dispatch(request, token)

    def page(self, form, status=200, done=False):
        ctx = {"form": form, "place": self.place, "done": done}
        return render(self.request, "fevers/pharmacy_public.html", ctx, status=status)

    def get(self, request, token):
        return self.page(PharmacyBuyerForm())

    def post(self, request, token):
        form = PharmacyBuyerForm(request.POST)
        if form.is_valid():
            try:
                services.report_fever(
                    actor=None,
                    channel=Channel.PHARMACY,
                    place=self.place,
                    source_ref=f"place_code:{self.place.pk}",
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return self.page(PharmacyBuyerForm(), done=True)
        return self.page(form, status=400)

"""Pages of cases, hospitals and rosters (E4, E5): lists paged and audited, the case file
with its history and the reclassify, admit and discharge forms, Excel exports masked and
audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.audit.exports import ledger_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column
from shuangying.pages import apply_errors, audited_page

from . import services
from .choices import CaseClass
from .forms import AdmitForm, CaseFilter, DischargeForm, ReclassifyForm
from .models import Admission, Case, Hospital, Team, TeamMember, Ward
from .stats import class_counts, confirmed_total, days_without_confirmed


def xlsx(request, *, title, columns, rows, object_type, filters=None):
    return ledger_response(
        request.user,
        title=title,
        columns=columns,
        rows=rows,
        object_type=object_type,
        filters=filters,
    )


def visible_days(user):
    """The county's row, then the townships that overlap the user's jurisdiction."""
    rows = days_without_confirmed()
    paths = user.division_paths()
    if paths is None or user.holds_every_root():
        return rows
    return rows[:1] + [
        r for r in rows[1:] if any(r.path.startswith(p) or p.startswith(r.path) for p in paths)
    ]


def filtered_cases(request):
    form = CaseFilter(request.GET)
    qs = Case.objects.restrict(request.user).select_related("person", "division")
    chosen = {}
    if form.is_valid() and form.cleaned_data["case_class"]:
        chosen["分类"] = form.cleaned_data["case_class"]
        qs = qs.filter(case_class=chosen["分类"])
    return form, qs, chosen


class CaseListView(PermissionRequiredMixin, TemplateView):
    permission_required = "cases.view_case"
    template_name = "cases/case_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, qs, chosen = filtered_cases(self.request)
        page, query = audited_page(
            self.request, qs, object_type="case", title="病例列表", detail=chosen
        )
        visible = Case.objects.restrict(self.request.user)
        ctx.update(
            page=page,
            query=query,
            filter=form,
            counts=[(CaseClass(value).label, n) for value, n in class_counts(visible).items()],
            confirmed_total=confirmed_total(visible),
            days=visible_days(self.request.user),
        )
        return ctx


CASE_COLUMNS = (
    Column("姓名", 10),
    Column("证件号码", 22),
    Column("所属区划", 16),
    Column("分类", 12),
    Column("报告时间", 18),
    Column("确诊时间", 18),
    Column("结案时间", 18),
    Column("来源", 16),
)


def _t(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class CaseExportView(PermissionRequiredMixin, View):
    permission_required = "cases.export_case"

    def get(self, request):
        _form, qs, chosen = filtered_cases(request)
        rows = (
            (
                c.person.name,
                c.person.id_number_masked,
                c.division.name,
                c.get_case_class_display(),
                _t(c.opened_at),
                _t(c.confirmed_at),
                _t(c.closed_at),
                c.source,
            )
            for c in qs.iterator(chunk_size=2000)
        )
        return xlsx(
            request,
            title="病例列表",
            columns=CASE_COLUMNS,
            rows=rows,
            object_type="case",
            filters=chosen,
        )


class CaseDetailView(PermissionRequiredMixin, View):
    permission_required = "cases.view_case"

    def context(self, case, **forms):
        user = self.request.user
        may_change = can(user, case, "change")
        admissions = case.admissions.select_related("ward__hospital")
        open_admission = next((a for a in admissions if a.discharged_at is None), None)
        return {
            "case": case,
            "history": case.history.all(),
            "admissions": admissions,
            "open_admission": open_admission,
            "reclassify": forms.get("reclassify")
            or (ReclassifyForm(moves=services.allowed_moves(case)) if may_change else None),
            "admit": forms.get("admit")
            or (
                AdmitForm(user=user)
                if user.has_perm("cases.add_admission") and may_change and not open_admission
                else None
            ),
            "discharge": forms.get("discharge")
            or (
                DischargeForm()
                if open_admission and user.has_perm("cases.change_admission")
                else None
            ),
        }

    def get(self, request, pk):
        case = get_restricted_or_404(
            Case.objects.select_related("person", "division"), request.user, pk=pk
        )
        record_event(
            action=AuditAction.VIEW, object_type="case", object_id=case.pk, summary="查看病例"
        )
        return render(request, "cases/case_detail.html", self.context(case))


class CaseReclassifyView(CaseDetailView):
    permission_required = "cases.change_case"

    def post(self, request, pk):
        case = get_restricted_or_404(
            Case.objects.select_related("person", "division"), request.user, "change", pk=pk
        )
        form = ReclassifyForm(request.POST, moves=services.allowed_moves(case))
        if form.is_valid():
            try:
                services.reclassify_case(
                    case=case,
                    to_class=form.cleaned_data["to_class"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "病例分类已变更")
                return redirect(case)
        return render(
            request, "cases/case_detail.html", self.context(case, reclassify=form), status=400
        )


class CaseAdmitView(CaseDetailView):
    permission_required = "cases.add_admission"

    def post(self, request, pk):
        case = get_restricted_or_404(
            Case.objects.select_related("person", "division"), request.user, "change", pk=pk
        )
        form = AdmitForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.admit_case(case=case, ward=form.cleaned_data["ward"], actor=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已办理入院")
                return redirect(case)
        return render(request, "cases/case_detail.html", self.context(case, admit=form), status=400)


class AdmissionDischargeView(CaseDetailView):
    permission_required = "cases.change_admission"

    def post(self, request, pk):
        admission = get_restricted_or_404(
            Admission.objects.select_related("case"), request.user, "change", pk=pk
        )
        case = Case.objects.select_related("person", "division").get(pk=admission.case_id)
        form = DischargeForm(request.POST)
        if form.is_valid():
            try:
                services.discharge_case(
                    admission=admission, reason=form.cleaned_data["reason"], actor=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已办理出院")
                return redirect(case)
        return render(
            request, "cases/case_detail.html", self.context(case, discharge=form), status=400
        )


def wards_of(user):
    return (
        Ward.objects.restrict(user)
        .select_related("hospital")
        .annotate(
            admitted=Count("admissions"),
            discharged=Count("admissions", filter=Q(admissions__discharged_at__isnull=False)),
        )
    )


class HospitalListView(PermissionRequiredMixin, TemplateView):
    permission_required = "cases.view_hospital"
    template_name = "cases/hospital_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        wards = list(wards_of(user))
        record_event(
            action=AuditAction.LIST,
            object_type="hospital",
            summary=f"查看医院床位 {len(wards)}个病区",
        )
        totals = Ward.objects.restrict(user).aggregate(
            capacity=Sum("capacity"), occupied=Sum("occupied")
        )
        ctx.update(
            hospitals=Hospital.objects.restrict(user),
            wards=wards,
            capacity=totals["capacity"] or 0,
            occupied=totals["occupied"] or 0,
            free=(totals["capacity"] or 0) - (totals["occupied"] or 0),
        )
        return ctx


WARD_COLUMNS = (
    Column("医院", 18),
    Column("类型", 12),
    Column("病区", 14),
    Column("床位数", 8, text=False),
    Column("在院", 8, text=False),
    Column("空床", 8, text=False),
    Column("累计入院", 10, text=False),
    Column("累计出院", 10, text=False),
)


class HospitalExportView(PermissionRequiredMixin, View):
    permission_required = "cases.export_hospital"

    def get(self, request):
        rows = (
            (
                w.hospital.name,
                w.hospital.get_kind_display(),
                w.name,
                w.capacity,
                w.occupied,
                w.free,
                w.admitted,
                w.discharged,
            )
            for w in wards_of(request.user)
        )
        return xlsx(
            request, title="医院床位", columns=WARD_COLUMNS, rows=rows, object_type="hospital"
        )


class TeamListView(PermissionRequiredMixin, TemplateView):
    permission_required = "cases.view_team"
    template_name = "cases/team_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        teams = (
            Team.objects.restrict(self.request.user)
            .prefetch_related("members")
            .select_related("hospital")
        )
        record_event(action=AuditAction.LIST, object_type="team", summary="查看救治队伍名册")
        ctx.update(teams=teams, total=TeamMember.objects.filter(team__in=teams).count())
        return ctx


TEAM_COLUMNS = (
    Column("队伍", 18),
    Column("姓名", 10),
    Column("专业", 12),
    Column("职称", 12),
    Column("单位", 18),
)


class TeamExportView(PermissionRequiredMixin, View):
    permission_required = "cases.export_team"

    def get(self, request):
        teams = Team.objects.restrict(request.user)
        rows = (
            (m.team.name, m.name, m.profession, m.title, m.unit)
            for m in TeamMember.objects.filter(team__in=teams)
            .select_related("team")
            .order_by("team__kind", "team__echelon", "pk")
        )
        return xlsx(
            request, title="救治队伍名册", columns=TEAM_COLUMNS, rows=rows, object_type="team"
        )

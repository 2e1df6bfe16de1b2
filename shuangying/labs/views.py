"""Pages of the labs (E3): the labs with today's load and turnaround, a lab's queue for a day,
result entry (one at a time, or a lab's sheet with a dry run), the re-sample list, the
sampling form; the queue and the re-sample list export to Excel, masked and audited."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.exports import ledger_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column
from shuangying.healthcodes.engine import reporting_day
from shuangying.pages import apply_errors, audited_page
from shuangying.people.models import Person
from shuangying.people.services import find_person_by_document

from .forms import DayForm, ResultForm, SampleForm, UploadForm
from .models import Lab, Pool, Sample
from .services import ResultItem, record_results, take_sample
from .services.booking import queue_days
from .sheets import SheetError, import_result_sheet
from .stats import lab_figures

MAX_SHEET_BYTES = 20 * 1024 * 1024


def xlsx(request, *, title, columns, rows, object_type, filters=None):
    return ledger_response(
        request.user,
        title=title,
        columns=columns,
        rows=rows,
        object_type=object_type,
        filters=filters,
    )


def chosen_day(request):
    form = DayForm(request.GET)
    day = form.cleaned_data["date"] if form.is_valid() and form.cleaned_data["date"] else None
    return form, day or reporting_day()


class LabListView(PermissionRequiredMixin, TemplateView):
    permission_required = "labs.view_lab"
    template_name = "labs/lab_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, day = chosen_day(self.request)
        ctx.update(
            filter=form,
            day=day,
            figures=lab_figures(start=day - timedelta(days=6), end=day, day=day),
        )
        return ctx


def queue_samples(request, lab, day):
    return (
        Sample.objects.restrict(request.user)
        .filter(lab=lab, booked_day=day)
        .select_related("person", "pool", "point")
        .order_by("pool_id", "sampled_at", "pk")
    )


class QueueView(PermissionRequiredMixin, TemplateView):
    permission_required = "labs.view_sample"
    template_name = "labs/queue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lab = get_restricted_or_404(Lab, self.request.user, pk=kwargs["pk"])
        form, day = chosen_day(self.request)
        page, query = audited_page(
            self.request,
            queue_samples(self.request, lab, day),
            object_type="sample",
            title=f"{lab.name} {day} 检测队列",
            detail={"实验室": lab.pk, "检测日期": day.isoformat()},
        )
        ctx.update(
            lab=lab,
            day=day,
            filter=form,
            page=page,
            query=query,
            days=queue_days(lab=lab, start=day, days=7),
            pools=Pool.objects.filter(lab=lab, booked_day=day).count(),
        )
        return ctx


SAMPLE_COLUMNS = (
    Column("样本条码", 16),
    Column("混采管", 14),
    Column("姓名", 10),
    Column("证件号码", 22),
    Column("样本类型", 10),
    Column("采样时间", 18),
    Column("实验室", 14),
    Column("检测日期", 12),
    Column("顺延/转送", 10),
    Column("结果", 8),
    Column("待复采", 8),
)


def sample_rows(qs):
    for s in qs.iterator(chunk_size=2000):
        yield (
            s.barcode,
            s.pool.barcode if s.pool_id else "",
            s.person.name,
            s.person.id_number_masked,
            s.get_sample_type_display(),
            timezone.localtime(s.sampled_at).strftime("%Y-%m-%d %H:%M"),
            s.lab.name,
            s.booked_day.isoformat(),
            "是" if s.overflowed else "",
            s.get_outcome_display(),
            "是" if s.needs_resample else "",
        )


class QueueExportView(PermissionRequiredMixin, View):
    permission_required = "labs.export_sample"

    def get(self, request, pk):
        lab = get_restricted_or_404(Lab, request.user, pk=pk)
        _form, day = chosen_day(request)
        qs = queue_samples(request, lab, day).select_related("lab")
        return xlsx(
            request,
            title=f"{lab.name}检测队列",
            columns=SAMPLE_COLUMNS,
            rows=sample_rows(qs),
            object_type="sample",
            filters={"实验室": lab.pk, "检测日期": day.isoformat()},
        )


def resample_queryset(request):
    return (
        Sample.objects.restrict(request.user)
        .resample_list()
        .select_related("person", "pool", "lab", "point")
        .order_by("-sampled_at", "pk")
    )


class ResampleListView(PermissionRequiredMixin, TemplateView):
    permission_required = "labs.view_sample"
    template_name = "labs/resample_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page, query = audited_page(
            self.request, resample_queryset(self.request), object_type="sample", title="待复采名单"
        )
        ctx.update(page=page, query=query)
        return ctx


class ResampleExportView(PermissionRequiredMixin, View):
    permission_required = "labs.export_sample"

    def get(self, request):
        return xlsx(
            request,
            title="待复采名单",
            columns=SAMPLE_COLUMNS,
            rows=sample_rows(resample_queryset(request)),
            object_type="sample",
        )


class SampleCreateView(PermissionRequiredMixin, View):
    """The sampling form: the person by document number (within the user's jurisdiction),
    the barcode, and a pooled tube when pooling."""

    permission_required = "labs.add_sample"

    def render(self, form, status=200, sample=None):
        return render(
            self.request, "labs/sample_form.html", {"form": form, "sample": sample}, status=status
        )

    def get(self, request):
        return self.render(SampleForm(user=request.user))

    def post(self, request):
        form = SampleForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(form, 400)
        data = form.cleaned_data
        found = find_person_by_document(data["id_number"])
        person = (
            Person.objects.restrict(request.user).filter(pk=found.pk).first() if found else None
        )
        if person is None:
            form.add_error("id_number", "证件号码：未找到该人员，或不在您的管辖范围内")
            return self.render(form, 400)
        try:
            sample = take_sample(
                person=person,
                barcode=data["barcode"],
                sample_type=data["sample_type"],
                point=data["point"],
                lab=data["lab"],
                pool_barcode=data["pool_barcode"],
                pool_size=data["pool_size"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render(form, 400)
        messages.success(
            request,
            f"已登记样本 {sample.barcode}:{sample.lab.name} {sample.booked_day:%Y-%m-%d} 检测"
            + ("（当日已满，已顺延或转送）" if sample.overflowed else ""),
        )
        return redirect("labs:sample_create")


class ResultEntryView(PermissionRequiredMixin, View):
    permission_required = "labs.record_result"

    def render(self, form, status=200):
        return render(self.request, "labs/result_form.html", {"form": form}, status=status)

    def get(self, request):
        return self.render(
            ResultForm(initial={"resulted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
        )

    def post(self, request):
        form = ResultForm(request.POST)
        if not form.is_valid():
            return self.render(form, 400)
        data = form.cleaned_data
        outcome = record_results(
            items=[
                ResultItem(
                    data["barcode"],
                    data["result"],
                    data["resulted_at"],
                    data["correction"],
                    data["reason"],
                )
            ],
            actor=request.user,
        )[0]
        if not outcome.ok:
            field = outcome.field if outcome.field in form.fields else None
            form.add_error(field, outcome.message)
            return self.render(form, 400)
        text = {"recorded": "已录入", "unchanged": "结果相同，未重复录入", "corrected": "已更正"}
        messages.success(request, f"{outcome.barcode}:{text[outcome.status]}")
        if outcome.case_id:
            messages.warning(request, "阳性：已开立疑似病例")
        return redirect("labs:result_entry")


class ResultUploadView(PermissionRequiredMixin, View):
    """A lab's sheet: checked first (nothing written), imported when confirmed, all or
    nothing; the row report either way."""

    permission_required = "labs.record_result"

    def render(self, form, report=None, status=200):
        return render(
            self.request, "labs/result_upload.html", {"form": form, "report": report}, status=status
        )

    def get(self, request):
        return self.render(UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_SHEET_BYTES:
            form.add_error("file", "结果表：文件超过20 MB")
            return self.render(form, status=400)
        try:
            report = import_result_sheet(
                upload.read(),
                file_name=upload.name,
                user=request.user,
                commit=form.cleaned_data["commit"],
            )
        except SheetError as exc:
            form.add_error("file", str(exc))
            return self.render(form, status=400)
        if not form.cleaned_data["commit"]:
            record_event(
                action=AuditAction.IMPORT,
                object_type="sample",
                summary=f"检查检测结果表 {upload.name[:60]}:{report.summary()}",
            )
        return self.render(form, report, status=200 if not report.file_error else 400)

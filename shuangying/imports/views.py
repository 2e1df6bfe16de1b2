"""Pages of the ledger import: list of my jobs, upload, report with live progress, commit,
templates. A job is visible to the user who started it only (404 for anyone else)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from shuangying.core.excel import XLSX_CONTENT_TYPE, ExcelFileError
from shuangying.pages import paginate

from .choices import ImportKind, ImportMode, ImportStatus
from .forms import ImportCommitForm, ImportUploadForm
from .ledgers import LEDGERS
from .lifecycle import can_retry, fail_abandoned_jobs, refreshed, retry_job
from .models import ImportJob
from .services import can_import, create_import_job, read_upload, request_commit, write_template


def allowed_kinds(user) -> list[str]:
    return [kind for kind in ImportKind.values if can_import(user, kind)]


def get_own_job_or_404(user, pk) -> ImportJob:
    """The job ``pk`` if ``user`` started it; otherwise it does not exist for them."""
    try:
        return ImportJob.objects.owned_by(user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class ImportPermissionMixin(LoginRequiredMixin):
    """Only users who may import some ledger see the import pages at all."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not allowed_kinds(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportListView(ImportPermissionMixin, TemplateView):
    template_name = "imports/import_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        jobs = ImportJob.objects.owned_by(self.request.user)
        fail_abandoned_jobs(jobs=jobs)
        page = paginate(self.request, jobs.defer("file_enc", "report"))
        kinds = allowed_kinds(self.request.user)
        ctx.update(
            page=page,
            query="",
            kinds=[(kind, LEDGERS[kind].title) for kind in kinds],
        )
        return ctx


class ImportCreateView(ImportPermissionMixin, View):
    template_name = "imports/import_new.html"

    def render_form(self, form, status=200):
        kinds = allowed_kinds(self.request.user)
        return render(
            self.request,
            self.template_name,
            {"form": form, "kinds": [(k, LEDGERS[k].title) for k in kinds]},
            status=status,
        )

    def get(self, request):
        kinds = allowed_kinds(request.user)
        kind = request.GET.get("kind")
        initial = {"kind": kind if kind in kinds else kinds[0], "mode": ImportMode.ALL_OR_NOTHING}
        return self.render_form(ImportUploadForm(kinds=kinds, initial=initial))

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES, kinds=allowed_kinds(request.user))
        if not form.is_valid():
            return self.render_form(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload)
        except ExcelFileError as exc:
            form.add_error("file", str(exc))
            return self.render_form(form, status=400)
        job = create_import_job(
            user=request.user,
            kind=form.cleaned_data["kind"],
            mode=form.cleaned_data["mode"],
            file_name=upload.name or "upload.xlsx",
            data=data,
        )
        return redirect(job)


def job_context(job: ImportJob) -> dict:
    job = refreshed(job)
    report = job.report or {}
    return {
        "job": job,
        "report": report,
        "commit_form": ImportCommitForm(initial={"mode": job.mode}),
        "can_commit": job.status == ImportStatus.VALIDATED,
        "can_retry": can_retry(job),
    }


class ImportDetailView(LoginRequiredMixin, TemplateView):
    template_name = "imports/import_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(job_context(get_own_job_or_404(self.request.user, kwargs["pk"])))
        return ctx


class ImportProgressView(LoginRequiredMixin, View):
    """The status block of a job, polled by htmx every second while the job runs."""

    def get(self, request, pk):
        job = get_own_job_or_404(request.user, pk)
        return render(request, "imports/partials/job_status.html", job_context(job))


class ImportCommitView(LoginRequiredMixin, View):
    def post(self, request, pk):
        job = get_own_job_or_404(request.user, pk)
        form = ImportCommitForm(request.POST)
        mode = form.cleaned_data["mode"] if form.is_valid() else job.mode
        if request_commit(user=request.user, job=job, mode=mode):
            messages.success(request, "已开始导入，完成后本页显示结果")
        else:
            messages.warning(request, "该导入任务已提交或不在待确认状态")
        return redirect(job)


class ImportRetryView(LoginRequiredMixin, View):
    """Run again a job whose worker died (its owner's own; the file is still kept)."""

    def post(self, request, pk):
        job = refreshed(get_own_job_or_404(request.user, pk))
        if can_import(request.user, job.kind) and retry_job(job):
            messages.success(request, "已重新开始，完成后本页显示结果")
        else:
            messages.warning(request, "该导入任务不能重新执行，请重新上传文件")
        return redirect(job)


class ImportTemplateView(ImportPermissionMixin, View):
    """The xlsx template of a ledger: headers, a sample row, a notes sheet."""

    def get(self, request, kind):
        if kind not in LEDGERS:
            raise Http404
        if not can_import(request.user, kind):
            raise PermissionDenied
        stream = io.BytesIO()
        write_template(kind, request.user, stream)
        stream.seek(0)
        return FileResponse(
            stream,
            as_attachment=True,
            filename=f"{LEDGERS[kind].title}导入模板.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )

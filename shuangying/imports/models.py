"""Import jobs (B1, B2, A1): one uploaded ledger, its dry run, its commit and their report."""

from __future__ import annotations

import base64

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited
from shuangying.core import crypto

from .choices import RUNNING_STATUSES, ImportKind, ImportMode, ImportStatus

FILE_CONTEXT = "imports.file"


class ImportJobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """A user sees only the jobs they started (their report may name their rows)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class ImportJob(Audited, models.Model):
    """An uploaded ledger on its way into the registry.

    The file holds personal data in plaintext, so it is kept encrypted like every other
    personal field (M1) and dropped as soon as the job is finished. ``report`` holds row
    numbers, column headers and reasons, never the values themselves."""

    kind = models.CharField(_("台账类型"), max_length=12, choices=ImportKind.choices)
    mode = models.CharField(
        _("导入方式"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小"), default=0)
    file_enc = models.TextField(blank=True, editable=False)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    existing_count = models.PositiveIntegerField(_("已存在"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    error_message = models.CharField(_("错误信息"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    validated_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Written every few seconds by the worker running the job (lifecycle.heartbeat).
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)
    # Failed because its worker died: the file is kept (until its retention) for a retry.
    abandoned = models.BooleanField(_("进程中止"), default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImportJobQuerySet.as_manager()
    audit_type = "import_job"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    def store_file(self, data: bytes) -> None:
        self.file_size = len(data)
        self.file_enc = crypto.encrypt(base64.b64encode(data).decode(), context=FILE_CONTEXT)

    def load_file(self) -> bytes:
        if not self.file_enc:
            raise FileNotFoundError("the uploaded file of this job is gone")
        return base64.b64decode(crypto.decrypt(self.file_enc, context=FILE_CONTEXT))

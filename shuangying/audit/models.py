"""The append-only audit log (M2): who, what, when, from where and why."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LIST = "list", _("查看列表")
    VIEW = "view", _("查看详情")
    SEARCH = "search", _("查询")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看明文")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    SECURITY = "security", _("安全设置")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One audited act. Rows are never changed or deleted by the application; on PostgreSQL a
    trigger refuses UPDATE and DELETE as well (migration 0002), and ``secure_audit_table``
    leaves the app's role only INSERT and SELECT. Each row is a link of a hash chain
    (``chain.py``): ``verify_audit`` finds a row changed or removed behind the app's back."""

    # Set by record_event before the row is hashed (auto_now_add would set it after).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No foreign key: a user may be deactivated or renamed, the trail must stay as written.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    shard = models.PositiveSmallIntegerField(default=0)
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        constraints = [
            # One row per link: two writers can never fork a shard's chain.
            models.UniqueConstraint(fields=["shard", "seq"], name="audit_chain_link_unique")
        ]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

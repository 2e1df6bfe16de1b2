"""Users, departments and the divisions a user holds (A4)."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import ChangeKind, ChangeStatus


class Department(models.Model):
    """A county department (卫健, 市场监管, 工信, 发改 …) or other unit."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


def new_security_stamp() -> str:
    """32 hex characters: fits the column (token_hex's default of 64 does not)."""
    return secrets.token_hex(16)


class User(Audited, AbstractUser):
    """A person who logs in. Roles are groups; jurisdiction is the divisions held."""

    audit_type = "user"

    full_name = models.CharField(_("姓名"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属部门"),
    )
    divisions = models.ManyToManyField(
        "divisions.Division", blank=True, related_name="users", verbose_name=_("管辖区划")
    )
    # Changed whenever roles, divisions or the active flag change: it is part of the session
    # hash, so live sessions of that user end at their next request.
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)
    totp_secret = models.CharField(max_length=200, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Replay guard: the time step of the last accepted code; a code is accepted only for a
    # later step, so the same code never works twice.
    totp_last_step = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # Wrong codes since the last good one; TOTP_FAILURE_LIMIT of them lock TOTP entry until
    # totp_locked_until. Kept in the database so that every worker process sees the count.
    totp_failed_count = models.PositiveSmallIntegerField(default=0, editable=False)
    totp_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("manage_roles", "Can assign roles and reset lockouts")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_session_auth_hash(self) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "shuangying.session", f"{self.password}|{self.security_stamp}", algorithm="sha256"
        ).hexdigest()

    def rotate_security_stamp(self) -> None:
        self.security_stamp = new_security_stamp()

    def division_paths(self) -> list[str] | None:
        """Paths of the divisions this user holds; None means the whole system (superuser)."""
        if self.is_superuser:
            return None
        cached = getattr(self, "_division_paths", None)
        if cached is None:
            cached = sorted(self.divisions.values_list("path", flat=True))
            self._division_paths = cached
        return cached

    def holds_every_root(self) -> bool:
        """Whether this user's divisions include every top-level division (a county commander
        in a one-county installation): their jurisdiction is then the whole tree."""
        cached = getattr(self, "_holds_every_root", None)
        if cached is None:
            from shuangying.divisions.models import Division

            roots = set(Division.objects.filter(parent__isnull=True).values_list("path", flat=True))
            cached = bool(roots) and roots <= set(self.division_paths() or ())
            self._holds_every_root = cached
        return cached

    def role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))

    @property
    def needs_two_factor(self) -> bool:
        from django.conf import settings

        if self.is_demo and settings.SHUANGYING_DEMO:
            return False
        return self.groups.filter(name__in=settings.TWO_FACTOR_REQUIRED_ROLES).exists()


class ApiToken(Audited, models.Model):
    """A bearer token for machine clients (`POST /api/auth/token`). Only its SHA-256 is stored;
    the token itself is shown once."""

    audit_type = "api_token"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class AccountChange(Audited, models.Model):
    """A change to a protected account (a security administrator or auditor: 三权分立) that
    waits for a security administrator other than the one who asked. The system administrator
    cannot disable or reshape the people who watch them; a security administrator cannot do it
    to a colleague alone."""

    audit_type = "account_change"

    target = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("账户")
    )
    kind = models.CharField(_("变更"), max_length=20, choices=ChangeKind.choices)
    # What to apply on approval: {"roles": [...]}, {"division_ids": [...]},
    # {"full_name": ..., "department_id": ...}; shown as ``summary``.
    payload = models.JSONField(default=dict, blank=True)
    summary = models.CharField(_("内容"), max_length=300)
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("账户变更申请")
        verbose_name_plural = _("账户变更申请")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=models.Q(status="pending"),
                name="accounts_change_one_pending_per_kind",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                    | (
                        ~models.Q(status="pending")
                        & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                    )
                ),
                name="accounts_change_decided_iff_not_pending",
            ),
            # The second person: no one approves their own request.
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | ~models.Q(decided_by=models.F("requested_by")),
                name="accounts_change_approver_is_not_requester",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="accounts_change_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target}"

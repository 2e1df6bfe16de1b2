"""Closed management and passes (C4, C6).

A compound or village has a rule (open hours, one member per household out every N days,
outsiders not admitted). A pass (进出证) is a signed QR like a place code (``tokens.py``):
never its id. Every check at a gate is a PassCheck row; a refused one is the 劝返 record.
"""

import secrets
from datetime import time

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import ApplicationStatus, Direction, Outcome, PassType, RefusalReason
from .querysets import ApplicationQuerySet, PassCheckQuerySet, PassQuerySet, RuleQuerySet


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class ClosedManagementRule(Audited, models.Model):
    """The rule of one compound or village; the closest rule above a gate applies there."""

    audit_type = "closed_management_rule"

    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="closed_management_rules",
        verbose_name=_("封闭管理区域"),
    )
    opens_at = models.TimeField(_("开放时间"), default=time(7, 30))
    closes_at = models.TimeField(_("关闭时间"), default=time(21, 0))
    exit_interval_days = models.PositiveSmallIntegerField(
        _("每户外出间隔（天）"),
        null=True,
        blank=True,
        help_text=_("每户每N天限一人外出一次；留空为不限"),
    )
    admit_outsiders = models.BooleanField(_("允许外来人员进入"), default=False)
    is_active = models.BooleanField(_("生效"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["division__path"]
        verbose_name = _("封闭管理规则")
        verbose_name_plural = _("封闭管理规则")
        constraints = [
            models.UniqueConstraint(
                fields=["division"],
                condition=models.Q(is_active=True),
                name="one_active_rule_per_division",
                violation_error_message=_("该区域已有生效的封闭管理规则"),
            ),
            models.CheckConstraint(
                condition=models.Q(exit_interval_days__isnull=True)
                | models.Q(exit_interval_days__gte=1),
                name="rule_interval_positive",
                violation_error_message=_("外出间隔至少1天"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Pass(Audited, models.Model):
    """One issued pass. The holder is a household, a person, or (transport) a vehicle."""

    audit_type = "pass"

    type = models.CharField(_("类型"), max_length=20, choices=PassType.choices)
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="passes",
        verbose_name=_("所属区划"),
    )
    household = models.ForeignKey(
        "people.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passes",
        verbose_name=_("户"),
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passes",
        verbose_name=_("人员"),
    )
    holder_name = models.CharField(_("持证人/单位"), max_length=100)
    plate = models.CharField(_("车牌号"), max_length=10, blank=True)
    route = models.CharField(_("通行路线"), max_length=200, blank=True)
    issuing_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发部门"),
    )
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    nonce = models.CharField(max_length=32, unique=True, default=new_nonce, editable=False)
    issued_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = PassQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("通行证")
        verbose_name_plural = _("通行证")
        indexes = [models.Index(fields=["division", "type"], name="pass_division_type")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="pass_validity_order",
                violation_error_message=_("有效期至应晚于生效时间"),
            ),
            models.CheckConstraint(
                condition=~models.Q(type="transport") | ~models.Q(plate=""),
                name="transport_pass_has_plate",
                violation_error_message=_("运输通行证须填写车牌号"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.holder_name}"

    def get_absolute_url(self) -> str:
        return reverse("passes:pass_detail", args=[self.pk])

    def status(self, at) -> str:
        if self.revoked_at is not None:
            return "已作废"
        if at >= self.valid_until:
            return "已过期"
        if at < self.valid_from:
            return "未生效"
        return "有效"


class PassCheck(models.Model):
    """One check at a gate: allowed, or refused (turned back, 劝返) with the reason."""

    pass_obj = models.ForeignKey(
        Pass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("通行证"),
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="pass_checks", verbose_name=_("卡点")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    direction = models.CharField(
        _("方向"), max_length=3, choices=Direction.choices, default=Direction.OUT
    )
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("原因"), max_length=20, choices=RefusalReason.choices, blank=True)
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PassCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("通行核验")
        verbose_name_plural = _("通行核验")
        indexes = [
            models.Index(fields=["household", "direction", "outcome", "at"], name="passcheck_quota")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="allowed", reason="")
                | (models.Q(outcome="refused") & ~models.Q(reason="")),
                name="passcheck_refusal_has_reason",
                violation_error_message=_("劝返须有原因"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"

    @property
    def allowed(self) -> bool:
        return self.outcome == Outcome.ALLOWED


class PassApplication(Audited, models.Model):
    """An enterprise asking for a transport pass (运输通行证) for one vehicle. It is no pass:
    an officer of the township it names issues the pass from it (or declines), and only the
    issued pass opens a gate."""

    audit_type = "pass_application"

    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在乡镇（街道）"),
    )
    holder_name = models.CharField(_("单位"), max_length=100)
    plate = models.CharField(_("车牌号"), max_length=10)
    route = models.CharField(_("通行路线"), max_length=200)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    decline_reason = models.CharField(_("不予签发的原因"), max_length=200, blank=True)
    pass_obj = models.ForeignKey(
        Pass, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通行证申请")
        verbose_name_plural = _("通行证申请")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="application_validity_order",
                violation_error_message=_("有效期至应晚于生效时间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.plate}"

"""Health codes (D1–D3): rules as data, events as inputs, a computed colour per person.

The colour of one person is computed at request time (``engine.current_code``) from their
HealthEvents and the RuleSet effective on that day. HealthCodeState keeps the last computed
colour of every person for lists and dashboards; ``engine.reevaluate_all`` rewrites it with
set-based SQL when the rules change.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import AppealStatus, EventKind, EventSource, RequestStatus, RiskLevel
from .querysets import PersonScopedQuerySet, RiskAreaQuerySet, RuleSetQuerySet


class PaletteColour(models.Model):
    """A colour a code can take. Provinces used other colours than green/yellow/red (Guangdong
    used blue), so the palette is data. ``severity`` orders colours: the worst one wins."""

    code = models.SlugField(_("颜色代码"), max_length=20, unique=True)
    label = models.CharField(_("名称"), max_length=20)
    hex = models.CharField(_("色值"), max_length=7)
    severity = models.PositiveSmallIntegerField(_("严重程度"), unique=True)
    is_default = models.BooleanField(_("无风险时的颜色"), default=False)

    class Meta:
        ordering = ["severity"]
        verbose_name = _("码色")
        verbose_name_plural = _("码色")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_colour"
            ),
            models.CheckConstraint(
                condition=Q(hex__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="palette_hex_format",
                violation_error_message="色值应为 #RRGGBB",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)


class RuleSet(Audited, models.Model):
    """One version of the rules, effective from a date (inclusive) until a later version takes
    over. Versions are never edited once effective: a change is a new version."""

    audit_type = "health_code_ruleset"

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    effective_from = models.DateField(_("生效日期"))
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("赋码规则")
        verbose_name_plural = _("赋码规则")

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("healthcodes:ruleset_list") + f"#v{self.version}"


class Rule(models.Model):
    """ "An event of ``kind`` (from a risk area of ``risk_level``) makes the code ``colour`` for
    ``duration_days`` days." ``priority`` orders rules of the same colour (reason shown)."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("情形"), max_length=24, choices=EventKind.choices)
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    colour = models.ForeignKey(
        PaletteColour,
        to_field="code",
        db_column="colour",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("码色"),
    )
    duration_days = models.PositiveSmallIntegerField(_("持续天数"))
    priority = models.SmallIntegerField(_("优先级"), default=0)
    reason = models.CharField(_("显示原因"), max_length=100)

    class Meta:
        ordering = ["ruleset", "-priority"]
        verbose_name = _("规则")
        verbose_name_plural = _("规则")
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "kind", "risk_level"], name="one_rule_per_kind_and_level"
            ),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1, duration_days__lte=366),
                name="rule_duration_range",
                violation_error_message="持续天数应在1到366之间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.colour_id} {self.duration_days}天"


class HealthEvent(Audited, models.Model):
    """One fact about a person that the rules read: a quarantine started, a close contact
    found, an arrival from a risk area … Append-only: a correction is a new event."""

    audit_type = "health_event"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="health_events"
    )
    kind = models.CharField(_("情形"), max_length=24, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    division_code = models.CharField(_("来源地区划代码"), max_length=6, blank=True)
    # Manual overrides only: the colour given and until when.
    colour = models.CharField(_("码色"), max_length=20, blank=True)
    ends_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=EventSource.choices)
    detail = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("健康事件")
        verbose_name_plural = _("健康事件")
        permissions = [
            (
                "record_medical_event",
                "Can record confirmed and suspected cases, contacts, quarantine and clearances",
            )
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="healthevent_person_at"),
            models.Index(fields=["kind", "occurred_at"], name="healthevent_kind_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=EventKind.MANUAL_OVERRIDE)
                | (~Q(colour="") & Q(ends_at__isnull=False)),
                name="override_has_colour_and_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class HealthCodeState(models.Model):
    """The last computed code of a person, for lists and dashboards (rewritten set-based by
    ``reevaluate_all``). The code page never reads it: it computes the colour afresh."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="health_code"
    )
    colour = models.CharField(_("码色"), max_length=20, db_index=True)
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    since = models.DateTimeField(_("起始时间"), null=True, blank=True)
    until = models.DateTimeField(_("预计截止"), null=True, blank=True)
    ruleset_version = models.PositiveIntegerField(_("规则版本"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("计算时间"))

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("健康码状态")
        verbose_name_plural = _("健康码状态")

    def __str__(self) -> str:
        return f"{self.person_id} {self.colour}"


def new_ref() -> str:
    return secrets.token_urlsafe(12)


class HealthCodeRef(models.Model):
    """The opaque reference a health-code token carries instead of the document number.
    Random, so it reveals nothing; replaced (``rotated_at``) if a code leaks."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="health_code_ref"
    )
    ref = models.CharField(max_length=24, unique=True, default=new_ref, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("健康码引用")
        verbose_name_plural = _("健康码引用")

    def __str__(self) -> str:
        return self.ref


class RiskArea(Audited, models.Model):
    """A risk area as published (D3): a GB/T 2260 code, its level and dates. A code ending in
    00 or 0000 covers the whole city or province (matched by ``code_prefix``)."""

    audit_type = "risk_area"

    code = models.CharField(_("区划代码"), max_length=6)
    code_prefix = models.CharField(max_length=6, editable=False, db_index=True)
    name = models.CharField(_("地区名称"), max_length=100)
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RiskAreaQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-start_date"]
        verbose_name = _("风险地区")
        verbose_name_plural = _("风险地区")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"),
                name="riskarea_code_six_digits",
                violation_error_message="区划代码应为6位数字",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="riskarea_dates_ordered",
                violation_error_message="截止日期不能早于起始日期",
            ),
            models.UniqueConstraint(
                fields=["code", "level", "start_date"], name="riskarea_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class ArrivalReview(models.Model):
    """The review that lets staff from a low-risk area return to work (D3, J4)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    arrival = models.ForeignKey(HealthEvent, on_delete=models.CASCADE, related_name="reviews")
    approved = models.BooleanField(_("同意返岗"))
    note = models.CharField(_("审核意见"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("返岗审核")
        verbose_name_plural = _("返岗审核")

    def __str__(self) -> str:
        return f"{self.person_id} {self.approved}"


class Decided(models.Model):
    """Who decided a request and when: a manual override's second approver, an appeal's
    officer. Empty while it is pending."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class OverrideRequest(Audited, Decided):
    """A manual override (人工赋码): proposed with a reason, effective only once a second,
    different user with ``approve_override`` approves it."""

    audit_type = "health_code_override"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="health_code_overrides"
    )
    colour = models.ForeignKey(
        PaletteColour,
        to_field="code",
        db_column="colour",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("码色"),
    )
    reason = models.CharField(_("原因"), max_length=200)
    ends_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    event = models.OneToOneField(
        HealthEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("人工赋码申请")
        verbose_name_plural = _("人工赋码申请")
        permissions = [("approve_override", "Can approve a manual health-code override")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="override_second_approver",
                violation_error_message="人工赋码须由申请人以外的另一人审批",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.colour_id} ({self.get_status_display()})"


class Appeal(Audited, Decided):
    """An appeal (申诉) against a code, filed from the code page and decided by an officer."""

    audit_type = "health_code_appeal"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="health_code_appeals"
    )
    colour_at_filing = models.CharField(_("申诉时码色"), max_length=20)
    reason = models.CharField(_("申诉理由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)
    override = models.ForeignKey(
        OverrideRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )

    objects = PersonScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("健康码申诉")
        verbose_name_plural = _("健康码申诉")

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_status_display()}"

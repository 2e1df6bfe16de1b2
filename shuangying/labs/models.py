"""Labs, sampling points, samples and pools (E3).

A lab tests at most ``daily_capacity`` tubes a day: ``LabDay`` is the counter row of one lab
and day, and the database refuses ``booked`` above its ``capacity``. A pooled tube (5-in-1 or
10-in-1) takes one slot for all its members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import POOL_SIZES, Result, SampleType
from .querysets import CountyQuerySet, LabQuerySet, PoolQuerySet, SampleQuerySet

USER = settings.AUTH_USER_MODEL


class Lab(Audited, models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    daily_capacity = models.PositiveIntegerField(_("日检测能力（管）"))
    # A lab's own staff record results only for the tubes booked at this lab.
    staff = models.ManyToManyField(
        "accounts.User", blank=True, related_name="labs", verbose_name=_("检验人员")
    )

    objects = LabQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("检测实验室")
        verbose_name_plural = _("检测实验室")
        constraints = [
            models.CheckConstraint(condition=Q(daily_capacity__gt=0), name="lab_capacity_positive")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("labs:queue", args=[self.pk])


class LabDay(models.Model):
    """The counter row of one lab and day: bookings take a slot with one conditional UPDATE
    (``booked < capacity``), which PostgreSQL serialises on the row."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "lab"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "day"], name="labday_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="labday_not_over_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lab_id} {self.day} {self.booked}/{self.capacity}"


class SamplingPoint(Audited, models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)

    objects = CountyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("采样点")
        verbose_name_plural = _("采样点")

    def __str__(self) -> str:
        return self.name


class Pool(Audited, models.Model):
    """One pooled tube (混采管) of up to ``size`` members; its result decides theirs."""

    barcode = models.CharField(_("混采管条码"), max_length=40, unique=True)
    size = models.PositiveSmallIntegerField(_("混采规格"))
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="pools")
    booked_day = models.DateField(_("检测日期"))
    overflowed = models.BooleanField(_("顺延或转送"), default=False)
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices, blank=True)
    resulted_at = models.DateTimeField(_("出结果时间"), null=True, blank=True)

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["booked_day", "pk"]
        verbose_name = _("混采管")
        verbose_name_plural = _("混采管")
        indexes = [models.Index(fields=["resulted_at"], name="pool_resulted_at")]
        constraints = [
            models.CheckConstraint(condition=Q(size__in=POOL_SIZES), name="pool_size_known"),
        ]

    def __str__(self) -> str:
        return f"{self.barcode}({self.size}合1)"


class Sample(Audited, models.Model):
    barcode = models.CharField(_("样本条码"), max_length=40, unique=True)
    sample_type = models.CharField(_("样本类型"), max_length=8, choices=SampleType.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="samples", verbose_name=_("人员")
    )
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    sampled_at = models.DateTimeField(_("采样时间"))
    point = models.ForeignKey(
        SamplingPoint, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("采样点")
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="samples")
    booked_day = models.DateField(_("检测日期"))
    overflowed = models.BooleanField(_("顺延或转送"), default=False)
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices, blank=True)
    resulted_at = models.DateTimeField(_("出结果时间"), null=True, blank=True)
    needs_resample = models.BooleanField(_("待复采"), default=False)
    taken_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SampleQuerySet.as_manager()

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        verbose_name = _("样本")
        verbose_name_plural = _("样本")
        permissions = [
            ("record_result", _("录入检测结果")),
            ("export_sample", _("导出样本")),
        ]
        indexes = [
            models.Index(fields=["lab", "booked_day"], name="sample_lab_day"),
            # The day's figures (stats.day_counts): taken and resulted in a range.
            models.Index(fields=["sampled_at"], name="sample_sampled_at"),
            models.Index(fields=["resulted_at"], name="sample_resulted_at"),
            models.Index(
                fields=["person"], condition=Q(needs_resample=True), name="sample_resample"
            ),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def outcome(self) -> str:
        """The sample's result: its own, or its tube's negative (a positive or invalid tube
        gives its members none: they are re-sampled)."""
        if self.result or not self.pool_id:
            return self.result
        return self.pool.result if self.pool.result == Result.NEGATIVE else ""

    def get_outcome_display(self) -> str:
        return str(Result(self.outcome).label) if self.outcome else ""


class ResultCorrection(Audited, models.Model):
    """A result changed after it was given: from, to, why, who."""

    sample = models.ForeignKey(
        Sample, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    from_result = models.CharField(max_length=8, choices=Result.choices)
    to_result = models.CharField(max_length=8, choices=Result.choices)
    reason = models.CharField(_("更正原因"), max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at"]
        verbose_name = _("结果更正")
        verbose_name_plural = _("结果更正")

    def __str__(self) -> str:
        return f"{self.from_result} → {self.to_result}"

"""Cases (E4) and where they are treated (E5): hospitals, isolation wards with beds,
admissions, and the rosters of the expert team and the echelons of medical staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import ACTIVE_CLASSES, CaseClass, HospitalKind, TeamKind
from .querysets import (
    AdmissionQuerySet,
    CaseQuerySet,
    HospitalQuerySet,
    ReclassificationQuerySet,
    RosterQuerySet,
    WardQuerySet,
)

USER = settings.AUTH_USER_MODEL


class Case(Audited, models.Model):
    """One case of one person. Its class changes only through ``services.reclassify_case``,
    which keeps the history; ``confirmed_at`` is when it was first confirmed (the count of
    days without a new confirmed case reads it)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("人员")
    )
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("所属区划"),
    )
    case_class = models.CharField(_("分类"), max_length=12, choices=CaseClass.choices)
    opened_at = models.DateTimeField(_("报告时间"))
    confirmed_at = models.DateTimeField(_("确诊时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    sample_barcode = models.CharField(_("阳性样本条码"), max_length=40, blank=True)
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("病例")
        verbose_name_plural = _("病例")
        permissions = [("export_case", _("导出病例"))]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(case_class__in=ACTIVE_CLASSES),
                name="case_one_active_per_person",
                violation_error_message=_("人员：已有未结案的病例"),
            ),
            models.CheckConstraint(
                condition=Q(case_class__in=CaseClass.values),
                name="case_class_known",
            ),
            models.CheckConstraint(
                condition=~Q(case_class=CaseClass.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="case_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at"], name="case_confirmed_at")]

    def __str__(self) -> str:
        return f"{self.person.name}({self.get_case_class_display()})"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])


class Reclassification(Audited, models.Model):
    """One change of a case's class: who, when, why, from and to. Append-only history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    from_class = models.CharField(_("原分类"), max_length=12, choices=CaseClass.choices, blank=True)
    to_class = models.CharField(_("新分类"), max_length=12, choices=CaseClass.choices)
    at = models.DateTimeField(_("时间"))
    reason = models.CharField(_("原因"), max_length=200)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(_("操作人"), max_length=50, blank=True)

    objects = ReclassificationQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("病例分类变更")
        verbose_name_plural = _("病例分类变更")

    def __str__(self) -> str:
        return f"{self.get_from_class_display()} → {self.get_to_class_display()}"


class Hospital(Audited, models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=HospitalKind.choices)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)

    objects = HospitalQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("救治医院")
        verbose_name_plural = _("救治医院")
        permissions = [("export_hospital", _("导出医院床位"))]

    def __str__(self) -> str:
        return self.name


class Ward(Audited, models.Model):
    """An isolation ward: ``occupied`` beds never above ``capacity`` (the database refuses)."""

    hospital = models.ForeignKey(
        Hospital, on_delete=models.PROTECT, related_name="wards", verbose_name=_("医院")
    )
    name = models.CharField(_("病区"), max_length=40)
    capacity = models.PositiveIntegerField(_("床位数"))
    occupied = models.PositiveIntegerField(_("在院人数"), default=0)

    objects = WardQuerySet.as_manager()

    class Meta:
        ordering = ["hospital__kind", "hospital__name", "name"]
        verbose_name = _("隔离病区")
        verbose_name_plural = _("隔离病区")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="ward_unique_name"),
            models.CheckConstraint(
                condition=Q(occupied__lte=models.F("capacity")) & Q(occupied__gte=0),
                name="ward_not_over_capacity",
                violation_error_message=_("病区：在院人数不能超过床位数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital.name} {self.name}"

    @property
    def free(self) -> int:
        return self.capacity - self.occupied


class Admission(Audited, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="admissions")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="admissions")
    admitted_at = models.DateTimeField(_("入院时间"))
    discharged_at = models.DateTimeField(_("出院时间"), null=True, blank=True)
    discharge_reason = models.CharField(_("出院原因"), max_length=100, blank=True)

    objects = AdmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_at", "-pk"]
        verbose_name = _("入院记录")
        verbose_name_plural = _("入院记录")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(discharged_at__isnull=True),
                name="admission_one_open_per_case",
                violation_error_message=_("病例：已在院，不能重复入院"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.ward_id}"


class Team(Audited, models.Model):
    """The expert team or one echelon of medical staff (a roster)."""

    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    echelon = models.PositiveSmallIntegerField(_("梯队序号"), null=True, blank=True)
    hospital = models.ForeignKey(
        Hospital, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("所属医院")
    )

    objects = RosterQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "echelon", "name"]
        verbose_name = _("救治队伍")
        verbose_name_plural = _("救治队伍")
        permissions = [("export_team", _("导出救治队伍名册"))]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=30)
    profession = models.CharField(_("专业"), max_length=30)
    title = models.CharField(_("职称"), max_length=30, blank=True)
    unit = models.CharField(_("单位"), max_length=60, blank=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        ordering = ["team", "pk"]
        verbose_name = _("队员")
        verbose_name_plural = _("队员")

    def __str__(self) -> str:
        return self.name

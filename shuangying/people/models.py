"""Persons, households and the staff survey (B1, B2, B6).

Document numbers and phones are never stored in plaintext (M1): each is kept as AES-GCM
ciphertext (``*_enc``), an HMAC for exact lookups (``*_hash``), the masked form shown on
screens (``*_masked``) and the last four characters for partial search (``*_last4``).
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited
from shuangying.core import crypto

from .choices import DocumentType, HealthStatus, Relation, Sex
from .querysets import HouseholdQuerySet, PersonQuerySet, StaffSurveyQuerySet

ID_CONTEXT = "person.id_number"
PHONE_CONTEXT = "person.phone"


def id_number_hash(normalized: str) -> str:
    return crypto.lookup_hash(normalized, context=ID_CONTEXT)


def phone_hash(normalized: str) -> str:
    return crypto.lookup_hash(normalized, context=PHONE_CONTEXT)


class Tag(models.Model):
    """A label on a person: returnee (返乡人员), key group (重点人群) …"""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")

    def __str__(self) -> str:
        return self.name


class Household(Audited, models.Model):
    """A household file (一户一档, B2): an address in a compound or building, its members."""

    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("所在区划"),
    )
    number = models.CharField(_("户编号"), max_length=30)
    address = models.CharField(_("住址"), max_length=200)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()
    audit_type = "household"

    class Meta:
        ordering = ["division__path", "number"]
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [
            models.UniqueConstraint(fields=["division", "number"], name="household_number_unique")
        ]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("people:household_detail", args=[self.pk])


class Person(Audited, models.Model):
    """One person, one record however they arrive: unique by document number (hash)."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    id_number_enc = models.TextField(editable=False)
    # The keyed hashes and last-four columns are matched exactly, never with LIKE: their indexes
    # are declared in Meta, which on PostgreSQL spares each its second "varchar_pattern_ops"
    # copy that ``unique=True`` / ``db_index=True`` would add: four fewer indexes to keep up on
    # every insert.
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=24, editable=False)
    id_last4 = models.CharField(max_length=4, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("所属网格"),
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("户"),
    )
    relation_to_head = models.CharField(
        _("与户主关系"), max_length=12, choices=Relation.choices, blank=True
    )
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    workplace_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name=_("所在部门"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="persons", verbose_name=_("标签"))
    is_verified = models.BooleanField(_("已核实"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()
    audit_type = "person"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions = [
            ("reveal_person", "Can reveal full document numbers and phones"),
            ("export_person", "Can export person ledgers"),
            ("import_person", "Can import person ledgers"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="person_id_number_hash_unique"),
        ]
        indexes = [
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            models.Index(fields=["id_last4"], name="person_id_last4"),
            models.Index(fields=["phone_last4"], name="person_phone_last4"),
            models.Index(fields=["division", "name"], name="person_division_name"),
            models.Index(fields=["name"], name="person_name"),
            # Name search is a prefix match (LIKE 'x%'): this index serves it on PostgreSQL
            # whatever the cluster's collation.
            models.Index(
                fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def get_absolute_url(self) -> str:
        return reverse("people:person_detail", args=[self.pk])

    # Plaintext only through these, and only where the caller has audited the reveal.
    def reveal_id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc, context=ID_CONTEXT)

    def reveal_phone(self) -> str:
        return crypto.decrypt(self.phone_enc, context=PHONE_CONTEXT) if self.phone_enc else ""


class TravelEntry(models.Model):
    """Where a person came from (B1, B4): origin, places passed, arrival date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="travel_entries")
    origin = models.CharField(_("出发地"), max_length=100)
    origin_code = models.CharField(_("出发地区划代码"), max_length=6, blank=True)
    via = models.CharField(_("途经地"), max_length=200, blank=True)
    arrival_date = models.DateField(_("抵达日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-arrival_date"]
        verbose_name = _("行程")
        verbose_name_plural = _("行程")

    def __str__(self) -> str:
        return f"{self.origin} → {self.arrival_date}"


class StaffSurvey(Audited, models.Model):
    """A department's staff survey on the first day back (B6): holiday whereabouts, health."""

    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="staff_surveys",
        verbose_name=_("部门"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="staff_surveys", verbose_name=_("人员")
    )
    survey_date = models.DateField(_("摸底日期"))
    holiday_whereabouts = models.CharField(_("假期行踪"), max_length=200)
    left_county = models.BooleanField(_("假期曾离开本县"), default=False)
    health_status = models.CharField(
        _("返岗首日健康状况"),
        max_length=12,
        choices=HealthStatus.choices,
        default=HealthStatus.NORMAL,
    )
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = StaffSurveyQuerySet.as_manager()
    audit_type = "staff_survey"

    class Meta:
        ordering = ["-survey_date", "person__name"]
        verbose_name = _("单位人员摸底")
        verbose_name_plural = _("单位人员摸底")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "person", "survey_date"], name="staff_survey_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.person_id} {self.survey_date}"

"""Check-ins (C2), the declarations of unbound check-ins waiting for a grid worker, and the
persons check-ins created.

What is recorded is the minimum (ANCHORS: SafeEntry): place, person, time, the declared
temperature, symptoms and travel, and which check-in a companion came with. Rows are kept for
``CHECKIN_RETENTION_DAYS`` (28 days: two incubation periods) and then purged
(``purge_expired_checkins``); see docs/scaling.md.

The table is built to grow (issue 3, point 8): a BigAutoField key, indexes led by the column a
query narrows first and ending in ``checked_in_at``, and no database foreign keys to persons
or places (``db_constraint=False``): PostgreSQL cannot partition a table by month while other
tables' foreign keys point into it cheaply, and a distributed table (Citus) cannot hold
foreign keys to non-reference tables. Integrity is kept by the services, which only write ids
they have just read.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangying.access import RestrictedQuerySet
from shuangying.audit.logging import Audited

from .choices import Source, Travel


def new_ref() -> str:
    """Default of the device references migration 0001 created (they now live, bound only, in
    the identity app)."""
    return secrets.token_urlsafe(18)


class CheckInQuerySet(models.QuerySet):
    def between(self, start=None, end=None):
        qs = self
        if start is not None:
            qs = qs.filter(checked_in_at__gte=start)
        if end is not None:
            qs = qs.filter(checked_in_at__lt=end)
        return qs


class CheckIn(Audited, models.Model):
    """One scan of a place code by one person (扫码登记)."""

    audit_type = "checkin"

    id = models.BigAutoField(primary_key=True)
    checked_in_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # db_constraint=False: see the module docstring (partitioning by month, Citus).
    # db_index=False: the (place, time) and (person, time) indexes below serve lookups by
    # either alone; a third and fourth index would only slow every insert.
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="checkins",
        verbose_name=_("场所"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="checkins",
        verbose_name=_("人员"),
    )
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    has_fever = models.BooleanField(_("发热"), default=False)
    symptoms = models.CharField(_("症状"), max_length=100, blank=True)
    travel = models.CharField(
        _("14天内行程"), max_length=16, choices=Travel.choices, default=Travel.NONE
    )
    travel_from = models.CharField(_("来自"), max_length=50, blank=True)
    # The check-in of the person a companion (elderly, child) came with; a plain id for the
    # same reason as the foreign keys above.
    companion_of = models.BigIntegerField(_("同行登记"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.SCAN)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["checked_in_at", "id"]
        verbose_name = _("扫码登记")
        verbose_name_plural = _("扫码登记")
        indexes = [
            models.Index(fields=["person", "checked_in_at"], name="checkin_person_time"),
            models.Index(fields=["place", "checked_in_at"], name="checkin_place_time"),
            # Retention purges by time alone.
            models.Index(fields=["checked_in_at"], name="checkin_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(temperature__gte=34, temperature__lte=43),
                name="checkin_temperature_range",
                violation_error_message="体温应在34.0–43.0℃之间",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.place_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.split(",") if s]


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已驳回")


class PendingDeclarationQuerySet(RestrictedQuerySet):
    # The person's grid: their grid worker confirms what they declared.
    division_path_field = "person__division__path"


class PendingDeclaration(Audited, models.Model):
    """What an unbound check-in declared (fever, symptoms, travel): anyone could have typed
    it, so it changes no health code until the person's grid worker confirms it."""

    audit_type = "checkin_declaration"

    checkin_id = models.BigIntegerField(_("扫码登记"))
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="pending_declarations",
        verbose_name=_("人员"),
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("场所")
    )
    checked_in_at = models.DateTimeField(_("登记时间"))
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    has_fever = models.BooleanField(_("发热"), default=False)
    symptoms = models.CharField(_("症状"), max_length=100, blank=True)
    travel = models.CharField(
        _("14天内行程"), max_length=16, choices=Travel.choices, default=Travel.NONE
    )
    travel_from = models.CharField(_("来自"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )
    decided_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    objects = PendingDeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        verbose_name = _("待核实申报")
        verbose_name_plural = _("待核实申报")
        indexes = [models.Index(fields=["status", "checked_in_at"], name="pdecl_status_time")]

    def __str__(self) -> str:
        return f"declaration {self.person_id}@{self.checkin_id}"

    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.split(",") if s]


class CheckinRegistration(models.Model):
    """A person the public check-in created (unknown document number): unverified, and
    deleted by ``purge_unverified_persons`` when nobody verified or bound them within the
    retention period and no check-in of theirs remains."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="checkin_registration"
    )
    place_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("扫码新建人员")
        verbose_name_plural = _("扫码新建人员")

    def __str__(self) -> str:
        return f"registered {self.person_id}@{self.place_id}"

"""Checkpoint records (C3): one person, or one vehicle with its passengers, checked at a
checkpoint. Each carries the UUID its device generated, so a submission sent twice (offline
queue, retries) is one row."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import Direction, FeverDisposal, Outcome, VehicleType
from .querysets import CheckpointDayQuerySet, CheckpointRecordQuerySet


class CheckpointRecord(Audited, models.Model):
    audit_type = "checkpoint_record"

    client_uuid = models.UUIDField(_("客户端编号"), unique=True, editable=False)
    checkpoint = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="checkpoint_records",
        verbose_name=_("卡口"),
    )
    checked_at = models.DateTimeField(_("检查时间"), db_index=True)
    received_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检查人员"),
    )
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices)
    outcome = models.CharField(_("处置"), max_length=16, choices=Outcome.choices)
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    is_fever = models.BooleanField(_("发热"), default=False)
    # Who was checked: the registry's person when the document number is known; otherwise
    # only the masked number (never the plaintext) and its keyed hash for later matching.
    # A vehicle's record names the one person whose document was taken (passengers are a
    # count). No index of its own: cpr_person_time, led by person, serves its lookups.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.SET_NULL,
        related_name="checkpoint_records",
        verbose_name=_("人员"),
    )
    document_masked = models.CharField(_("证件号码"), max_length=24, blank=True)
    document_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    health_code_token = models.TextField(_("健康码"), blank=True)
    health_code_colour = models.CharField(_("健康码颜色"), max_length=16, blank=True)
    is_vehicle = models.BooleanField(_("车辆检查"), default=False)
    plate = models.CharField(_("车牌号"), max_length=10, blank=True)
    vehicle_type = models.CharField(
        _("车辆类型"), max_length=16, choices=VehicleType.choices, blank=True
    )
    origin = models.CharField(_("来自"), max_length=60, blank=True)
    passenger_count = models.PositiveSmallIntegerField(_("车上人数"), null=True, blank=True)
    # A fever alert handled: who, when, where the person was sent.
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处置人"),
    )
    handled_to = models.CharField(
        _("处置去向"), max_length=20, choices=FeverDisposal.choices, blank=True
    )
    handled_note = models.CharField(_("处置说明"), max_length=100, blank=True)

    objects = CheckpointRecordQuerySet.as_manager()
    # Not a column: the person's division, noted by the service when it reads the persons,
    # handed to the fever loop with a fever.
    person_division_id: int | None = None

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("卡口检查记录")
        verbose_name_plural = _("卡口检查记录")
        permissions = [("export_checkpointrecord", "导出卡口检查统计")]
        indexes = [
            models.Index(fields=["checkpoint", "checked_at"], name="cpr_checkpoint_time"),
            # A person's trajectory (C5) reads their passages in a time window.
            models.Index(fields=["person", "checked_at"], name="cpr_person_time"),
            # Fever alerts poll "fevers with an id above the last one seen".
            models.Index(fields=["id"], condition=models.Q(is_fever=True), name="cpr_fever_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temperature__gte=34) & models.Q(temperature__lte=43),
                name="cpr_temperature_range",
                violation_error_message="体温应在 34.0–43.0 ℃ 之间",
            ),
            models.CheckConstraint(
                condition=models.Q(is_fever=True, temperature__gte=Decimal("37.3"))
                | models.Q(is_fever=False, temperature__lt=Decimal("37.3")),
                name="cpr_fever_matches_temperature",
                violation_error_message="发热标记与体温不符",
            ),
            models.CheckConstraint(
                condition=models.Q(is_vehicle=False) | ~models.Q(plate=""),
                name="cpr_vehicle_has_plate",
                violation_error_message="车辆检查须填写车牌号",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.checked_at:%Y-%m-%d %H:%M} {self.temperature}"


class CheckpointDay(models.Model):
    """The daily counters of one checkpoint (C3), kept by the services as records are written
    (``F()`` increments in the same transaction), so that the dashboard reads a few hundred
    rows instead of aggregating hundreds of thousands of records. ``rebuild_daily_counters``
    recomputes them from the records."""

    checkpoint = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="checkpoint_days"
    )
    day = models.DateField(_("日期"))
    persons = models.PositiveIntegerField(_("检查人数"), default=0)
    vehicles = models.PositiveIntegerField(_("检查车辆"), default=0)
    fevers = models.PositiveIntegerField(_("发现发热"), default=0)
    turned_back = models.PositiveIntegerField(_("劝返"), default=0)

    objects = CheckpointDayQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "checkpoint"]
        verbose_name = _("卡口每日统计")
        verbose_name_plural = _("卡口每日统计")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "day"], name="one_counter_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.day}"

"""Quarantine (F1, F2, F4): orders with their history of extensions and reductions, the
centralised sites with their rooms, and the stays that put an order's person in a room.

The database keeps it honest: one active order per person and one open stay per order
(partial unique indexes), and a bed of a room is held by at most one open stay (a partial
unique index on (room, bed) where the stay is open), so that no room is double-booked
whatever two requests do at the same moment, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import ChangeKind, OrderKind, OrderState, Reason, RoomState, SiteKind
from .querysets import (
    DailyReportQuerySet,
    OrderChangeQuerySet,
    OrderQuerySet,
    RoomQuerySet,
    SiteQuerySet,
    StayQuerySet,
)

USER = settings.AUTH_USER_MODEL


def _user_fk(label, related_name="+"):
    return models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=label,
    )


class QuarantineOrder(Audited, models.Model):
    """One person's quarantine: from ``start_date`` to ``end_date`` (the last day, inclusive;
    day 1 is the start date). Its period changes only through ``services.change_order``,
    which keeps the history; it ends only through ``services.release_order``."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="quarantine_orders",
        verbose_name=_("人员"),
    )
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属区划"),
    )
    kind = models.CharField(_("隔离方式"), max_length=12, choices=OrderKind.choices)
    reason = models.CharField(_("隔离原因"), max_length=20, choices=Reason.choices)
    reason_text = models.CharField(_("原因说明"), max_length=100, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("期满日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.ACTIVE
    )
    ordered_at = models.DateTimeField(_("下达时间"))
    ordered_by = _user_fk(_("下达人"))
    grid_worker = _user_fk(_("责任网格员"), related_name="quarantine_orders")
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by = _user_fk(_("解除人"))
    release_note = models.CharField(_("解除说明"), max_length=200, blank=True)

    objects = OrderQuerySet.as_manager()
    # The audit log's object type, for the list and view rows the pages write by name.
    audit_type = "quarantine_order"

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("隔离令")
        verbose_name_plural = _("隔离令")
        permissions = [
            ("export_quarantineorder", _("导出隔离人员")),
            ("release_quarantineorder", _("解除隔离")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state=OrderState.ACTIVE),
                name="quarantine_one_active_per_person",
                violation_error_message=_("人员：已在隔离中"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="quarantine_end_after_start",
                violation_error_message=_("期满日期：不能早于开始日期"),
            ),
            models.CheckConstraint(
                condition=Q(state=OrderState.ACTIVE, released_at__isnull=True)
                | Q(state=OrderState.RELEASED, released_at__isnull=False),
                name="quarantine_released_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(reason=Reason.OTHER) | ~Q(reason_text=""),
                name="quarantine_other_has_text",
                violation_error_message=_("原因说明：隔离原因为“其他”时必填"),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "end_date"], name="quarantine_state_end"),
            models.Index(fields=["start_date"], name="quarantine_start"),
            models.Index(fields=["released_at"], name="quarantine_released"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("quarantine:order_detail", args=[self.pk])

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def reason_label(self) -> str:
        label = str(self.get_reason_display())
        return f"{label}：{self.reason_text}" if self.reason_text else label


class OrderChange(Audited, models.Model):
    """One extension or reduction of an order's period: by how many days, why, who, when.
    Append-only history (SORMAS #2264, #6782)."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更"), max_length=8, choices=ChangeKind.choices)
    days = models.PositiveSmallIntegerField(_("天数"))
    from_end = models.DateField(_("原期满日期"))
    to_end = models.DateField(_("新期满日期"))
    reason = models.CharField(_("原因"), max_length=200)
    at = models.DateTimeField(_("时间"))
    by = _user_fk(_("操作人"))
    by_name = models.CharField(_("操作人"), max_length=50, blank=True)

    objects = OrderChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("隔离期变更")
        verbose_name_plural = _("隔离期变更")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="quarantine_change_days"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.days}天"


class Site(Audited, models.Model):
    """A centralised quarantine site (集中隔离点). ``shared_households``: a household may share
    a room of several beds; otherwise one person per room whatever its beds."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=SiteKind.choices)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)
    manager = models.CharField(_("负责人"), max_length=30, blank=True)
    shared_households = models.BooleanField(_("允许同户合住"), default=False)
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)

    objects = SiteQuerySet.as_manager()
    audit_type = "quarantine_site"

    class Meta:
        ordering = ["name"]
        verbose_name = _("集中隔离点")
        verbose_name_plural = _("集中隔离点")
        permissions = [("export_site", _("导出隔离点房间"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("quarantine:site_board", args=[self.pk])


class Room(Audited, models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("房间号"), max_length=12)
    beds = models.PositiveSmallIntegerField(_("床位数"), default=1)
    state = models.CharField(
        _("状态"), max_length=10, choices=RoomState.choices, default=RoomState.FREE
    )

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["site", "number"]
        verbose_name = _("隔离房间")
        verbose_name_plural = _("隔离房间")
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="quarantine_room_number"),
            models.CheckConstraint(condition=Q(beds__gte=1), name="quarantine_room_beds"),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.number}"


class Stay(Audited, models.Model):
    """An order's person in a room's bed from ``from_at`` to ``to_at`` (open while null)."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.PROTECT, related_name="stays")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="stays")
    bed = models.PositiveSmallIntegerField(_("床位"), default=1)
    from_at = models.DateTimeField(_("入住时间"))
    to_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    end_reason = models.CharField(_("离开原因"), max_length=20, blank=True)

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["from_at", "pk"]
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "bed"],
                condition=Q(to_at__isnull=True),
                name="quarantine_bed_one_open_stay",
                violation_error_message=_("房间：该床位已有人入住"),
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(to_at__isnull=True),
                name="quarantine_order_one_open_stay",
                violation_error_message=_("隔离令：已分配房间"),
            ),
            models.CheckConstraint(condition=Q(bed__gte=1), name="quarantine_stay_bed"),
            models.CheckConstraint(
                condition=Q(to_at__isnull=True) | Q(to_at__gte=F("from_at")),
                name="quarantine_stay_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} 床{self.bed}"


class DailyReport(Audited, models.Model):
    """One of the twice-daily health reports of a person in quarantine (F3): by the person
    from their link (``reported_by`` empty) or by their grid worker. One per (order, day,
    slot); a different value later only as a correction with its reason."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="reports")
    day = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("时段"))
    temperature = models.DecimalField(_("体温"), max_digits=4, decimal_places=1)
    symptoms = models.CharField(_("症状"), max_length=100, blank=True)
    abnormal = models.BooleanField(_("异常"), default=False)
    fever_episode_id = models.PositiveBigIntegerField(_("发热记录"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报告时间"))
    reported_by = _user_fk(_("报告人"))
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        ordering = ["day", "slot"]
        verbose_name = _("健康报告")
        verbose_name_plural = _("健康报告")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "day", "slot"],
                name="quarantine_report_once_per_slot",
                violation_error_message=_("时段：该时段已报告"),
            ),
            models.CheckConstraint(condition=Q(slot__in=[1, 2]), name="quarantine_report_slot"),
        ]
        indexes = [models.Index(fields=["day", "slot"], name="quarantine_report_day_slot")]

    def __str__(self) -> str:
        return f"{self.day} 第{self.slot}次 {self.temperature}℃"

    @property
    def slot_label(self) -> str:
        return "上午" if self.slot == 1 else "下午"

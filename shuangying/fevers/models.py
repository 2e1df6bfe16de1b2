"""Fever episodes and the reports that feed them (E1, E2).

An episode is one person's one fever, followed through the closed loop found → registered →
isolated → sampled → resulted → closed; each step keeps its time and who recorded it. Every
report (a checkpoint reading, a pharmacy's buyer, a tip-off …) is kept, with its channel and
time: a report for a person who already has an open episode joins it. A report whose person
is not (yet) known to the registry, such as a tip-off naming only "老王, 3号楼", stays
*unresolved* (no person, no episode) until the grid worker resolves it to a registry person.

The database keeps the loop honest: one open episode per person (a partial unique index),
and CHECK constraints refuse a step's time without the steps before it, times out of order,
a closed episode without its outcome and an isolation without its place."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import STEP_ORDER, Channel, IsolationPlace, Outcome, Step
from .querysets import FeverEpisodeQuerySet, FeverReportQuerySet

# The time column of each step after "found", in order.
STEP_TIME: dict[str, str] = {
    Step.REGISTERED: "registered_at",
    Step.ISOLATED: "isolated_at",
    Step.SAMPLED: "sampled_at",
    Step.RESULTED: "resulted_at",
    Step.CLOSED: "closed_at",
}
TIME_COLUMNS = ["found_at", *STEP_TIME.values()]


def _user_fk(name: Any):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=name,
    )


def _state_checks() -> Q:
    """For each status, exactly the step times up to it are set (no skipped step, no step
    recorded ahead of the status)."""
    q = Q(pk__in=[])
    for index, status in enumerate(STEP_ORDER):
        done = TIME_COLUMNS[1 : index + 1]
        pending = TIME_COLUMNS[index + 1 :]
        q |= Q(
            status=status,
            **{f"{c}__isnull": False for c in done},
            **{f"{c}__isnull": True for c in pending},
        )
    return q


def _order_checks() -> list[models.CheckConstraint]:
    checks = []
    for earlier, later in zip(TIME_COLUMNS, TIME_COLUMNS[1:], strict=False):
        checks.append(
            models.CheckConstraint(
                condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gte": F(earlier)}),
                name=f"fever_{later}_after_{earlier}",
                violation_error_message="各环节时间须按顺序",
            )
        )
    return checks


class FeverEpisode(Audited, models.Model):
    audit_type = "fever_episode"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="fever_episodes"
    )
    # The person's division when the episode opened: the township and grid that answer for it.
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("属地")
    )
    status = models.CharField(_("环节"), max_length=12, choices=Step.choices, default=Step.FOUND)
    channel = models.CharField(_("首报渠道"), max_length=16, choices=Channel.choices)
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.CharField(_("症状"), max_length=200, blank=True)

    found_at = models.DateTimeField(_("发现时间"))
    found_by = _user_fk(_("发现登记人"))
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    registered_by = _user_fk(_("登记人"))
    isolated_at = models.DateTimeField(_("隔离时间"), null=True, blank=True)
    isolated_by = _user_fk(_("隔离处置人"))
    isolation_place = models.CharField(
        _("隔离方式"), max_length=12, choices=IsolationPlace.choices, blank=True
    )
    isolation_note = models.CharField(_("隔离地点"), max_length=100, blank=True)
    sampled_at = models.DateTimeField(_("采样时间"), null=True, blank=True)
    sampled_by = _user_fk(_("采样登记人"))
    sample_barcode = models.CharField(_("样本条码"), max_length=40, blank=True)
    resulted_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    resulted_by = _user_fk(_("结果登记人"))
    result = models.CharField(_("检测结果"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = _user_fk(_("结案人"))
    outcome = models.CharField(_("结论"), max_length=12, choices=Outcome.choices, blank=True)
    close_note = models.CharField(_("结案说明"), max_length=200, blank=True)

    objects = FeverEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("发热人员")
        verbose_name_plural = _("发热人员")
        permissions = [
            ("export_feverepisode", "导出发热人员"),
            ("sample_feverepisode", "登记采样与检测结果"),
            ("close_feverepisode", "发热人员结案"),
        ]
        indexes = [
            # The overdue list: open episodes by step and time found.
            models.Index(
                fields=["status", "found_at"],
                condition=~Q(status=Step.CLOSED),
                name="fever_open_step_found",
            ),
            models.Index(fields=["person", "found_at"], name="fever_person_found"),
            # The day's figures (health.py): found in a range, and closed since a moment.
            models.Index(fields=["found_at"], name="fever_found_at"),
            models.Index(fields=["closed_at"], name="fever_closed_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status=Step.CLOSED),
                name="fever_one_open_episode",
                violation_error_message="此人已有未结案的发热记录",
            ),
            models.CheckConstraint(
                condition=_state_checks(),
                name="fever_steps_in_order",
                violation_error_message="环节与各环节时间不符",
            ),
            *_order_checks(),
            models.CheckConstraint(
                condition=(Q(status=Step.CLOSED) & ~Q(outcome=""))
                | (~Q(status=Step.CLOSED) & Q(outcome="")),
                name="fever_closed_has_outcome",
                violation_error_message="结案须有结论",
            ),
            models.CheckConstraint(
                condition=(Q(isolated_at__isnull=True) & Q(isolation_place=""))
                | (Q(isolated_at__isnull=False) & ~Q(isolation_place="")),
                name="fever_isolation_has_place",
                violation_error_message="隔离须注明方式",
            ),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | (Q(temperature__gte=34) & Q(temperature__lte=43)),
                name="fever_temperature_range",
                violation_error_message="体温应在 34.0–43.0 ℃ 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"发热 {self.person_id} {self.found_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("fevers:episode_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != Step.CLOSED


class FeverReport(Audited, models.Model):
    """One report of a fever, as it came: its channel, time, reading and source. With an
    episode once its person is known; without (``person`` null) it is an unresolved report."""

    audit_type = "fever_report"

    episode = models.ForeignKey(
        FeverEpisode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("发热人员"),
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the report belongs (the person's division, else the place's, else the division the
    # reporter named): who may see and resolve it.
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("属地")
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    reported_at = models.DateTimeField(_("发现时间"))
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.CharField(_("症状"), max_length=200, blank=True)
    drug = models.CharField(_("所购药品"), max_length=100, blank=True)
    reporter = _user_fk(_("报告人"))
    source_ref = models.CharField(_("来源"), max_length=60, blank=True)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("场所"),
    )
    # The reported person as typed, for a report not (yet) tied to a registry person (M1:
    # document and phone encrypted, hashed for the lookup, masked for screens).
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=24, blank=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    tipster_phone_enc = models.TextField(blank=True, editable=False)
    tipster_phone_masked = models.CharField(
        _("举报人电话"), max_length=20, blank=True, editable=False
    )
    resolved_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    resolved_by = _user_fk(_("核实人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeverReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("发热报告")
        verbose_name_plural = _("发热报告")
        indexes = [
            models.Index(
                fields=["reported_at"],
                condition=Q(person__isnull=True),
                name="fever_report_unresolved",
            ),
        ]
        constraints = [
            # A report with a person belongs to that person's episode, and only then.
            models.CheckConstraint(
                condition=Q(person__isnull=True, episode__isnull=True)
                | Q(person__isnull=False, episode__isnull=False),
                name="fever_report_person_episode",
                violation_error_message="报告的人员与发热记录不符",
            ),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | (Q(temperature__gte=34) & Q(temperature__lte=43)),
                name="fever_report_temperature_range",
                violation_error_message="体温应在 34.0–43.0 ℃ 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.reported_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.episode_id:
            return reverse("fevers:episode_detail", args=[self.episode_id])
        return reverse("fevers:report_resolve", args=[self.pk])

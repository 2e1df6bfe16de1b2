"""Daily health reports (F3). One report per (order, day, slot): the same values again answer
the stored report; different values are refused unless sent as a correction with a reason.
A fever by the one rule (``healthcodes.fever.is_fever``) or a symptom makes the report
abnormal and hands it to the fever loop in the home-quarantine channel
(``fevers.services.report_fever``), which opens or joins the person's episode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.fevers.choices import Channel
from shuangying.fevers.services import report_fever
from shuangying.healthcodes.fever import clean_temperature, is_fever

from ..choices import OrderState
from ..models import DailyReport, QuarantineOrder

SLOTS = (1, 2)


@dataclass
class ReportResult:
    report: DailyReport
    created: bool
    corrected: bool = False


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def cutoff(day: date, slot: int) -> datetime:
    hour, minute = (int(x) for x in settings.QUARANTINE_REPORT_CUTOFFS[slot - 1].split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def current_slot(now: datetime | None = None) -> int:
    now = timezone.localtime(now)
    return 1 if now < cutoff(now.date(), 1) else 2


@transaction.atomic
def submit_report(
    *,
    order: QuarantineOrder,
    day: date,
    slot: int,
    temperature,
    symptoms: str = "",
    correction_reason: str = "",
    actor=None,
) -> ReportResult:
    if slot not in SLOTS:
        raise ValidationError({"slot": "时段：应为1（上午）或2（下午）"})
    temperature = clean_temperature(temperature)
    symptoms = (symptoms or "").strip()
    if len(symptoms) > 100:
        raise ValidationError({"symptoms": "症状：最多100个字"})
    correction_reason = (correction_reason or "").strip()[:200]
    order = QuarantineOrder.objects.select_for_update().select_related("person").get(pk=order.pk)
    if order.state != OrderState.ACTIVE:
        raise ValidationError({"order": "隔离令：已解除，不再报告"})
    if not order.start_date <= day <= order.end_date:
        raise ValidationError({"day": f"日期：应在隔离期{order.start_date}至{order.end_date}之内"})
    if day > timezone.localdate():
        raise ValidationError({"day": "日期：不能晚于今天"})
    existing = (
        DailyReport.objects.select_for_update().filter(order=order, day=day, slot=slot).first()
    )
    if existing is not None:
        if existing.temperature == temperature and existing.symptoms == symptoms:
            return ReportResult(existing, False)
        if not correction_reason:
            raise ValidationError(
                {
                    "temperature": f"体温：{day}第{slot}次已报告（{existing.temperature}℃），"
                    "如需更正请填写更正原因"
                }
            )
    abnormal = is_fever(temperature) or bool(symptoms)
    report = existing or DailyReport(order=order, day=day, slot=slot)
    report.temperature = temperature
    report.symptoms = symptoms
    report.abnormal = abnormal
    report.reported_at = timezone.now()
    report.reported_by = _user(actor)
    report.correction_reason = correction_reason if existing else ""
    if abnormal and report.fever_episode_id is None:
        intake = report_fever(
            actor=None,
            channel=Channel.HOME_QUARANTINE,
            person=order.person,
            temperature=temperature,
            symptoms=symptoms,
            source_ref=f"quarantine:{order.pk}:{day}:{slot}",
        )
        report.fever_episode_id = intake.episode.pk if intake.episode else None
    report.save()
    report.log_action(
        AuditAction.UPDATE if existing else AuditAction.CREATE,
        user=actor,
        summary=f"隔离健康报告 隔离令{order.pk} {day} 第{slot}次{'（异常）' if abnormal else ''}",
        reason=correction_reason,
    )
    return ReportResult(report, existing is None, existing is not None)


def missing_reports(orders, *, day: date, slot: int, now: datetime | None = None, delay: int = 0):
    """Of ``orders``, the active ones whose period covers ``day`` and who have no report for
    ``slot`` once its cut-off (plus ``delay`` minutes) has passed: one query. Before that
    moment nobody is missing yet (an empty queryset)."""
    now = now or timezone.now()
    if now < cutoff(day, slot) + timedelta(minutes=delay):
        return orders.none()
    reported = DailyReport.objects.filter(order=OuterRef("pk"), day=day, slot=slot)
    return orders.filter(state=OrderState.ACTIVE, start_date__lte=day, end_date__gte=day).exclude(
        Exists(reported)
    )

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """Inputs of the health-code rules (D1). Other modules record them through
    ``services.record_health_event``."""

    QUARANTINE_STARTED = "quarantine_started", _("开始隔离")
    QUARANTINE_ENDED = "quarantine_ended", _("解除隔离")
    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SECONDARY_CONTACT = "secondary_contact", _("次密切接触者")
    CONFIRMED = "confirmed", _("确诊")
    SUSPECTED = "suspected", _("疑似")
    FEVER_UNRESOLVED = "fever_unresolved", _("发热未排除")
    FEVER_RESOLVED = "fever_resolved", _("发热已排除")
    RISK_AREA_ARRIVAL = "risk_area_arrival", _("来自风险地区")
    ARRIVAL_CLEARED = "arrival_cleared", _("来自风险地区经审核返岗")
    SYMPTOMS_DECLARED = "symptoms_declared", _("申报有症状")
    MANUAL_OVERRIDE = "manual_override", _("人工赋码")


# Kinds whose effect lasts until an ending event, not for a fixed number of days: the rule's
# duration only gives the expected end shown on screen.
ONGOING_KINDS = {EventKind.QUARANTINE_STARTED, EventKind.FEVER_UNRESOLVED}
# The event that ends an effect of each kind (pairs of facts, not policy: never data).
ENDED_BY = {
    EventKind.QUARANTINE_STARTED: EventKind.QUARANTINE_ENDED,
    EventKind.FEVER_UNRESOLVED: EventKind.FEVER_RESOLVED,
    EventKind.RISK_AREA_ARRIVAL: EventKind.ARRIVAL_CLEARED,
}
# Kinds a rule can be written for (ending kinds and overrides are not rules).
RULE_KINDS = [
    k for k in EventKind if k not in set(ENDED_BY.values()) and k != EventKind.MANUAL_OVERRIDE
]


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不予采纳")


class EventSource(models.TextChoices):
    DECLARATION = "declaration", _("本人申报")
    GRID = "grid", _("网格员登记")
    CHECKIN = "checkin", _("扫码登记")
    CHECKPOINT = "checkpoint", _("卡口检查")
    QUARANTINE = "quarantine", _("隔离管理")
    TRACING = "tracing", _("流调")
    HOSPITAL = "hospital", _("医疗机构")
    OFFICER = "officer", _("工作人员")
    IMPORT = "import", _("导入")
    TRAVEL = "travel", _("行程记录")

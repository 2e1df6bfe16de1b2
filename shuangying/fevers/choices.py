from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The seven channels a fever is found through (E1, seed 001)."""

    VILLAGE = "village", _("村排查")
    COMPOUND = "compound", _("小区排查")
    CHECKPOINT = "checkpoint", _("交通卡口")
    FEVER_CLINIC = "fever_clinic", _("医院发热门诊")
    HOME_QUARANTINE = "home_quarantine", _("居家隔离")
    TIPOFF = "tipoff", _("群众举报")
    PHARMACY = "pharmacy", _("药店购药")


class Step(models.TextChoices):
    """The closed loop (E2), in order: 发现一个、登记一个、隔离一个、送检一个."""

    FOUND = "found", _("已发现")
    REGISTERED = "registered", _("已登记")
    ISOLATED = "isolated", _("已隔离")
    SAMPLED = "sampled", _("已采样")
    RESULTED = "resulted", _("已出结果")
    CLOSED = "closed", _("已结案")


STEP_ORDER = [s.value for s in Step]
OPEN_STEPS = STEP_ORDER[:-1]


class IsolationPlace(models.TextChoices):
    HOME = "home", _("居家隔离")
    CENTRALISED = "centralised", _("集中隔离点")
    HOSPITAL = "hospital", _("医院")


class Outcome(models.TextChoices):
    EXCLUDED = "excluded", _("排除")
    SUSPECTED = "suspected", _("疑似")
    CONFIRMED = "confirmed", _("确诊")

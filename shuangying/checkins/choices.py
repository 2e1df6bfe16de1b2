from django.db import models
from django.utils.translation import gettext_lazy as _


class Symptom(models.TextChoices):
    """Symptoms a person may declare at a check-in (C2)."""

    COUGH = "cough", _("咳嗽")
    FATIGUE = "fatigue", _("乏力")
    SORE_THROAT = "sore_throat", _("咽痛")
    DIARRHOEA = "diarrhoea", _("腹泻")
    SHORT_BREATH = "short_breath", _("呼吸困难")
    SMELL_TASTE = "smell_taste", _("嗅觉或味觉减退")


class Travel(models.TextChoices):
    """Travel in the last 14 days, as declared."""

    NONE = "none", _("无")
    OTHER_PROVINCE = "other_province", _("去过外省")
    RISK_AREA = "risk_area", _("去过中高风险地区")


class Source(models.TextChoices):
    SCAN = "scan", _("扫码")
    API = "api", _("接口")
    BATCH = "batch", _("离线上传")


class TrajectoryKind(models.TextChoices):
    """What a row of a trajectory or a visitor list is (C5)."""

    CHECKIN = "checkin", _("扫码登记")
    CHECKPOINT = "checkpoint", _("卡口通行")

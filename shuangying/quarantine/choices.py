from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderKind(models.TextChoices):
    HOME = "home", _("居家隔离")
    CENTRALISED = "centralised", _("集中隔离")
    MEDICAL = "medical", _("医学观察")


class Reason(models.TextChoices):
    """Why a person is quarantined (F1); the period of each is a setting."""

    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SECONDARY_CONTACT = "secondary_contact", _("密接的密接")
    RISK_ARRIVAL = "risk_arrival", _("中高风险地区来返人员")
    FEVER = "fever", _("发热待排查")
    OTHER = "other", _("其他")


class OrderState(models.TextChoices):
    ACTIVE = "active", _("隔离中")
    RELEASED = "released", _("已解除")


class ChangeKind(models.TextChoices):
    EXTEND = "extend", _("延长")
    REDUCE = "reduce", _("缩短")


class SiteKind(models.TextChoices):
    HOTEL = "hotel", _("宾馆酒店")
    SCHOOL = "school", _("学校")
    TRAINING = "training", _("培训中心")
    CLINIC = "clinic", _("卫生院")
    OTHER = "other", _("其他")


class RoomState(models.TextChoices):
    FREE = "free", _("空闲")
    OCCUPIED = "occupied", _("已入住")
    CLEANING = "cleaning", _("待消毒")

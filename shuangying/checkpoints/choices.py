from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class Outcome(models.TextChoices):
    """What the checkpoint did with the person (C3)."""

    PASSED = "passed", _("放行")
    TURNED_BACK = "turned_back", _("劝返")
    FEVER_CLINIC = "fever_clinic", _("送发热门诊")


class VehicleType(models.TextChoices):
    CAR = "car", _("小型客车")
    BUS = "bus", _("大中型客车")
    TRUCK = "truck", _("货车")
    VAN = "van", _("面包车")
    MOTORCYCLE = "motorcycle", _("摩托车/电动车")
    OTHER = "other", _("其他")


class FeverDisposal(models.TextChoices):
    """Where a person found with a fever was sent (the alert is then marked handled)."""

    FEVER_CLINIC = "fever_clinic", _("已送发热门诊")
    HOSPITAL = "hospital", _("已送定点医院")
    HOME_OBSERVATION = "home_observation", _("居家观察")
    RETESTED_NORMAL = "retested_normal", _("复测体温正常")

from django.db import models
from django.utils.translation import gettext_lazy as _


class SampleType(models.TextChoices):
    THROAT = "throat", _("咽拭子")
    NASAL = "nasal", _("鼻咽拭子")
    SPUTUM = "sputum", _("痰液")
    SERUM = "serum", _("血清")


class Result(models.TextChoices):
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    INVALID = "invalid", _("无效")


RESULT_WORDS = {
    "阴性": Result.NEGATIVE,
    "阳性": Result.POSITIVE,
    "无效": Result.INVALID,
    "-": Result.NEGATIVE,
    "+": Result.POSITIVE,
    "neg": Result.NEGATIVE,
    "pos": Result.POSITIVE,
}

POOL_SIZES = (5, 10)
# How far ahead the booking looks for a free slot before refusing.
BOOKING_HORIZON_DAYS = 14

from django.db import models
from django.utils.translation import gettext_lazy as _


class PassType(models.TextChoices):
    """Kinds of pass (C4, C6)."""

    HOUSEHOLD = "household", _("户出入证")
    PERSON = "person", _("个人出入证")
    EXIT_CERTIFICATE = "exit_certificate", _("村委会外出证明")
    TRANSPORT = "transport", _("运输通行证")


class Direction(models.TextChoices):
    OUT = "out", _("出")
    IN = "in", _("进")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("放行")
    REFUSED = "refused", _("劝返")


class RefusalReason(models.TextChoices):
    """Why a gate turned someone back; every refusal is a 劝返 record."""

    FORGED = "forged", _("通行证无效（无法识别或伪造）")
    REVOKED = "revoked", _("通行证已作废")
    EXPIRED = "expired", _("通行证已过期")
    NOT_YET_VALID = "not_yet_valid", _("通行证尚未生效")
    OUTSIDE_HOURS = "outside_hours", _("不在开放时间内")
    QUOTA_USED = "quota_used", _("本户外出次数已用完")
    OUTSIDER = "outsider", _("非本小区（村）人员，不予进入")
    PLATE_MISMATCH = "plate_mismatch", _("车牌与通行证不符")
    WRONG_TYPE = "wrong_type", _("此类通行证不能在此使用")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待签发")
    ISSUED = "issued", _("已签发")
    DECLINED = "declined", _("不予签发")

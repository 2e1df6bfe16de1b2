from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceType(models.TextChoices):
    """Kinds of place (C1). Checkpoints and gates are places too: staff record passages there."""

    TRAFFIC_CHECKPOINT = "traffic_checkpoint", _("交通卡口")
    VILLAGE_GATE = "village_gate", _("村口卡点")
    COMPOUND_ENTRANCE = "compound_entrance", _("小区出入口")
    ENTERPRISE = "enterprise", _("企业")
    FEVER_CLINIC = "fever_clinic", _("发热门诊")
    GOVERNMENT_OFFICE = "government_office", _("机关单位")
    MARKET = "market", _("农贸市场")
    SUPERMARKET = "supermarket", _("超市")
    PHARMACY = "pharmacy", _("药店")
    SCHOOL = "school", _("学校")
    STATION = "station", _("车站")
    OTHER = "other", _("其他")


CHECKPOINT_TYPES = (
    PlaceType.TRAFFIC_CHECKPOINT,
    PlaceType.VILLAGE_GATE,
    PlaceType.COMPOUND_ENTRANCE,
)

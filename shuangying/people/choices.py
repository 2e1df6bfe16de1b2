from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未知")


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class HealthStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    FEVER = "fever", _("发热")
    SYMPTOMS = "symptoms", _("其他症状")
    QUARANTINE = "quarantine", _("隔离中")


class RevealPurpose(models.TextChoices):
    """Why plaintext is needed (issue 17): chosen from a list, and explained in words."""

    VERIFY_IDENTITY = "verify_identity", _("核实身份")
    CONTACT = "contact", _("电话联系本人")
    TRACING = "tracing", _("流行病学调查")
    TRANSFER = "transfer", _("转运或隔离安置")
    MEDICAL = "medical", _("就医救治")
    CORRECTION = "correction", _("更正登记信息")

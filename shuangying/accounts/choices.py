from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """What a change request of a protected account (security administrator, auditor) asks."""

    DEACTIVATE = "deactivate", _("停用账户")
    REACTIVATE = "reactivate", _("启用账户")
    PROFILE = "profile", _("修改资料")
    DIVISIONS = "divisions", _("调整管辖区划")
    ROLES = "roles", _("调整角色")
    TOTP_RESET = "totp_reset", _("重置两步验证")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")

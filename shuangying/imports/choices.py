from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("人员台账")
    HOUSEHOLDS = "households", _("一户一档")
    DIVISIONS = "divisions", _("行政区划")
    LAB_RESULTS = "lab_results", _("检测结果表")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部正确才导入（有任何错误则不写入）")
    VALID_ONLY = "valid", _("只导入正确的行（跳过有错误的行）")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队等待检查")
    VALIDATING = "validating", _("正在检查")
    VALIDATED = "validated", _("检查完成，待确认导入")
    COMMITTING = "committing", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


RUNNING_STATUSES = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.COMMITTING)

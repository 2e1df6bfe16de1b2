from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseClass(models.TextChoices):
    """The class of a case (E4). ``excluded`` closes a suspected case that tests rule out."""

    SUSPECTED = "suspected", _("疑似病例")
    CONFIRMED = "confirmed", _("确诊病例")
    ASYMPTOMATIC = "asymptomatic", _("无症状感染者")
    CURED = "cured", _("治愈")
    DIED = "died", _("死亡")
    EXCLUDED = "excluded", _("排除")


# The allowed moves, one table read by the one service that reclassifies (and by the form).
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    CaseClass.SUSPECTED: frozenset(
        {CaseClass.CONFIRMED, CaseClass.ASYMPTOMATIC, CaseClass.EXCLUDED}
    ),
    CaseClass.ASYMPTOMATIC: frozenset({CaseClass.CONFIRMED, CaseClass.CURED}),
    CaseClass.CONFIRMED: frozenset({CaseClass.CURED, CaseClass.DIED}),
    CaseClass.CURED: frozenset(),
    CaseClass.DIED: frozenset(),
    CaseClass.EXCLUDED: frozenset(),
}
# A person has at most one case in these classes at a time.
ACTIVE_CLASSES = (CaseClass.SUSPECTED, CaseClass.CONFIRMED, CaseClass.ASYMPTOMATIC)


class HospitalKind(models.TextChoices):
    DESIGNATED = "designated", _("定点救治医院")
    BACKUP = "backup", _("后备医院")


class TeamKind(models.TextChoices):
    EXPERTS = "experts", _("专家救治组")
    ECHELON = "echelon", _("医疗救治后备梯队")

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.IntegerChoices):
    """Depth in the tree (A1). County, township and village carry 12-digit statistical codes;
    compound, building and grid carry local codes under their parent."""

    COUNTY = 1, _("县/区")
    TOWNSHIP = 2, _("乡镇/街道")
    VILLAGE = 3, _("村/社区")
    COMPOUND = 4, _("小区/楼栋")
    GRID = 5, _("网格")


class DivisionKind(models.TextChoices):
    COUNTY = "county", _("县")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    GRID = "grid", _("网格")


KIND_LEVEL = {
    DivisionKind.COUNTY: DivisionLevel.COUNTY,
    DivisionKind.DISTRICT: DivisionLevel.COUNTY,
    DivisionKind.STREET: DivisionLevel.TOWNSHIP,
    DivisionKind.TOWN: DivisionLevel.TOWNSHIP,
    DivisionKind.TOWNSHIP: DivisionLevel.TOWNSHIP,
    DivisionKind.VILLAGE: DivisionLevel.VILLAGE,
    DivisionKind.COMMUNITY: DivisionLevel.VILLAGE,
    DivisionKind.COMPOUND: DivisionLevel.COMPOUND,
    DivisionKind.BUILDING: DivisionLevel.COMPOUND,
    DivisionKind.GRID: DivisionLevel.GRID,
}

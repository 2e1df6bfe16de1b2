"""Division codes (A1).

The 12-digit statistical division code: 6 digits of county (GB/T 2260), 3 of township, 3 of
village. Township digits follow GB/T 10114: 001–099 streets, 100–199 towns, 200–399
townships. Deeper levels (compound, building, grid) use local codes of 1–6 letters or digits.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import DivisionKind

STAT_CODE = re.compile(r"^\d{12}$")
LOCAL_CODE = re.compile(r"^[A-Za-z0-9]{1,6}$")

TOWNSHIP_RANGES = {
    DivisionKind.STREET: range(1, 100),
    DivisionKind.TOWN: range(100, 200),
    DivisionKind.TOWNSHIP: range(200, 400),
}


def segment_for(kind: str, code: str, parent_code: str | None) -> str:
    """Return the path segment of a division, or raise ValidationError naming the problem."""
    if kind in (DivisionKind.COUNTY, DivisionKind.DISTRICT):
        if not STAT_CODE.match(code) or code[6:] != "000000" or code[4:6] == "00":
            raise ValidationError(_("县级区划代码应为12位数字，以6位县级代码开头、后6位为0"))
        return code[:6]
    if kind in TOWNSHIP_RANGES:
        if not STAT_CODE.match(code) or code[9:] != "000":
            raise ValidationError(_("乡级区划代码应为12位数字，后3位为0"))
        if parent_code and code[:6] != parent_code[:6]:
            raise ValidationError(_("乡级区划代码的前6位应与所属县一致"))
        if int(code[6:9]) not in TOWNSHIP_RANGES[kind]:
            raise ValidationError(
                _("乡级代码第7–9位不符合GB/T 10114：街道001–099，镇100–199，乡200–399")
            )
        return code[6:9]
    if kind in (DivisionKind.VILLAGE, DivisionKind.COMMUNITY):
        if not STAT_CODE.match(code) or code[9:] == "000":
            raise ValidationError(_("村级区划代码应为12位数字，后3位不为000"))
        if parent_code and code[:9] != parent_code[:9]:
            raise ValidationError(_("村级区划代码的前9位应与所属乡镇一致"))
        return code[9:]
    if not LOCAL_CODE.match(code):
        raise ValidationError(_("小区、楼栋、网格的代码为1–6位字母或数字"))
    return code.upper()

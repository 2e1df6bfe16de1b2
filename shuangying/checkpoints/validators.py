"""Checks shared by the form, the API and the service: plates (C3). The temperature rule is
health codes' (``shuangying.healthcodes.fever``)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# The 31 provincial abbreviations of mainland plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province + issuing-office letter + 5 characters (6 for new-energy plates).
PLATE_RE = re.compile(rf"^[{PROVINCES}][A-Z][A-Z0-9]{{5,6}}$")


def normalize_plate(raw: str) -> str:
    """Upper case without spaces or the middle dot; a Chinese error unless it is a plate."""
    plate = re.sub(r"[\s·•\-]", "", raw or "").upper()
    if not plate:
        raise ValidationError({"plate": "车牌号：车辆检查须填写车牌号"})
    if plate[0] not in PROVINCES:
        raise ValidationError({"plate": "车牌号：首字应为省份简称，如 晋、京"})
    if not PLATE_RE.match(plate):
        raise ValidationError(
            {"plate": "车牌号：格式不正确，应为省份简称+字母+5位（新能源6位）字母或数字"}
        )
    return plate

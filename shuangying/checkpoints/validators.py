"""Checks shared by the form, the API and the service: temperature range and plates (C3)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
# 37.3 °C and above is a fever (the national screening threshold).
FEVER_THRESHOLD = Decimal("37.3")

# The 31 provincial abbreviations of mainland plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province + issuing-office letter + 5 characters (6 for new-energy plates).
PLATE_RE = re.compile(rf"^[{PROVINCES}][A-Z][A-Z0-9]{{5,6}}$")


def clean_temperature(value) -> Decimal:
    """The temperature rounded to 0.1 °C; a Chinese error outside 34.0–43.0 °C."""
    try:
        temperature = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"temperature": "体温:应为数字,如 36.5"}) from None
    if not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise ValidationError({"temperature": "体温:应在 34.0–43.0 ℃ 之间,请复测后重新填写"})
    return temperature


def is_fever(temperature: Decimal) -> bool:
    return temperature >= FEVER_THRESHOLD


def normalize_plate(raw: str) -> str:
    """Upper case without spaces or the middle dot; a Chinese error unless it is a plate."""
    plate = re.sub(r"[\s·•\-]", "", raw or "").upper()
    if not plate:
        raise ValidationError({"plate": "车牌号:车辆检查须填写车牌号"})
    if plate[0] not in PROVINCES:
        raise ValidationError({"plate": "车牌号:首字应为省份简称,如 晋、京"})
    if not PLATE_RE.match(plate):
        raise ValidationError(
            {"plate": "车牌号:格式不正确,应为省份简称+字母+5位(新能源6位)字母或数字"}
        )
    return plate

"""The temperature rule, in one place for every module that takes a temperature (check-ins,
checkpoints, declarations): the plausible range of a reading and the fever threshold.

Health codes own it because a fever is an input of the health-code rules: whoever finds one
records ``fever_unresolved`` through ``services.record_fever``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
# 37.3 °C and above is a fever (the national screening threshold).
FEVER_THRESHOLD = Decimal("37.3")
TENTH = Decimal("0.1")


def clean_temperature(value, *, field: str = "temperature") -> Decimal:
    """The temperature rounded to 0.1 °C; a Chinese error naming ``field`` when it is not a
    number or lies outside 34.0–43.0 °C."""
    try:
        temperature = Decimal(str(value).strip()).quantize(TENTH)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "体温：应为数字，如 36.5"}) from None
    if not temperature.is_finite() or not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise ValidationError({field: "体温：应在 34.0–43.0 ℃ 之间，请复测后重新填写"})
    return temperature


def is_fever(temperature: Decimal | None) -> bool:
    """Whether a reading (already cleaned) is a fever; no reading is no fever."""
    return temperature is not None and temperature >= FEVER_THRESHOLD

"""Masks for personal data shown on screens, exports and API responses (M1)."""


def mask_id_number(value: str) -> str:
    """Resident ID 6+4 (``330106********1234``); shorter documents keep less."""
    if not value:
        return ""
    n = len(value)
    if n >= 15:
        return value[:6] + "*" * (n - 10) + value[-4:]
    if n >= 8:
        return value[:2] + "*" * (n - 4) + value[-2:]
    return value[:1] + "*" * (n - 1)


def mask_phone(value: str) -> str:
    """Mobile 3+4 (``138****5678``); landlines keep the area code and the last 2 digits."""
    if not value:
        return ""
    if len(value) == 11 and value.startswith("1"):
        return value[:3] + "****" + value[-4:]
    area, sep, number = value.partition("-")
    if sep:
        return f"{area}-" + "*" * max(len(number) - 2, 0) + number[-2:]
    return value[:3] + "*" * max(len(value) - 5, 0) + value[-2:]


def mask_name(value: str) -> str:
    """张三 → 张*; 欧阳小明 → 欧***. Used where names leave the jurisdiction (verification)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)

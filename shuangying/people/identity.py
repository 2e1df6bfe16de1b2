"""Document numbers and phones (B1).

Resident ID numbers follow GB 11643-1999: 17 digits and a MOD 11-2 check character (``X``
for 10), with a real birth date at positions 7–14. 15-digit numbers of the first generation
are converted (century 19 inserted, check character computed). The area code is only checked
for shape: people come from everywhere, and old area codes stay valid on old cards.
"""

from __future__ import annotations

import operator
import re
import time
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .choices import DocumentType

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}


class IdentityError(ValueError):
    """A document number or phone that fails its check; the message is Chinese and says why."""


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(map(operator.mul, map(int, first17), WEIGHTS)) % 11]


_today: tuple[float, date] = (0.0, date.min)


def local_today() -> date:
    """Today in the project's time zone, read at most once a second: an import checks
    100,000 birth dates, and timezone.localdate() costs more than the rest of the check."""
    global _today
    now = time.monotonic()
    if now >= _today[0]:
        _today = (now + 1.0, timezone.localdate())
    return _today[1]


def _birth_date(digits8: str) -> date:
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise IdentityError("出生日期不存在") from None
    if born > local_today():
        raise IdentityError("出生日期在未来")
    if born.year < 1890:
        raise IdentityError("出生日期早于1890年")
    return born


def normalize_resident_id(raw: str) -> str:
    value = re.sub(r"\s+", "", raw or "").upper()
    if len(value) == 15:
        if not value.isdigit():
            raise IdentityError("15位身份证号码应全为数字")
        first17 = value[:6] + "19" + value[6:]
        value = first17 + check_char(first17)
    if len(value) != 18:
        raise IdentityError("身份证号码应为18位")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdentityError("身份证号码前17位应为数字，最后一位为数字或X")
    if value[:2] not in PROVINCE_PREFIXES:
        raise IdentityError("身份证号码的地区代码无效")
    _birth_date(value[6:14])
    if check_char(value[:17]) != value[17]:
        raise IdentityError("身份证号码校验位错误")
    return value


PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
HK_MACAO_PERMIT = re.compile(r"^[HM]\d{8}(\d{2})?$")
TAIWAN_PERMIT = re.compile(r"^\d{8}(\d{2})?$")


class NormalizedDocument(str):
    """A document number as ``normalize_document`` returned it, with its type: handed on (a
    check-in's identity to ``register_person``), it is not checked a second time."""

    document_type: str

    def __new__(cls, value: str, document_type: str) -> NormalizedDocument:
        self = super().__new__(cls, value)
        self.document_type = document_type
        return self


def normalize_document(document_type: str, raw: str) -> NormalizedDocument:
    """Return the canonical document number or raise IdentityError."""
    if isinstance(raw, NormalizedDocument) and raw.document_type == document_type:
        return raw
    return NormalizedDocument(_normalize_document(document_type, raw), document_type)


def _normalize_document(document_type: str, raw: str) -> str:
    value = re.sub(r"\s+", "", raw or "").upper()
    if not value:
        raise IdentityError("证件号码不能为空")
    if document_type == DocumentType.RESIDENT_ID:
        return normalize_resident_id(value)
    if document_type == DocumentType.PASSPORT:
        if not PASSPORT.match(value):
            raise IdentityError("护照号码应为5–17位字母或数字")
        return value
    if document_type == DocumentType.HK_MACAO_PERMIT:
        if not HK_MACAO_PERMIT.match(value):
            raise IdentityError("港澳居民来往内地通行证号码应为H或M加8位或10位数字")
        return value
    if document_type == DocumentType.TAIWAN_PERMIT:
        if not TAIWAN_PERMIT.match(value):
            raise IdentityError("台湾居民来往大陆通行证号码应为8位或10位数字")
        return value
    raise IdentityError("证件类型无效")


@dataclass(frozen=True)
class ResidentIdFacts:
    birth_date: date
    sex: str  # "M" or "F"


def facts_from_resident_id(value: str) -> ResidentIdFacts:
    return ResidentIdFacts(
        birth_date=_birth_date(value[6:14]), sex="M" if int(value[16]) % 2 else "F"
    )


MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_phone(raw: str) -> str:
    """Mobile ``1[3-9]`` + 9 digits, or a landline ``0357-1234567``; +86 and spaces dropped."""
    value = re.sub(r"[\s()]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if MOBILE.match(value):
        return value
    if LANDLINE.match(value):
        if "-" not in value:
            area = (
                3
                if value[:3]
                in {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"}
                else 4
            )
            value = value[:area] + "-" + value[area:]
        return value
    raise IdentityError("电话号码应为11位手机号（1[3-9]开头）或带区号的固定电话")


def make_resident_id(area: str, born: date, sequence: int) -> str:
    """A well-formed resident ID number (demo data and tests): 6-digit area, birth date,
    3-digit sequence (odd for men, even for women), check character."""
    first17 = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)


# Characters a name may not hold even after NFKC: controls, format characters (zero-width
# spaces and joiners, the byte-order mark, left-to-right/right-to-left marks, embeddings,
# overrides and isolates), private use, surrogates, line and paragraph separators, and the
# letters that print as nothing (Hangul fillers, the blank Braille pattern).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def normalize_name(raw: str) -> str:
    """A person's name in NFKC (full-width letters and the ideographic space become their
    plain forms), whitespace collapsed; IdentityError when it holds an invisible or text
    direction control character, which would make two records of one name look different or
    a name display as something else (issue 17)."""
    import unicodedata

    value = unicodedata.normalize("NFKC", raw or "")
    for ch in value:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _BLANK_LETTERS:
            if ch in "\t\n\r":
                continue
            raise IdentityError(
                f"含有不可见字符或文字方向控制字符（U+{ord(ch):04X}），请删除后重新输入"
            )
    return " ".join(value.split())

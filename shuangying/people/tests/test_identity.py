"""B1: document numbers and phones."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangying.people.choices import DocumentType
from shuangying.people.identity import (
    IdentityError,
    check_char,
    facts_from_resident_id,
    make_resident_id,
    normalize_document,
    normalize_phone,
    normalize_resident_id,
)


def test_known_valid_number():
    # GB 11643's own example.
    assert normalize_resident_id("11010519491231002X") == "11010519491231002X"
    assert normalize_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, message",
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期不存在"),
        ("11010520991231002X", "出生日期在未来"),
        ("00010519491231002X", "地区代码"),
        ("1101051949123100", "18位"),
        ("11010519491231A02X", "前17位"),
    ],
)
def test_invalid_numbers_say_why(value, message):
    with pytest.raises(IdentityError, match=message):
        normalize_resident_id(value)


def test_fifteen_digit_number_is_converted():
    assert normalize_resident_id("110105491231002") == "11010519491231002X"


@given(
    area=st.sampled_from(["130682", "420106", "140226", "510402", "331123", "810000"]),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_generated_numbers_round_trip(area, born, seq):
    value = make_resident_id(area, born, seq)
    assert normalize_resident_id(value) == value
    facts = facts_from_resident_id(value)
    assert facts.birth_date == born
    assert facts.sex == ("M" if seq % 2 else "F")
    # Any single changed digit in the first 17 breaks the check (MOD 11-2 catches them all).
    wrong = value[:5] + str((int(value[5]) + 1) % 10) + value[6:]
    assert check_char(wrong[:17]) != wrong[17]


def test_other_documents():
    assert normalize_document(DocumentType.PASSPORT, "e1234 5678") == "E12345678"
    assert normalize_document(DocumentType.HK_MACAO_PERMIT, "H12345678") == "H12345678"
    with pytest.raises(IdentityError):
        normalize_document(DocumentType.HK_MACAO_PERMIT, "X12345678")
    assert normalize_document(DocumentType.TAIWAN_PERMIT, "12345678") == "12345678"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0357-1234567", "0357-1234567"),
        ("03571234567", "0357-1234567"),
        ("01012345678", "010-12345678"),
    ],
)
def test_phones(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "3571234567"])
def test_bad_phones(raw):
    with pytest.raises(IdentityError, match="电话号码"):
        normalize_phone(raw)

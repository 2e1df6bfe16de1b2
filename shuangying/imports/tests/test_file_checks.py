"""Hostile uploads are refused before any parser sees them, with a Chinese reason, and
nothing is written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangying.core.excel import ExcelFileError, check_xlsx
from shuangying.imports.models import ImportJob
from shuangying.imports.services import import_persons_file
from shuangying.people.models import Person
from shuangying.testing import login

from .xlsx import PERSON_HEADERS, make_xlsx, person_row, replace_part, zip_bytes

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""

MINIMAL = {
    "[Content_Types].xml": b"<Types/>",
    "xl/workbook.xml": b"<workbook/>",
}


def good_file() -> bytes:
    return make_xlsx(PERSON_HEADERS, [person_row(1)])


def hostile_files(settings):
    """(name, bytes, expected words in the message)"""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 8 * 1024 * 1024
    bomb = zip_bytes({**MINIMAL, "xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024)})
    ratio_bomb = zip_bytes({**MINIMAL, "xl/worksheets/sheet1.xml": b" " * (4 * 1024 * 1024)})
    many = zip_bytes({**MINIMAL, **{f"xl/media/{i}.xml": b"<a/>" for i in range(250)}})
    return [
        ("not-a-zip", b"\x00\x01garbage" * 100, "不是Excel工作簿"),
        ("renamed-txt", "姓名，证件号码\n张三，110101199003070011\n".encode(), "不是Excel工作簿"),
        ("old-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版Excel"),
        ("broken-zip", b"PK\x03\x04" + b"\0" * 200, "已损坏"),
        ("zip-not-xlsx", zip_bytes({"readme.txt": b"hello"}), "不是有效的.xlsx"),
        ("zip-bomb", bomb, "压缩炸弹"),
        ("ratio-bomb", ratio_bomb, "压缩比异常"),
        ("too-many-entries", many, "条目过多"),
        (
            "billion-laughs",
            replace_part(good_file(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS),
            "DOCTYPE/ENTITY",
        ),
        (
            "entity-in-shared-strings",
            replace_part(
                good_file(), "xl/sharedStrings.xml", b'<!ENTITY x SYSTEM "file:///etc/passwd">'
            ),
            "DOCTYPE/ENTITY",
        ),
    ]


def test_a_good_file_passes():
    check_xlsx(good_file())


@pytest.mark.parametrize("index", range(10))
def test_hostile_file_is_refused_by_the_checks(settings, index):
    name, data, words = hostile_files(settings)[index]
    with pytest.raises(ExcelFileError) as caught:
        check_xlsx(data)
    assert words in str(caught.value), name


def test_oversized_upload(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ExcelFileError, match="文件大小超过上限"):
        check_xlsx(b"PK\x03\x04" + b"\0" * 2048)


@pytest.mark.parametrize("index", range(10))
def test_hostile_upload_page_says_why_and_writes_nothing(client, settings, personas, index):
    name, data, words = hostile_files(settings)[index]
    login(client, personas["village1"])
    persons = Person.objects.count()
    response = client.post(
        reverse("imports:import_new"),
        {"kind": "persons", "mode": "valid", "file": SimpleUploadedFile(f"{name}.xlsx", data)},
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert Person.objects.count() == persons


def test_oversized_upload_page(client, settings, personas):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    login(client, personas["village1"])
    data = make_xlsx(PERSON_HEADERS, [person_row(i) for i in range(200)])
    assert len(data) > 2048
    response = client.post(
        reverse("imports:import_new"),
        {"kind": "persons", "mode": "all", "file": SimpleUploadedFile("big.xlsx", data)},
    )
    assert response.status_code == 400
    assert "文件大小超过上限" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_service_reports_a_hostile_file_without_raising(settings, personas):
    name, data, words = hostile_files(settings)[8]
    report = import_persons_file(io.BytesIO(data), personas["village1"], "valid")
    assert words in report.file_error and report.created == 0 and not report.committed


def test_too_many_rows(settings, personas):
    settings.IMPORT_MAX_ROWS = 5
    data = make_xlsx(PERSON_HEADERS, [person_row(i) for i in range(10)])
    report = import_persons_file(data, personas["village1"], "valid")
    assert "行数超过上限" in report.file_error
    assert not Person.objects.filter(name__startswith="测试").exists()

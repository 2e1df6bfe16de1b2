"""shuangying.core.excel: the streaming writer's output is well-formed and reads back as
written; cells keep ID numbers as text; calamine's row numbering is pinned."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.dom import minidom

import pytest
from python_calamine import CalamineWorkbook

from shuangying.core.excel import (
    CellError,
    Column,
    XlsxStreamWriter,
    cell_date,
    cell_text,
    check_xlsx,
    column_letter,
    read_table,
    write_xlsx,
)

from .xlsx import make_xlsx


def test_written_workbook_is_well_formed_and_reads_back():
    stream = io.BytesIO()
    rows = [
        ['a&b <c> "d"', " lead", "trail ", "ctl\x01x\x1f", "全角　空格", None, ""],
        [0, 1.5, float("nan"), True, date(2020, 1, 2), datetime(2020, 1, 2, 3, 4), Decimal("36.5")],
    ]
    columns = [Column(f"列{i}") for i in range(7)]
    count = write_xlsx(
        stream,
        sheet_name="台账[1]",
        columns=columns,
        rows=rows,
        watermark="导出人：a&b 导出时间：2026-11-23 16:30",
        creator="a<b>",
        notes=[["说明"]],
    )
    data = stream.getvalue()
    assert count == 2
    check_xlsx(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        minidom.parseString(archive.read(name))  # every part is well-formed XML
    sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<oddHeader>&amp;L导出人：a&amp;&amp;b" in sheet_xml  # "&" doubled in page headers
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["台账1", "填写说明"]
    got = book.get_sheet_by_index(0).to_python()
    assert got[0][0] == "导出人：a&b 导出时间：2026-11-23 16:30"
    assert got[1] == [f"列{i}" for i in range(7)]
    assert got[2][:5] == ['a&b <c> "d"', " lead", "trail ", "ctlx", "全角　空格"]
    assert got[3][:2] == [0, 1.5]
    assert got[3][2:] == ["nan", "是", "2020-01-02", "2020-01-02 03:04", 36.5]


def test_many_sheets_and_columns_beyond_z():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    stream = io.BytesIO()
    with XlsxStreamWriter(stream) as book:
        book.add_sheet("a", [Column(str(i)) for i in range(30)]).write_row(list(range(30)))
        book.add_sheet("b", [])
    got = CalamineWorkbook.from_filelike(io.BytesIO(stream.getvalue())).get_sheet_by_index(0)
    assert got.to_python()[1] == list(range(30))


def test_cell_text_keeps_document_numbers_exact():
    assert cell_text(13800001111.0, exact_digits=True) == "13800001111"
    assert cell_text(130682850601051, exact_digits=True) == "130682850601051"
    with pytest.raises(CellError, match="超过15位"):
        cell_text(1.10105e17, exact_digits=True)
    with pytest.raises(CellError):
        cell_text(12.5, exact_digits=True)
    assert cell_text(12.5) == "12.5"
    assert cell_text(date(2020, 1, 2)) == "2020-01-02"
    assert cell_text(True) == "是"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2020-01-25", date(2020, 1, 25)),
        ("2020/1/5", date(2020, 1, 5)),
        ("2020年1月25日", date(2020, 1, 25)),
        ("20200125", date(2020, 1, 25)),
        (datetime(2020, 1, 25, 8, 0), date(2020, 1, 25)),
        ("", None),
    ],
)
def test_cell_date(value, expected):
    assert cell_date(value) == expected


def test_cell_date_refuses_nonsense():
    for bad in ("2020-02-30", "明天", "1/25"):
        with pytest.raises(CellError):
            cell_date(bad)


def test_row_numbers_follow_excel_when_the_table_starts_lower():
    """calamine yields rows from the sheet's top; a header on row 4 stays row 4."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(3, 1, ["姓名", "证件号码"])
    sheet.write_row(4, 1, ["甲", "1"])
    sheet.write_row(6, 1, ["乙", "2"])
    book.close()
    table = read_table(
        buffer.getvalue(),
        aliases={"姓名": "name", "证件号码": "id"},
        required=["name", "id"],
        labels={"name": "姓名", "id": "证件号码"},
    )
    assert table.header_row == 4
    assert [(n, cells[0]) for n, cells in table.rows()] == [(5, "甲"), (7, "乙")]


def test_duplicate_header_is_a_file_error():
    from shuangying.core.excel import ExcelFileError

    data = make_xlsx(["姓名", "名字"], [["a", "b"]])
    with pytest.raises(ExcelFileError, match="出现了两次"):
        read_table(
            data,
            aliases={"姓名": "name", "名字": "name"},
            required=["name"],
            labels={"name": "姓名"},
        )

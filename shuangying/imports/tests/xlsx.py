"""Build xlsx files for import tests with XlsxWriter (an independent writer: the files are
what Excel users send, not what our own writer produces)."""

import io
import zipfile
from datetime import date

import xlsxwriter

from shuangying.people.identity import make_resident_id

GRID1A = "130682/100/201/01/"
GRID1B = "130682/100/201/02/"
GRID2A = "130682/101/201/01/"

PERSON_HEADERS = [
    "姓名",
    "证件类型",
    "证件号码",
    "联系电话",
    "所属网格",
    "户编号",
    "现住址",
    "标签",
]


def make_xlsx(headers, rows, *, title=None, sheet="Sheet1", numeric_ok=False) -> bytes:
    """Headers in row 1 (row 2 with a ``title`` row above); strings written as text unless
    ``numeric_ok`` lets numbers through as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 1
    ws.write_row(r, 0, headers)
    for i, row in enumerate(rows, start=r + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(i, c, value)
            else:
                ws.write_string(i, c, str(value))
    book.close()
    return buffer.getvalue()


def resident_id(n: int, born: date = date(1985, 6, 1)) -> str:
    return make_resident_id("130682", born, n)


def person_row(n: int, grid: str = GRID1A, **overrides) -> list:
    values = {
        "姓名": f"测试{n}",
        "证件类型": "居民身份证",
        "证件号码": resident_id(n, date(1960 + n % 40, 1 + n % 12, 1 + n % 28)),
        "联系电话": f"139{n:08d}",
        "所属网格": grid,
        "户编号": "",
        "现住址": "",
        "标签": "",
    }
    values.update(overrides)
    return [values[h] for h in PERSON_HEADERS]


def bad_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def zip_bytes(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def replace_part(xlsx: bytes, name: str, data: bytes) -> bytes:
    """The same package with one part replaced (e.g. a sheet with a DOCTYPE)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries[name] = data
    return zip_bytes(entries)

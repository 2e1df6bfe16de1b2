"""Reading Excel ledgers (B1, B2, A1, M1): ``check_xlsx`` refuses a hostile upload *before* any
parser sees it (size, a real xlsx package, zip-bomb limits, no DTD or entity declarations in any
part); ``read_table`` then reads the first sheet whose header row carries the required columns,
lazily, with python-calamine, and yields rows numbered as Excel shows them. ``cell_text`` turns
a cell into text without letting Excel's floating point silently change a document number."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# An entry larger than this may not be more than MAX_COMPRESSION_RATIO times its compressed
# size. Real sheets compress 5–30x; a zip bomb compresses 1,000x and more.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_COMPRESSION_RATIO = 100
HEADER_SCAN_ROWS = 5
SAMPLE_MARK = "【示例】"


class ExcelFileError(ValueError):
    """The file as a whole cannot be read; the message is Chinese and tells the user why."""


class CellError(ValueError):
    """One cell cannot be used as it is; the message is Chinese."""


# ---------------------------------------------------------------------------------------------
# Checks before parsing
# ---------------------------------------------------------------------------------------------

_FORBIDDEN = (b"<!doctype", b"<!entity")


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}MB"


def check_xlsx(data: bytes) -> None:
    """Raise ExcelFileError unless ``data`` is a plausible, harmless xlsx package.

    Checked in order, each without parsing any XML: size ≤ IMPORT_MAX_UPLOAD_BYTES; a zip
    archive; ≤ IMPORT_MAX_ZIP_ENTRIES entries, no duplicates, no encryption; the parts
    ``[Content_Types].xml`` and ``xl/workbook.xml``; declared uncompressed sizes summing to
    ≤ IMPORT_MAX_UNCOMPRESSED_BYTES and no large entry compressed more than 100:1. Then every
    entry is inflated once (bounded by those limits; zipfile stops at the declared size and
    checks the CRC, so a lying header fails) and searched for ``<!DOCTYPE`` and ``<!ENTITY``:
    an xlsx never needs them, and refusing them rules out entity expansion (billion laughs)
    and external entities whatever the parser does."""
    max_upload = settings.IMPORT_MAX_UPLOAD_BYTES
    if not data:
        raise ExcelFileError("文件为空")
    if len(data) > max_upload:
        raise ExcelFileError(f"文件大小超过上限({_megabytes(max_upload)})，请拆分后分批导入")
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise ExcelFileError("这是旧版Excel(.xls)或加密的文件，请在Excel中另存为.xlsx后再上传")
        raise ExcelFileError("文件不是Excel工作簿（.xlsx），请使用导入模板填写后上传")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ExcelFileError("文件已损坏，无法作为.xlsx读取") from None
    if len(infos) > settings.IMPORT_MAX_ZIP_ENTRIES:
        raise ExcelFileError("文件内部条目过多，不像正常的Excel工作簿，已拒绝")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ExcelFileError("文件内部结构异常（条目重复），已拒绝")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ExcelFileError("文件不是有效的.xlsx工作簿，请使用导入模板填写后上传")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ExcelFileError("文件已加密，请取消密码后再上传")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ExcelFileError("文件使用了不支持的压缩方式，请在Excel中重新保存后上传")
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise ExcelFileError("文件压缩比异常，疑似“压缩炸弹”，已拒绝")
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise ExcelFileError("文件解压后过大，疑似“压缩炸弹”，已拒绝；请拆分后分批导入")
    for info in infos:
        _scan_entry(archive, info)


def _scan_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    tail = b""
    first = True
    try:
        with archive.open(info) as part:
            while chunk := part.read(1024 * 1024):
                if first:
                    first = False
                    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) and info.filename.endswith(
                        (".xml", ".rels")
                    ):
                        # UTF-16 would hide a DOCTYPE from the byte search; Excel writes UTF-8.
                        raise ExcelFileError("文件内部XML编码异常（UTF-16），已拒绝")
                window = (tail + chunk).lower()
                if any(marker in window for marker in _FORBIDDEN):
                    raise ExcelFileError("文件含有DOCTYPE/ENTITY声明（可能是XML实体攻击），已拒绝")
                tail = window[-16:]
    except ExcelFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise ExcelFileError("文件已损坏（校验失败），无法读取") from None


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def normalize_header(text: Any) -> str:
    """``证件号码(必填)*`` → ``证件号码``: spaces, required markers and notes in brackets go."""
    value = str(text or "")
    value = re.sub(r"[(（\[【].*?[)）\]】]", "", value)
    return re.sub(r"[\s*＊:：]", "", value)


def cell_text(value: Any, *, exact_digits: bool = False) -> str:
    """A cell as text. Numbers come back without ``.0``; a date as ``YYYY-MM-DD``.

    With ``exact_digits`` (document numbers, phones), a number of more than 15 digits is an
    error: Excel keeps 15 significant digits, so ``1.10105e17`` has already lost the last
    digits of an ID number and must be typed again as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise CellError("数值无效")
        if value == int(value):
            number = int(value)
            if exact_digits and len(str(abs(number))) > 15:
                raise CellError(
                    "该单元格是数字格式，超过15位的号码已被Excel改动，请设为文本后重新填写"
                )
            return str(number)
        if exact_digits:
            raise CellError("号码不应是小数，请设为文本后重新填写")
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def cell_date(value: Any) -> dt.date | None:
    """A date cell or text such as 2020-01-25, 2020/1/25, 2020年1月25日, 20200125."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if " " in text:
        text = text.split(" ", 1)[0]
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError("日期格式应为 2020-01-25")


@dataclass
class Table:
    """The data rows of one sheet: ``columns`` maps a field key to (column index, header as
    written in the file); ``rows()`` yields (Excel row number, cells) for non-empty rows."""

    sheet_name: str
    header_row: int
    columns: dict[str, tuple[int, str]]
    ignored_headers: list[str]
    estimated_rows: int
    _rows: Iterator[list] = field(repr=False)
    _base: int = 0
    _skip: int = 0

    def rows(self) -> Iterator[tuple[int, list]]:
        index = self._skip - 1
        while (cells := _next_row(self._rows, self.sheet_name)) is not None:
            index += 1
            if any(cell not in ("", None) for cell in cells):
                yield index + 1 + self._base, cells


def _next_row(rows: Iterator[list], sheet_name: str) -> list | None:
    try:
        return next(rows)
    except StopIteration:
        return None
    except BaseException as exc:
        _reraise_unless_parser_failure(exc)
        raise ExcelFileError(f"工作表“{sheet_name}”内容损坏，无法读取") from None


def _reraise_unless_parser_failure(exc: BaseException) -> None:
    """calamine reports a malformed file as CalamineError, ValueError or, from Rust, a
    PanicException (a BaseException); all of them mean "this file cannot be read". Only
    interpreter exits pass through."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _as_bytes(source: bytes | str | Path | IO[bytes]) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def read_table(
    data: bytes,
    *,
    aliases: dict[str, str],
    required: Sequence[str],
    labels: dict[str, str],
    ignore: Iterable[str] = ("序号",),
    max_rows: int | None = None,
) -> Table:
    """Find the header row (within the first 5 rows of the first sheet that has one) and
    return the sheet's rows lazily. ``aliases`` maps normalised header text to field keys;
    ``labels`` names each key for messages. Call ``check_xlsx`` first."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:
        _reraise_unless_parser_failure(exc)
        raise ExcelFileError("无法读取工作簿内容，请在Excel中重新保存后上传") from None
    ignore = {normalize_header(h) for h in ignore}
    best_missing: list[str] | None = None
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.iter_rows()
        except BaseException as exc:
            _reraise_unless_parser_failure(exc)
            raise ExcelFileError(f"无法读取工作表“{meta.name}”") from None
        index = -1
        leading_empty = 0
        filled = 0
        while (cells := _next_row(rows, meta.name)) is not None:
            index += 1
            if not any(cell not in ("", None) for cell in cells):
                if filled == 0:
                    leading_empty += 1
                    if leading_empty > 1000:
                        break
                continue
            filled += 1
            if filled > HEADER_SCAN_ROWS:
                break
            columns: dict[str, tuple[int, str]] = {}
            ignored: list[str] = []
            for col, cell in enumerate(cells):
                written = (cell if isinstance(cell, str) else str(cell)).strip()
                key = aliases.get(normalize_header(written))
                if key is None:
                    if written and normalize_header(written) not in ignore:
                        ignored.append(written)
                    continue
                if key in columns:
                    raise ExcelFileError(
                        f"表头“{labels[key]}”出现了两次（第{columns[key][0] + 1}列和第{col + 1}列）"
                    )
                columns[key] = (col, written)
            missing = [labels[key] for key in required if key not in columns]
            if not missing:
                # calamine yields rows from the sheet's first row or from its first used row,
                # depending on the version; the leading padding tells which (see tests).
                start_row = sheet.start[0] if sheet.start else 0
                base = 0 if leading_empty >= start_row else start_row
                end_row = sheet.end[0] if sheet.end else index + base
                estimated = max(end_row - (index + base), 0)
                if max_rows is not None and estimated > max_rows:
                    raise ExcelFileError(f"数据行数超过上限（{max_rows}行），请拆分后分批导入")
                return Table(
                    sheet_name=meta.name,
                    header_row=index + 1 + base,
                    columns=columns,
                    ignored_headers=ignored,
                    estimated_rows=estimated,
                    _rows=rows,
                    _base=base,
                    _skip=index + 1,
                )
            if columns and (best_missing is None or len(missing) < len(best_missing)):
                best_missing = missing
    if best_missing:
        raise ExcelFileError(
            "表头缺少必填列：" + "、".join(f"“{m}”" for m in best_missing) + "，请使用导入模板"
        )
    raise ExcelFileError("未找到表头行（前5行内），请使用导入模板填写")


def source_bytes(source: bytes | str | Path | IO[bytes]) -> bytes:
    """Bytes of a path, a binary file or bytes (for services that accept any of them)."""
    return _as_bytes(source)

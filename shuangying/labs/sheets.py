"""A lab's result sheet as it arrives: an Excel workbook goes to the import pipeline as it is;
a CSV file (UTF-8 or GBK, as labs' systems write them) is first written into a workbook of
the same columns, so both take the one path (dry run, row report, all or nothing)."""

from __future__ import annotations

import csv
import io

from shuangying.core.excel import Column, write_xlsx
from shuangying.imports.choices import ImportKind, ImportMode
from shuangying.imports.services import import_file

MAX_CSV_BYTES = 20 * 1024 * 1024


class SheetError(ValueError):
    """A file that is neither a workbook nor a readable CSV (a Chinese message)."""


def csv_to_xlsx(data: bytes) -> bytes:
    if len(data) > MAX_CSV_BYTES:
        raise SheetError("文件：超过20 MB")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("文件：无法识别的CSV编码（请用UTF-8或GBK）")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SheetError("文件：CSV为空")
    stream = io.BytesIO()
    width = max(len(r) for r in rows)
    write_xlsx(
        stream,
        sheet_name="检测结果",
        columns=[
            Column(str(h) or f"列{i + 1}")
            for i, h in enumerate(rows[0] + [""] * (width - len(rows[0])))
        ],
        rows=rows[1:],
    )
    return stream.getvalue()


def import_result_sheet(
    data: bytes, *, file_name: str, user, commit: bool, mode: str = ImportMode.ALL_OR_NOTHING
):
    """Check (``commit=False``) or import a lab's result sheet; returns the pipeline's report.
    Raises PermissionDenied without ``labs.record_result``, SheetError for an unreadable CSV."""
    if file_name.lower().endswith(".csv"):
        data = csv_to_xlsx(data)
    return import_file(ImportKind.LAB_RESULTS, data, user, mode, commit=commit)

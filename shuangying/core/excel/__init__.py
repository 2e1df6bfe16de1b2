"""Excel ledgers in and out: reading (checked before any parser sees an upload) and a streaming
writer. Imported by every app as ``shuangying.core.excel``."""

from .reading import (
    DATE_PATTERNS,
    HEADER_SCAN_ROWS,
    MAX_COMPRESSION_RATIO,
    RATIO_CHECK_MIN_BYTES,
    SAMPLE_MARK,
    XLSX_CONTENT_TYPE,
    CellError,
    ExcelFileError,
    Table,
    cell_date,
    cell_text,
    check_xlsx,
    normalize_header,
    read_table,
    source_bytes,
)
from .writing import Column, XlsxStreamWriter, column_letter, write_xlsx

__all__ = [
    "DATE_PATTERNS",
    "HEADER_SCAN_ROWS",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_MIN_BYTES",
    "SAMPLE_MARK",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ExcelFileError",
    "Table",
    "XlsxStreamWriter",
    "cell_date",
    "cell_text",
    "check_xlsx",
    "column_letter",
    "normalize_header",
    "read_table",
    "source_bytes",
    "write_xlsx",
]

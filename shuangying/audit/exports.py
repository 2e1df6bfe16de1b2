"""Audited exports: the one way a ledger leaves the system (M2).

Every app's Excel export writes its rows through ``export_rows``: the rows (already
restricted by jurisdiction and masked) under the exporting user's watermark, into a temporary
file sent by ``xlsx_response``, and one EXPORT audit row with the count and the filters."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import IO

from django.http import FileResponse
from django.utils import timezone

from shuangying.core.excel import XLSX_CONTENT_TYPE, write_xlsx

from .models import AuditAction
from .services import record_event

# Rows fetched per round trip when an export streams a queryset.
CHUNK = 2000


def watermark_text(user, at: datetime | None = None) -> str:
    """``导出人:grid1a 导出时间:2026-11-23 16:30``, the line every export carries."""
    at = timezone.localtime(at or timezone.now())
    return f"导出人：{user.get_username()} 导出时间：{at:%Y-%m-%d %H:%M}"


def export_rows(
    *,
    stream: IO[bytes],
    user,
    sheet_name: str,
    columns,
    rows: Iterable,
    object_type: str,
    filters: dict | None,
) -> int:
    """The one way a ledger leaves the system (M2): ``rows`` (already restricted, masked,
    streamed) written under the exporting user's watermark, then one EXPORT audit row with
    the count and ``filters`` (never plaintext). Returns the number of rows written."""
    at = timezone.now()
    mark = watermark_text(user, at)
    count = write_xlsx(
        stream,
        sheet_name=sheet_name,
        columns=columns,
        rows=rows,
        watermark=f"{mark} 内部资料 严禁外传",
        creator=user.get_username(),
    )
    record_event(
        user=user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        summary=f"导出{sheet_name} {count}行",
        detail={"rows": count, "filters": filters or {}, "watermark": mark},
    )
    return count


def xlsx_response(write: Callable[[IO[bytes]], int], title: str) -> FileResponse:
    """Run ``write`` into a temporary file and send it; the file goes when the response
    is closed."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        write(stream)
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    at = timezone.localtime()
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{title}_{at:%Y%m%d_%H%M}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def ledger_response(
    user, *, title: str, columns, rows: Iterable, object_type: str, filters: dict | None = None
) -> FileResponse:
    """A ledger as an Excel download: ``export_rows`` under ``user``'s watermark and audit row,
    sent by ``xlsx_response`` with ``title`` as the sheet's and the file's name."""
    return xlsx_response(
        lambda stream: export_rows(
            stream=stream,
            user=user,
            sheet_name=title,
            columns=columns,
            rows=rows,
            object_type=object_type,
            filters=filters,
        ),
        title,
    )

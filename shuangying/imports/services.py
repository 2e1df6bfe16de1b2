"""Importing ledgers (B1, B2, A1): check the file, dry-run it, commit it, audit it.

The flow of the pages is upload (``create_import_job``: file checks, then a background dry run)
→ row-level report → ``request_commit`` (background commit). Benchmarks and scripts call
``import_file`` / ``import_persons_file``, which do the checks and the commit in one go.

A commit runs in one transaction: all-or-nothing rolls it back when any row is bad, so it
writes nothing; valid-rows-only writes exactly the rows without errors. Running the same file
twice adds nothing (persons by document-number hash, households by division and number,
divisions by path).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import (
    SAMPLE_MARK,
    STYLE_SAMPLE,
    Column,
    ExcelFileError,
    XlsxStreamWriter,
    cell_text,
    check_xlsx,
    read_table,
    source_bytes,
)

from .choices import ImportKind, ImportMode, ImportStatus
from .ledgers import LEDGERS, Ledger, Row
from .lifecycle import heartbeat
from .models import ImportJob
from .pipeline import DatabaseLane
from .report import ImportReport

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


class _RollBack(Exception):
    """Raised inside the commit's transaction to undo it (all-or-nothing with bad rows)."""


def can_import(user, kind: str) -> bool:
    ledger = LEDGERS.get(kind)
    return ledger is not None and user.has_perm(ledger.permission)


def _feed(ledger: Ledger, table, report: ImportReport, progress: Progress | None) -> None:
    """Parse the rows here; look up and write each batch on the database lane meanwhile."""
    max_rows = settings.IMPORT_MAX_ROWS
    batch: list = []
    with DatabaseLane() as lane:
        for number, cells in table.rows():
            first = cells[0] if cells else ""
            if isinstance(first, str) and first.strip().startswith(SAMPLE_MARK):
                report.warn(f"第{number}行是模板中的示例行，已忽略")
                continue
            report.total_rows += 1
            if report.total_rows > max_rows:
                raise ExcelFileError(f"数据行数超过上限（{max_rows}行），请拆分后分批导入")
            row = Row(number, cells, table.columns, report)
            record = ledger.parse(row)
            if record is not None:
                batch.append(record)
            if len(batch) >= ledger.batch_size:
                lane.submit(partial(ledger.process, batch))
                batch = []
            if progress and report.total_rows % PROGRESS_EVERY == 0:
                total = max(table.estimated_rows, report.total_rows)
                lane.submit(partial(progress, report.total_rows, total))
        lane.submit(partial(ledger.process, batch))
    if progress:
        progress(report.total_rows, report.total_rows)


def run_import(
    kind: str,
    source: bytes | str | Path | IO[bytes],
    *,
    user,
    mode: str = ImportMode.ALL_OR_NOTHING,
    commit: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Check, read and validate a ledger file; with ``commit`` also write it.

    Returns the report; a problem with the file as a whole is ``report.file_error`` (Chinese),
    never an exception. Does not check permissions or audit: callers do (``import_file``,
    the job services)."""
    report = ImportReport(kind=kind, mode=mode, dry_run=not commit)
    ledger_class = LEDGERS[kind]
    try:
        data = source_bytes(source)
        check_xlsx(data)
        table = read_table(
            data,
            aliases=ledger_class.aliases(),
            required=ledger_class.required_keys(),
            labels=ledger_class.labels(),
            max_rows=settings.IMPORT_MAX_ROWS,
        )
        for header in table.ignored_headers:
            report.warn(f"未识别的列“{cell_text(header)[:30]}”，已忽略")
        ledger = ledger_class(user=user, report=report, write=commit)
        ledger.prepare()
        if not commit:
            _feed(ledger, table, report, progress)
        else:
            try:
                with transaction.atomic():
                    _feed(ledger, table, report, progress)
                    if report.blocked:
                        raise _RollBack
            except _RollBack:
                report.roll_back()
            else:
                report.committed = True
    except ExcelFileError as exc:
        report.file_error = str(exc)
        if commit:
            report.roll_back()
    except IntegrityError:
        logger.warning("import of %s hit a unique constraint; rolled back", kind)
        report.roll_back()
        report.file_error = (
            "导入期间有人同时登记了相同的人员、户或区划，本次未写入任何数据，请重新导入"
        )
    report.errors.sort(key=lambda e: e["row"])
    return report


def _audit_commit(report: ImportReport, *, user, job: ImportJob | None = None):
    record_event(
        user=user,
        action=AuditAction.IMPORT,
        object_type=LEDGERS[report.kind].audit_object,
        object_id=job.pk if job else "",
        summary=f"导入{LEDGERS[report.kind].title}：{report.summary()}",
        detail={
            key: value
            for key, value in report.as_dict().items()
            if key not in ("errors", "warnings", "summary")
        },
    )


def import_file(
    kind: str,
    source: bytes | str | Path | IO[bytes],
    user,
    mode: str = ImportMode.ALL_OR_NOTHING,
    *,
    commit: bool = True,
) -> ImportReport:
    """Import a ledger file at once (no job, no background): check, validate, write, audit.

    ``kind`` is "persons", "households" or "divisions"; ``source`` a path, a binary file or
    bytes; ``mode`` "all" (all-or-nothing) or "valid" (valid rows only); ``commit=False`` is a
    dry run. Raises PermissionDenied when ``user`` may not import this kind."""
    if not can_import(user, kind):
        raise PermissionDenied
    report = run_import(kind, source, user=user, mode=mode, commit=commit)
    if commit:
        _audit_commit(report, user=user)
    return report


def import_persons_file(
    path_or_bytes: bytes | str | Path | IO[bytes],
    user,
    mode: str = ImportMode.ALL_OR_NOTHING,
    *,
    commit: bool = True,
) -> ImportReport:
    """Import a persons ledger (人员台账) at once; see ``import_file``. The benchmark's entry
    point: ``import_persons_file("persons.xlsx", user, "valid").as_dict()``."""
    return import_file(ImportKind.PERSONS, path_or_bytes, user, mode, commit=commit)


# ---------------------------------------------------------------------------------------------
# Jobs: the pages' flow, with the work on the task queue
# ---------------------------------------------------------------------------------------------


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file after every check that needs no parsing; raises
    ExcelFileError with a Chinese message."""
    if upload is None:
        raise ExcelFileError("请选择要上传的文件")
    if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        limit = settings.IMPORT_MAX_UPLOAD_BYTES / 1024 / 1024
        raise ExcelFileError(f"文件大小超过上限（{limit:.0f}MB），请拆分后分批导入")
    data = upload.read(settings.IMPORT_MAX_UPLOAD_BYTES + 1)
    check_xlsx(data)
    return data


def create_import_job(*, user, kind: str, mode: str, file_name: str, data: bytes) -> ImportJob:
    """Keep an already checked file (encrypted) and queue its dry run."""
    from .tasks import validate_import_job

    if not can_import(user, kind):
        raise PermissionDenied
    job = ImportJob(kind=kind, mode=mode, file_name=file_name[:200], created_by=user)
    job.store_file(data)
    job.save()
    job.log_action(
        AuditAction.IMPORT,
        user=user,
        summary=f"上传{LEDGERS[kind].title}待检查：{job.file_name}",
        detail={"kind": kind, "bytes": job.file_size},
    )
    validate_import_job.enqueue(job.pk)
    return job


def _progress_of(job: ImportJob) -> Progress:
    def update(processed: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed, total_rows=total)

    return update


def _finish(job: ImportJob, report: ImportReport, status: str, **extra) -> None:
    job.status = ImportStatus.FAILED if report.file_error else status
    job.error_message = report.file_error[:500]
    job.report = report.as_dict()
    job.total_rows = report.total_rows
    job.processed_rows = report.total_rows
    job.error_rows = report.error_rows
    job.created_count = report.created
    job.existing_count = report.existing
    job.updated_count = report.updated
    job.skipped_count = report.skipped
    for key, value in extra.items():
        setattr(job, key, value)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        job.file_enc = ""  # the plaintext ledger is not kept longer than needed (M1)
        job.finished_at = timezone.now()
    job.save()


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED,
        error_message=message,
        file_enc="",
        finished_at=timezone.now(),
    )


def validate_job(job_id: int) -> None:
    """The dry run of a job (run by the task queue)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return
    job.status = ImportStatus.VALIDATING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        with heartbeat(job.pk):
            report = run_import(
                job.kind,
                job.load_file(),
                user=job.created_by,
                mode=job.mode,
                commit=False,
                progress=_progress_of(job),
            )
    except Exception:
        logger.exception("dry run of import job %s failed", job_id)
        _fail(job_id, "检查过程中发生系统错误，请稍后重试或联系管理员")
        raise
    _finish(job, report, ImportStatus.VALIDATED, validated_at=timezone.now())


def request_commit(*, user, job: ImportJob, mode: str) -> bool:
    """Queue the commit of a dry-run job in ``mode``; False when it is not waiting for one
    (already committed, running or failed)."""
    from .tasks import commit_import_job

    if job.created_by_id != user.pk or not can_import(user, job.kind):
        raise PermissionDenied
    if mode not in ImportMode.values:
        mode = job.mode
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.COMMITTING,
        mode=mode,
        processed_rows=0,
        heartbeat_at=None,  # queued, not running: no worker is expected to beat yet
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    commit_import_job.enqueue(job.pk)
    return True


def commit_job(job_id: int) -> None:
    """The commit of a job (run by the task queue): validate again against the database as it
    is now, write in one transaction, audit, drop the file."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.COMMITTING:
        return
    try:
        # No progress rows during the commit: they would be invisible until it ends, and
        # would lock the job's row against the heartbeat for as long.
        with heartbeat(job.pk):
            report = run_import(
                job.kind, job.load_file(), user=job.created_by, mode=job.mode, commit=True
            )
    except Exception:
        logger.exception("commit of import job %s failed", job_id)
        _fail(job_id, "导入过程中发生系统错误，未写入任何数据，请稍后重试或联系管理员")
        raise
    _audit_commit(report, user=job.created_by, job=job)
    _finish(job, report, ImportStatus.DONE)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def write_template(kind: str, user, stream: IO[bytes]) -> None:
    """The template of a ledger: its headers, one sample row (ignored on import) and a notes
    sheet describing every column."""
    ledger = LEDGERS[kind]
    example = ledger(user=user, report=None, write=False)
    example.prepare()
    columns = [Column(f.header, f.width) for f in ledger.fields]
    notes = [
        [
            f.header,
            "必填" if f.required else "选填",
            f.note,
            "、".join(f.aliases),
        ]
        for f in ledger.fields
    ]
    notes += [
        [],
        ["说明", "", "第一行是表头，请勿修改；每行填写一条，行与行之间不要留空行。", ""],
        ["", "", f"以“{SAMPLE_MARK}”开头的示例行导入时自动忽略，可以保留也可以删除。", ""],
        ["", "", "证件号码、电话、代码等列已设为文本格式，请勿改成数字格式。", ""],
        ["", "", "上传后系统先检查并列出每一行的问题，确认后才写入。", ""],
    ]
    with XlsxStreamWriter(stream, creator=user.get_username()) as book:
        sheet = book.add_sheet(ledger.title, columns)
        sheet.write_row(example.sample_row(), style=STYLE_SAMPLE)
        notes_columns = [
            Column("列名", 14),
            Column("是否必填", 10),
            Column("说明", 70),
            Column("也可写作", 40),
        ]
        book.add_sheet("填写说明", notes_columns, freeze=False).write_rows(notes)

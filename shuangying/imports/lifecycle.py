"""The life of an import job beyond its happy path: the worker's heartbeat, jobs whose worker
died, retrying them, and how long an uploaded ledger and its report are kept.

A worker beats (``ImportJob.heartbeat_at``) from a thread with its own database connection
while it checks or commits a job; the commit's transaction never touches the job's row, so the
beat is seen while the commit runs. A job running with no beat for ``IMPORT_STALE_SECONDS``
lost its worker (``kill -9``, a crashed host): it is marked failed, its file kept so that its
owner can retry it. A killed commit wrote nothing (its transaction died with the connection).

Uploaded files (encrypted, but still whole ledgers of IDs and phones) are dropped when a job
ends; a job left waiting for confirmation, or abandoned, loses its file after
``IMPORT_FILE_RETENTION_HOURS``, and every job's row-level report after
``IMPORT_REPORT_RETENTION_DAYS`` (``manage.py purge_imports``, daily)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .choices import RUNNING_STATUSES, ImportStatus
from .models import ImportJob

logger = logging.getLogger(__name__)

ABANDONED_MESSAGE = (
    "导入进程意外中止（超过{minutes}分钟没有响应），未写入任何数据。可以点击“重新执行”再试一次。"
)
EXPIRED_MESSAGE = "上传的文件已超过保留期限并已删除，请重新上传"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "IMPORT_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> int:
    return int(getattr(settings, "IMPORT_STALE_SECONDS", 300))


@contextmanager
def heartbeat(job_id: int):
    """Beat for ``job_id`` every ``IMPORT_HEARTBEAT_SECONDS`` from a thread of its own until
    the block ends. A beat that cannot be written (SQLite locked by the commit) is skipped."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.debug("heartbeat of import job %s skipped", job_id)
        finally:
            connection.close()

    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def fail_abandoned_jobs(now=None, *, jobs=None) -> int:
    """Mark failed the jobs (of ``jobs``, all by default) whose worker stopped beating; their
    files stay for a retry."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_seconds())
    return (
        (jobs if jobs is not None else ImportJob.objects.all())
        .filter(
            status__in=(ImportStatus.VALIDATING, ImportStatus.COMMITTING),
            heartbeat_at__lt=cutoff,
        )
        .update(
            status=ImportStatus.FAILED,
            error_message=ABANDONED_MESSAGE.format(minutes=max(stale_seconds() // 60, 1)),
            abandoned=True,
            finished_at=now,
            updated_at=now,
        )
    )


def refreshed(job: ImportJob) -> ImportJob:
    """``job``, marked failed first if its worker has died (the pages ask before showing it,
    so that its owner does not watch a dead job "running" until the nightly purge)."""
    if job.is_running and fail_abandoned_jobs(jobs=ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def can_retry(job: ImportJob) -> bool:
    return job.status == ImportStatus.FAILED and job.abandoned and bool(job.file_enc)


def retry_job(job: ImportJob) -> bool:
    """Queue an abandoned job again where it stopped: the dry run, or the commit when the dry
    run had finished (the commit checks every row again). False when it cannot be retried."""
    from .tasks import commit_import_job, validate_import_job

    if not can_retry(job):
        return False
    status = ImportStatus.COMMITTING if job.validated_at else ImportStatus.PENDING
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.FAILED, abandoned=True
    ).update(
        status=status,
        abandoned=False,
        error_message="",
        heartbeat_at=None,
        finished_at=None,
        processed_rows=0,
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    (commit_import_job if job.validated_at else validate_import_job).enqueue(job.pk)
    return True


def purge(now=None) -> dict[str, int]:
    """Fail abandoned jobs, then drop the files and reports kept past their retention."""
    now = now or timezone.now()
    abandoned = fail_abandoned_jobs(now)
    file_cutoff = now - timedelta(hours=int(getattr(settings, "IMPORT_FILE_RETENTION_HOURS", 24)))
    # A dry run waiting for its owner's confirmation past the retention ends here.
    expired = ImportJob.objects.filter(
        status=ImportStatus.VALIDATED, updated_at__lt=file_cutoff
    ).update(
        status=ImportStatus.FAILED,
        error_message=EXPIRED_MESSAGE,
        file_enc="",
        finished_at=now,
        updated_at=now,
    )
    files = (
        ImportJob.objects.filter(updated_at__lt=file_cutoff)
        .exclude(file_enc="")
        .exclude(status__in=RUNNING_STATUSES)
        .update(file_enc="", abandoned=False, updated_at=now)
    )
    report_cutoff = now - timedelta(days=int(getattr(settings, "IMPORT_REPORT_RETENTION_DAYS", 30)))
    reports = 0
    for job in (
        ImportJob.objects.filter(finished_at__lt=report_cutoff)
        .exclude(report__has_key="purged")
        .only("id", "report")
    ):
        kept = {k: v for k, v in (job.report or {}).items() if k not in ("errors", "warnings")}
        ImportJob.objects.filter(pk=job.pk).update(report={**kept, "purged": True})
        reports += 1
    return {"abandoned": abandoned, "expired": expired, "files": files, "reports": reports}

"""Issue 17: a killed worker no longer wedges an import, and uploaded ledgers are not kept
forever. The worker's death is the heartbeat stopping (a job row left "committing" with an
old heartbeat is exactly what ``kill -9`` during a commit leaves behind)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shuangying.imports.choices import ImportStatus
from shuangying.imports.lifecycle import fail_abandoned_jobs, heartbeat, purge
from shuangying.imports.models import ImportJob
from shuangying.people.models import Person
from shuangying.testing import login

from .xlsx import GRID1A, PERSON_HEADERS, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def job_for(user, *, status, heartbeat_ago=None, validated=True, **extra) -> ImportJob:
    job = ImportJob(kind="persons", mode="all", file_name="台账.xlsx", created_by=user, **extra)
    job.store_file(make_xlsx(PERSON_HEADERS, [person_row(1, GRID1A), person_row(2, GRID1A)]))
    job.status = status
    if validated:
        job.validated_at = timezone.now() - timedelta(minutes=30)
    if heartbeat_ago is not None:
        job.heartbeat_at = timezone.now() - heartbeat_ago
    job.save()
    return job


def test_a_commit_whose_worker_died_is_failed_and_can_be_retried(client, personas):
    user = personas["village1"]
    job = job_for(user, status=ImportStatus.COMMITTING, heartbeat_ago=timedelta(minutes=10))
    login(client, user)
    page = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.abandoned
    assert job.file_enc, "the file is kept for the retry"
    assert "意外中止" in page and "重新执行" in page
    # Before the fix the job stayed "committing" and could not be committed again.
    response = client.post(reverse("imports:import_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 2
    assert Person.objects.count() == 2
    assert job.file_enc == "" and not job.abandoned


def test_a_dry_run_whose_worker_died_is_checked_again(client, personas):
    user = personas["village1"]
    job = job_for(
        user, status=ImportStatus.VALIDATING, heartbeat_ago=timedelta(hours=1), validated=False
    )
    assert fail_abandoned_jobs() == 1
    login(client, user)
    client.post(reverse("imports:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.total_rows == 2
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "status, heartbeat_ago",
    [
        (ImportStatus.COMMITTING, timedelta(seconds=20)),  # alive
        (ImportStatus.COMMITTING, None),  # queued: no worker has taken it yet
        (ImportStatus.PENDING, None),
        (ImportStatus.VALIDATED, timedelta(hours=2)),
    ],
)
def test_live_queued_and_waiting_jobs_are_left_alone(personas, status, heartbeat_ago):
    job = job_for(personas["village1"], status=status, heartbeat_ago=heartbeat_ago)
    assert fail_abandoned_jobs() == 0
    job.refresh_from_db()
    assert job.status == status


def test_only_its_owner_retries_and_only_an_abandoned_job(client, personas):
    job = job_for(
        personas["village1"], status=ImportStatus.COMMITTING, heartbeat_ago=timedelta(hours=1)
    )
    login(client, personas["town1"])
    assert client.post(reverse("imports:import_retry", args=[job.pk])).status_code == 404
    done = job_for(personas["town1"], status=ImportStatus.DONE)
    client.post(reverse("imports:import_retry", args=[done.pk]))
    done.refresh_from_db()
    assert done.status == ImportStatus.DONE


def test_the_worker_beats_while_it_runs(personas):
    job = job_for(personas["village1"], status=ImportStatus.COMMITTING)
    assert job.heartbeat_at is None
    with heartbeat(job.pk):
        job.refresh_from_db()
        assert job.heartbeat_at is not None
    # A commit that is queued again does not look dead before a worker takes it.
    assert fail_abandoned_jobs() == 0


def test_request_commit_clears_the_last_dry_run_beat(client, personas, settings):
    """A confirmed job waiting in the queue carries no beat of its dry run."""
    from shuangying.imports.services import request_commit

    user = personas["village1"]
    job = job_for(user, status=ImportStatus.VALIDATED, heartbeat_ago=timedelta(hours=1))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert request_commit(user=user, job=job, mode="all")
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTING and job.heartbeat_at is None
    assert fail_abandoned_jobs() == 0


def test_purge_drops_files_and_reports_past_their_retention(personas, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    settings.IMPORT_REPORT_RETENTION_DAYS = 30
    user = personas["village1"]
    old = timezone.now() - timedelta(days=2)
    waiting = job_for(user, status=ImportStatus.VALIDATED)
    abandoned = job_for(user, status=ImportStatus.COMMITTING, heartbeat_ago=timedelta(days=2))
    fresh = job_for(user, status=ImportStatus.VALIDATED)
    running = job_for(user, status=ImportStatus.COMMITTING, heartbeat_ago=timedelta(seconds=5))
    finished = job_for(
        user,
        status=ImportStatus.DONE,
        report={"summary": "共2行", "errors": [{"row": 2, "column": "姓名", "message": "…"}]},
    )
    ImportJob.objects.filter(pk__in=[waiting.pk, abandoned.pk, running.pk]).update(updated_at=old)
    ImportJob.objects.filter(pk=finished.pk).update(
        finished_at=timezone.now() - timedelta(days=40), file_enc=""
    )
    out = StringIO()
    call_command("purge_imports", stdout=out)
    assert "中止的任务 1 个" in out.getvalue()
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.FAILED and waiting.file_enc == ""
    abandoned.refresh_from_db()
    assert abandoned.status == ImportStatus.FAILED and abandoned.abandoned
    # Abandoned just now: its owner still has the retention period to retry it.
    assert abandoned.file_enc
    ImportJob.objects.filter(pk=abandoned.pk).update(updated_at=old)
    purge()
    abandoned.refresh_from_db()
    assert abandoned.file_enc == ""
    for job in (fresh, running):
        job.refresh_from_db()
        assert job.file_enc, job.status
    running.refresh_from_db()
    assert running.status == ImportStatus.COMMITTING
    finished.refresh_from_db()
    assert "errors" not in finished.report and finished.report["summary"] == "共2行"

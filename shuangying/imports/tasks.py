"""Background work of import jobs, on the database task queue (``manage.py db_worker``)."""

from django_tasks import task


@task()
def validate_import_job(job_id: int) -> None:
    """Dry-run an uploaded ledger and store its row-level report."""
    from .services import validate_job

    validate_job(job_id)


@task()
def commit_import_job(job_id: int) -> None:
    """Write a checked ledger in the mode the user chose."""
    from .services import commit_job

    commit_job(job_id)

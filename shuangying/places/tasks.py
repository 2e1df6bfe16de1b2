"""Background work of places, on the database task queue (``manage.py db_worker``)."""

from django_tasks import task


@task()
def build_poster_batch(batch_id: int) -> None:
    """Render every active place code under a division into one PDF."""
    from .services import render_poster_batch

    render_poster_batch(batch_id)

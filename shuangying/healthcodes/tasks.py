from django_tasks import task


@task()
def reevaluate_health_codes() -> int:
    """Queued after a rule set or risk-area change, so that the page answers at once."""
    from .engine import reevaluate_all

    return reevaluate_all()

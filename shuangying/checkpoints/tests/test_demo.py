"""The demo figures add up to Dingzhou's shape on the dashboard's own counters."""

import pytest

from ..demo import build_checkpoint_demo, figures
from ..models import CheckpointDay, CheckpointRecord

pytestmark = pytest.mark.django_db


def test_the_full_figures_are_dingzhous():
    full = figures(1)
    assert (full.persons, full.vehicles, full.fevers, full.checkpoints) == (250_000, 83_000, 49, 16)


def test_scaled_demo_counters_match_the_figures(county):
    made = build_checkpoint_demo(county.county, scale=0.004, days=10)
    totals = CheckpointRecord.objects.all().totals()
    assert totals == {
        "persons": made.persons,
        "vehicles": made.vehicles,
        "fevers": made.fevers,
        "turned_back": made.turned_back,
    }
    assert CheckpointDay.objects.all().totals() == totals
    assert (made.persons, made.vehicles, made.fevers) == (1000, 332, 1)
    assert CheckpointRecord.objects.values("checkpoint").distinct().count() == 16
    assert (
        not CheckpointRecord.objects.filter(is_fever=True).exclude(outcome="fever_clinic").exists()
    )


def test_the_command_loads_into_the_county(county, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.SHUANGYING_DEMO = True
    out = StringIO()
    call_command("load_checkpoint_demo", "--scale", "0.001", "--days", "3", stdout=out)
    assert "16个卡口" in out.getvalue() and "检查250人次" in out.getvalue()
    assert CheckpointDay.objects.all().totals()["persons"] == 250

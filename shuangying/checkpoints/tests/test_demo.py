"""The demo figures add up to Dingzhou's shape on the dashboard's own counters."""

import pytest

from ..demo import (
    build_checkpoint_demo,
    demo_exists,
    figures,
    remove_checkpoint_demo,
    scale_for,
)
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


def test_the_demo_is_in_proportion_to_the_county_and_loads_once(county):
    assert scale_for(20_000) == 0.02 and figures(scale_for(20_000)).persons == 5000
    assert not demo_exists(county.county)
    made = build_checkpoint_demo(county.county, scale=scale_for(1000), days=3)
    assert demo_exists(county.county)
    assert CheckpointDay.objects.all().totals()["persons"] == made.persons == 250
    remove_checkpoint_demo(county.county)
    assert not demo_exists(county.county) and not CheckpointDay.objects.exists()

"""The quarantine demo: Dingzhou's 116 / 109 / 7 on two sites, released through the release
conditions (negative tests on days 7 and 13), the codes of the 7 still red, and a second run
changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from shuangying.healthcodes.engine import current_code
from shuangying.labs.services import create_lab
from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person

from .. import stats
from ..demo import load_quarantine, remove_quarantine
from ..models import QuarantineOrder, Room, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(county):
    create_lab(name="演示实验室", division=county.county, daily_capacity=360)
    for i in range(130):
        register_person(
            actor=None,
            name=f"居民{i}",
            id_number=make_resident_id("130682", date(1970, 1, 1), 200 + i),
            division=(county.grid1a, county.grid1b, county.grid2a)[i % 3],
        )


def test_the_demo_shows_dingzhou_s_figures(county, crowd):
    made = load_quarantine(county.county)
    assert made is not None and "累计隔离116人" in made.describe()
    total = stats.counts(QuarantineOrder.objects.all())
    assert (total.cumulative, total.released, total.current) == (116, 109, 7)
    assert Site.objects.count() == 2
    assert Room.objects.filter(state="occupied").count() == 7
    still_in = QuarantineOrder.objects.filter(state="active")
    assert all(current_code(o.person_id).colour == "red" for o in still_in)
    released = QuarantineOrder.objects.filter(state="released").first()
    assert current_code(released.person_id).colour == "green"
    assert made.abnormal == 2 and 0 < made.reports < 7 * 12
    assert load_quarantine(county.county) is None
    remove_quarantine()
    assert not QuarantineOrder.objects.exists()


def test_too_small_a_registry_gets_no_quarantine_demo(county, people):
    assert load_quarantine(county.county) is None
    assert not Site.objects.exists()

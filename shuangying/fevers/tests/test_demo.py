"""The fever demo: the same every time, every channel and step, some open and overdue, the
checkpoint demo's fevers flowing in through the intake, and a second run changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person

from ..choices import Channel, Step
from ..demo import load_fevers, remove_fevers
from ..models import FeverEpisode, FeverReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(county):
    for i in range(120):
        register_person(
            actor=None,
            name=f"居民{i}",
            id_number=make_resident_id("130682", date(1970, 1, 1), 200 + i),
            division=(county.grid1a, county.grid1b, county.grid2a)[i % 3],
        )


def snapshot():
    return sorted(
        FeverEpisode.objects.values_list("person_id", "channel", "status", "found_at", "outcome")
    )


def test_the_demo_covers_the_loop_and_is_the_same_every_time(county, crowd):
    made = load_fevers(county.county)
    assert made.episodes == 20 and made.unresolved == 3  # 120 persons; three grids
    first = snapshot()
    statuses = {row[2] for row in first}
    assert Step.CLOSED in statuses and len(statuses) >= 2  # some still open
    assert {row[1] for row in first} >= {Channel.VILLAGE, Channel.FEVER_CLINIC}
    assert FeverEpisode.objects.open().count() == made.open
    assert (
        FeverEpisode.objects.overdue().count()
        == FeverEpisode.objects.open().exclude(status__in=[Step.SAMPLED, Step.RESULTED]).count()
    )
    assert load_fevers(county.county) is None  # already there: nothing more
    remove_fevers(county.county)
    assert not FeverReport.objects.exists()
    load_fevers(county.county)
    assert snapshot() == first


def test_the_checkpoint_demo_s_fevers_open_episodes(county, crowd):
    from shuangying.checkpoints.demo import build_checkpoint_demo
    from shuangying.checkpoints.models import CheckpointRecord

    build_checkpoint_demo(county.county, scale=0.0002, days=3)
    fevers = CheckpointRecord.objects.filter(is_fever=True)
    assert fevers.exists() and not fevers.filter(person__isnull=True).exists()
    reports = FeverReport.objects.filter(channel=Channel.CHECKPOINT)
    assert reports.count() == fevers.count()
    assert {r.source_ref for r in reports} == {
        f"checkpoint_record:{pk}" for pk in fevers.values_list("pk", flat=True)
    }

"""The labs move the loop: a sample taken from a person with an isolated episode is its
"sampled" step and the sample's result its "resulted" step, in the lab's own transaction; a
positive result opens a suspected case and the health code turns red."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangying.healthcodes.engine import current_code
from shuangying.labs.services import ResultItem, create_lab, record_results, take_sample
from shuangying.testing import make_user

from ..models import FeverEpisode
from ..services import report_fever
from .test_services import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county], department=county.health)


@pytest.fixture
def lab(county):
    return create_lab(name="县疾控实验室", division=county.county, daily_capacity=180)


def isolated_episode(person, cdc, hours_ago=3):
    start = timezone.now() - dt.timedelta(hours=hours_ago)
    episode = report_fever(actor=None, channel="village", person=person, found_at=start).episode
    return walk(episode, cdc, "isolated", start)


def test_a_sample_and_a_positive_result_move_the_episode_and_turn_the_code_red(people, cdc, lab):
    person = people.in_grid1a
    episode = isolated_episode(person, cdc)
    staff = make_user("lab1", "lab_staff", [], department=None)
    lab.staff.add(staff)  # the lab's own staff: its results are theirs to record
    take_sample(person=person, barcode="FX0001", actor=staff)
    episode.refresh_from_db()
    assert (episode.status, episode.sample_barcode, episode.sampled_by) == (
        "sampled",
        "FX0001",
        staff,
    )
    [outcome] = record_results(
        items=[ResultItem(barcode="FX0001", result="positive", resulted_at=timezone.now())],
        actor=staff,
    )
    assert outcome.ok and outcome.case_id is not None
    episode.refresh_from_db()
    assert (episode.status, episode.result) == ("resulted", "阳性")
    assert current_code(person).colour == "red"


def test_an_invalid_result_leaves_the_episode_sampled_and_the_resample_counts(people, cdc, lab):
    person = people.in_grid1a
    episode = isolated_episode(person, cdc)
    take_sample(person=person, barcode="FX0002", actor=cdc)
    record_results(
        items=[ResultItem(barcode="FX0002", result="invalid", resulted_at=timezone.now())],
        actor=cdc,
    )
    episode.refresh_from_db()
    assert episode.status == "sampled"
    take_sample(person=person, barcode="FX0003", actor=cdc)  # the re-sample
    episode.refresh_from_db()
    assert episode.sample_barcode == "FX0002"  # a second sample moves no step
    record_results(
        items=[ResultItem(barcode="FX0003", result="negative", resulted_at=timezone.now())],
        actor=cdc,
    )
    episode.refresh_from_db()
    assert (episode.status, episode.result) == ("resulted", "阴性")


def test_a_sample_before_isolation_stays_the_labs_and_the_steps_go_in_order(people, cdc, lab):
    person = people.in_grid1a
    start = timezone.now() - dt.timedelta(hours=2)
    episode = report_fever(actor=None, channel="village", person=person, found_at=start).episode
    sample = take_sample(person=person, barcode="FX0004", actor=cdc)
    episode.refresh_from_db()
    assert episode.status == "found" and sample.pk is not None
    # A person without an episode: the sample is taken, nothing else is written.
    take_sample(person=people.in_grid1b, barcode="FX0005", actor=cdc)
    assert not FeverEpisode.objects.filter(person=people.in_grid1b).exists()


def test_a_failing_step_rolls_the_sample_back(people, cdc, lab, monkeypatch):
    from shuangying.labs.models import Sample

    from .. import receivers

    person = people.in_grid1a
    isolated_episode(person, cdc)

    def broken(**kwargs):
        raise RuntimeError("episode write failed")

    monkeypatch.setattr(receivers, "record_sampled", broken)
    with pytest.raises(RuntimeError):
        take_sample(person=person, barcode="FX0006", actor=cdc)
    assert not Sample.objects.filter(barcode="FX0006").exists()


def test_a_result_entered_to_the_minute_of_its_sampling_counts(people, cdc, lab):
    # A form's datetime-local gives 14:30 for a sample taken at 14:30:40: not "before" it.
    person = people.in_grid1a
    episode = isolated_episode(person, cdc)
    sample = take_sample(person=person, barcode="FX0007", actor=cdc)
    minute = sample.sampled_at.replace(second=0, microsecond=0)
    [outcome] = record_results(
        items=[ResultItem(barcode="FX0007", result="negative", resulted_at=minute)], actor=cdc
    )
    assert outcome.ok, outcome.message
    episode.refresh_from_db()
    assert episode.status == "resulted" and episode.resulted_at == episode.sampled_at
    early = minute - dt.timedelta(minutes=1)
    take_sample(person=people.in_grid1b, barcode="FX0008", actor=cdc)
    [refused] = record_results(
        items=[ResultItem(barcode="FX0008", result="negative", resulted_at=early)], actor=cdc
    )
    assert refused.field == "resulted_at" and "不能早于采样时间" in refused.message


def test_a_pooled_round_moves_its_followed_persons_in_a_fixed_number_of_queries(
    people, cdc, lab, county
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangying.labs.services import PoolSpec, record_pooled_round

    from .test_services import new_person

    followed = [people.in_grid1a, people.in_grid1b]
    episodes = [isolated_episode(p, cdc) for p in followed]
    others = [new_person(county.grid1a, f"同管{i}") for i in range(18)]

    def round_of(persons, tag):
        pools = [
            PoolSpec(
                barcode=f"{tag}T{i}",
                size=10,
                members=[(p.pk, f"{tag}M{i}{j}") for j, p in enumerate(persons[i : i + 10])],
            )
            for i in range(0, len(persons), 10)
        ]
        with CaptureQueriesContext(connection) as ctx:
            record_pooled_round(pools=pools, sampled_at=timezone.now(), actor=cdc)
        return len(ctx.captured_queries)

    small = round_of([*followed, *others[:8]], "A")
    for e in episodes:
        e.refresh_from_db()
        assert e.status == "sampled"
    large = round_of(others, "B")  # nobody followed: the lookup still costs one query
    assert large <= small
    record_results(
        items=[ResultItem(barcode="AT0", result="negative", resulted_at=timezone.now())],
        actor=cdc,
    )
    for e in episodes:
        e.refresh_from_db()
        assert (e.status, e.result) == ("resulted", "阴性")

"""The fever loop's state machine and intake (E1, E2): steps in order and once, deadlines,
merging by person, unresolved reports, the database's own refusals."""

from __future__ import annotations

import datetime as dt
from datetime import date
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from shuangying.healthcodes.engine import current_code
from shuangying.healthcodes.models import HealthEvent
from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person
from shuangying.testing import make_user

from ..choices import STEP_ORDER, Step
from ..models import FeverEpisode, FeverReport
from ..querysets import deadlines, due_at
from ..services import (
    TransitionRefused,
    advance_episode,
    close_episode,
    record_result,
    record_sampled,
    report_fever,
    resolve_report,
)

pytestmark = pytest.mark.django_db
SERIAL = count(100)
DETAILS = {
    Step.ISOLATED: {"isolation_place": "home", "isolation_note": "东村3号"},
    Step.SAMPLED: {"barcode": "S0001"},
    Step.RESULTED: {"result": "阴性"},
    Step.CLOSED: {"outcome": "excluded"},
}


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county], department=county.health)


def new_person(division, name="发热者"):
    seq = next(SERIAL)
    return register_person(
        actor=None,
        name=name,
        id_number=make_resident_id("130682", date(1985, 5, 6), seq),
        division=division,
        phone=f"139{seq:08d}",
    ).person


def walk(episode, actor, until: str, start: dt.datetime):
    for i, step in enumerate(STEP_ORDER[1 : STEP_ORDER.index(until) + 1], 1):
        advance_episode(
            actor=actor,
            episode=episode,
            step=step,
            at=start + dt.timedelta(minutes=10 * i),
            **DETAILS.get(step, {}),
        )
    episode.refresh_from_db()
    return episode


class EpisodeMachine(RuleBasedStateMachine):
    """Any sequence of step requests: only the next step is taken, each once; a refused step
    changes nothing; the deadline and overdue flag always match the one rule."""

    @initialize()
    def setup(self):
        from shuangying.divisions.models import Division

        grid = Division.objects.get(name="东村一网格")
        self.actor = type(self).actor
        self.person = new_person(grid)
        self.found = timezone.now() - dt.timedelta(hours=8)
        self.episode = report_fever(
            actor=self.actor,
            channel="village",
            person=self.person,
            temperature="38.1",
            found_at=self.found,
        ).episode
        self.status = Step.FOUND
        self.clock = self.found

    @rule(step=st.sampled_from(STEP_ORDER[1:]), minutes=st.integers(0, 90))
    def take(self, step, minutes):
        at = self.clock + dt.timedelta(minutes=minutes)
        expected = STEP_ORDER[STEP_ORDER.index(self.status) + 1] if self.status != "closed" else ""
        if step != expected:
            with pytest.raises(TransitionRefused):
                advance_episode(
                    actor=self.actor,
                    episode=self.episode,
                    step=step,
                    at=at,
                    **DETAILS.get(step, {}),
                )
            return
        advance_episode(
            actor=self.actor, episode=self.episode, step=step, at=at, **DETAILS.get(step, {})
        )
        self.status, self.clock = step, at

    @rule(minutes=st.integers(1, 60))
    def step_before_the_last_is_refused(self, minutes):
        if self.status == Step.CLOSED:
            return
        step = STEP_ORDER[STEP_ORDER.index(self.status) + 1]
        with pytest.raises(ValidationError) as caught:
            advance_episode(
                actor=self.actor,
                episode=self.episode,
                step=step,
                at=self.clock - dt.timedelta(minutes=minutes),
                **DETAILS.get(step, {}),
            )
        assert not isinstance(caught.value, TransitionRefused)

    @rule()
    def another_report_merges_while_open(self):
        result = report_fever(
            actor=self.actor, channel="pharmacy", person=self.person, drug="布洛芬"
        )
        if self.status == Step.CLOSED:
            assert result.opened and result.episode.pk != self.episode.pk
            # The new episode starts its own loop: follow it from now on.
            self.episode, self.status = result.episode, Step.FOUND
            self.clock = result.episode.found_at
        else:
            assert not result.opened and result.episode.pk == self.episode.pk

    @invariant()
    def matches_the_model(self):
        if not hasattr(self, "episode"):
            return
        row = FeverEpisode.objects.with_due().get(pk=self.episode.pk)
        assert row.status == self.status
        done = STEP_ORDER[1 : STEP_ORDER.index(self.status) + 1]
        for step in STEP_ORDER[1:]:
            value = getattr(row, f"{step}_at")
            assert (value is not None) == (step in done), step
        expected_due = due_at(row.found_at, row.status)
        assert row.due_at == expected_due
        now = timezone.now()
        assert row.is_overdue == (expected_due is not None and expected_due < now)
        assert FeverEpisode.objects.open().filter(person=self.person).count() <= 1


def test_episode_state_machine(county, personas, cdc):
    EpisodeMachine.actor = cdc
    run_state_machine_as_test(
        EpisodeMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_deadlines_are_settings_and_count_from_found(county, people, settings):
    settings.FEVER_DEADLINES = {"registered": 30, "isolated": 90, "sampled": 240}
    now = timezone.now()
    found = now - dt.timedelta(minutes=45)
    episode = report_fever(
        actor=None, channel="village", person=people.in_grid1a, temperature="38", found_at=found
    ).episode
    assert deadlines()["registered"] == dt.timedelta(minutes=30)
    assert list(FeverEpisode.objects.overdue()) == [episode]
    advance_episode(actor=None, episode=episode, step="registered", at=now)
    # Isolation is due 90 minutes after the fever was found, not after registration.
    assert not FeverEpisode.objects.overdue().exists()
    assert FeverEpisode.objects.overdue(now + dt.timedelta(minutes=46)).get() == episode
    row = FeverEpisode.objects.with_due().get()
    assert row.due_at == found + dt.timedelta(minutes=90)


def test_reports_from_several_channels_merge_into_one_episode(county, people, personas):
    person = people.in_grid1a
    first = report_fever(
        actor=personas["grid1a"], channel="village", person=person, temperature="37.6"
    )
    second = report_fever(
        actor=None,
        channel="pharmacy",
        id_number=person.reveal_id_number(),
        drug="连花清瘟",
        temperature="38.4",
    )
    third = report_fever(actor=None, channel="tipoff", phone=person.reveal_phone())
    assert first.opened and not second.opened and not third.opened
    episode = first.episode
    assert second.episode == episode == third.episode
    assert [r.channel for r in episode.reports.order_by("pk")] == ["village", "pharmacy", "tipoff"]
    episode.refresh_from_db()
    assert str(episode.temperature) == "38.4" and episode.channel == "village"
    # Opening turned the code once; the merged reports recorded nothing more.
    events = HealthEvent.objects.filter(person=person, kind="fever_unresolved")
    assert events.count() == 1
    assert current_code(person).colour != "green"


def test_an_earlier_sighting_moves_found_back_while_found(county, people):
    now = timezone.now()
    first = report_fever(actor=None, channel="village", person=people.in_grid1a, found_at=now)
    report_fever(
        actor=None,
        channel="compound",
        person=people.in_grid1a,
        found_at=now - dt.timedelta(hours=2),
    )
    first.episode.refresh_from_db()
    assert first.episode.found_at == now - dt.timedelta(hours=2)


def test_an_unknown_person_stays_unresolved_until_the_grid_worker_names_them(
    county, people, personas
):
    tip = report_fever(
        actor=None,
        channel="tipoff",
        name="老王",
        address="东村3号楼",
        division=county.grid1a,
        tipster_phone="13900009999",
    )
    assert tip.episode is None and tip.report.person_id is None
    assert tip.report.tipster_phone_masked == "139****9999"
    assert "13900009999" not in tip.report.tipster_phone_enc
    assert FeverReport.objects.restrict(personas["grid1a"]).unresolved().get() == tip.report
    assert not FeverReport.objects.restrict(personas["grid2a"]).exists()
    result = resolve_report(actor=personas["grid1a"], report=tip.report, person=people.in_grid1a)
    assert result.opened and result.episode.person == people.in_grid1a
    assert result.report.resolved_by == personas["grid1a"]
    with pytest.raises(ValidationError):
        resolve_report(actor=personas["grid1a"], report=tip.report, person=people.in_grid1a)


def test_a_grid_worker_cannot_resolve_to_a_person_outside_their_grid(county, people, personas):
    tip = report_fever(
        actor=None, channel="tipoff", name="老王", address="东村", division=county.grid1a
    )
    with pytest.raises(PermissionDenied):
        resolve_report(actor=personas["grid1a"], report=tip.report, person=people.in_grid2a)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"temperature": "45"}, "temperature"),
        ({"temperature": "热"}, "temperature"),
        ({"channel": "radio"}, "channel"),
        ({"channel": "pharmacy"}, "drug"),
        ({"id_number": "123"}, "id_number"),
        ({"name": "", "address": ""}, "name"),
        ({"name": "老王", "address": ""}, "address"),
        ({"found_at": timezone.now() + dt.timedelta(hours=1)}, "found_at"),
    ],
)
def test_bad_reports_name_the_field(county, fields, field):
    base = {"channel": "tipoff", "name": "老王", "address": "东村", "division": county.grid1a}
    with pytest.raises(ValidationError) as caught:
        report_fever(actor=None, **{**base, **fields})
    assert field in caught.value.message_dict
    assert not FeverReport.objects.exists()


def test_steps_need_their_details_and_the_right_role(county, people, personas, cdc):
    episode = report_fever(actor=None, channel="village", person=people.in_grid1a).episode
    advance_episode(actor=personas["grid1a"], episode=episode, step="registered")
    with pytest.raises(ValidationError) as caught:
        advance_episode(actor=personas["grid1a"], episode=episode, step="isolated")
    assert "isolation_place" in caught.value.message_dict
    advance_episode(
        actor=personas["grid1a"], episode=episode, step="isolated", **DETAILS["isolated"]
    )
    with pytest.raises(PermissionDenied):
        advance_episode(actor=personas["grid1a"], episode=episode, step="sampled")
    with pytest.raises(TransitionRefused) as caught:
        advance_episode(actor=cdc, episode=episode, step="closed", outcome="excluded")
    assert "下一步应为“已采样”" in caught.value.message_dict["step"][0]


def test_the_labs_hooks_find_the_open_episode(county, people, cdc):
    assert record_sampled(actor=cdc, person=people.in_grid1a, at=None, barcode="X") is None
    start = timezone.now() - dt.timedelta(hours=3)
    episode = report_fever(
        actor=None, channel="village", person=people.in_grid1a, found_at=start
    ).episode
    walk(episode, cdc, "isolated", start)
    assert record_sampled(actor=cdc, person=people.in_grid1a, at=None, barcode="B1").status == (
        "sampled"
    )
    done = record_result(actor=cdc, person=people.in_grid1a, at=None, result="阴性")
    assert (done.status, done.result) == ("resulted", "阴性")
    closed = close_episode(actor=cdc, episode=episode, outcome="excluded")
    assert closed.closed_by == cdc
    kinds = list(
        HealthEvent.objects.filter(person=people.in_grid1a)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["fever_unresolved", "fever_resolved"]
    assert current_code(people.in_grid1a).colour == "green"
    assert record_result(actor=cdc, person=people.in_grid1a, at=None, result="阴性") is None


def test_a_suspected_outcome_leaves_the_fever_standing(county, people, cdc):
    start = timezone.now() - dt.timedelta(hours=3)
    episode = report_fever(
        actor=None, channel="fever_clinic", person=people.in_grid1a, found_at=start
    ).episode
    walk(episode, cdc, "resulted", start)
    close_episode(actor=cdc, episode=episode, outcome="suspected")
    assert not HealthEvent.objects.filter(kind="fever_resolved").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": "registered"},  # a step without its time
        {"registered_at": None, "status": "found", "isolated_at": "now"},  # a skipped step
        {"status": "closed", "outcome": ""},
        {"isolation_place": ""},
        {"registered_at": "early"},
    ],
)
def test_the_database_refuses_an_impossible_state(county, people, cdc, change):
    start = timezone.now() - dt.timedelta(hours=3)
    episode = report_fever(
        actor=None, channel="village", person=people.in_grid1a, found_at=start
    ).episode
    walk(episode, cdc, "isolated", start)
    values = {}
    for name, value in change.items():
        if value == "now":
            value = timezone.now()
        elif value == "early":
            value = start - dt.timedelta(hours=1)
        values[name] = value
    with pytest.raises(IntegrityError), transaction.atomic():
        FeverEpisode.objects.filter(pk=episode.pk).update(**values)


def test_the_database_refuses_a_second_open_episode(county, people):
    episode = report_fever(actor=None, channel="village", person=people.in_grid1a).episode
    with pytest.raises(IntegrityError), transaction.atomic():
        FeverEpisode.objects.create(
            person=people.in_grid1a,
            division=episode.division,
            channel="pharmacy",
            found_at=timezone.now(),
        )

"""The rules engine: properties over sequences of events (D1), rule changes by date, and the
set-based re-evaluation equal to the per-person computation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangying.healthcodes.choices import EventKind
from shuangying.healthcodes.engine import (
    EventFact,
    current_code,
    evaluate,
    load_ruleset,
    reevaluate_all,
)
from shuangying.healthcodes.models import HealthCodeState, HealthEvent, RuleSet
from shuangying.healthcodes.services import RuleSpec, create_ruleset, rule_specs
from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person

pytestmark = pytest.mark.django_db

T0 = datetime(2020, 2, 1, 0, 0, tzinfo=UTC)
KINDS = [k for k in EventKind if k != EventKind.MANUAL_OVERRIDE]
LEVELS = ["", "high", "medium", "low"]


def fact_strategy():
    @st.composite
    def fact(draw):
        kind = draw(st.sampled_from(KINDS))
        # Whole and fractional seconds both: the SQL keeps microseconds.
        offset = draw(st.integers(0, 40 * 24 * 3600 * 1000))
        level = draw(st.sampled_from(LEVELS)) if kind == EventKind.RISK_AREA_ARRIVAL else ""
        return (kind, T0 + timedelta(milliseconds=offset), level)

    return fact()


def override_strategy():
    return st.tuples(
        st.sampled_from(["green", "yellow", "red"]),
        st.integers(0, 40 * 24 * 3600),
        st.integers(1, 20 * 24 * 3600),
    )


def as_facts(events, overrides=()):
    facts = [EventFact(i, k, at, lv) for i, (k, at, lv) in enumerate(events)]
    for j, (colour, start, length) in enumerate(overrides):
        at = T0 + timedelta(seconds=start)
        facts.append(
            EventFact(
                1000 + j,
                EventKind.MANUAL_OVERRIDE,
                at,
                colour=colour,
                ends_at=at + timedelta(seconds=length),
            )
        )
    return facts


def quarantine_active(events, at) -> bool:
    starts = [e for e in events if e[0] == EventKind.QUARANTINE_STARTED and e[1] <= at]
    ends = [e for e in events if e[0] == EventKind.QUARANTINE_ENDED and e[1] <= at]
    if not starts:
        return False
    return not ends or max(e[1] for e in ends) < max(e[1] for e in starts)


@pytest.fixture
def rs(db):
    return load_ruleset(date(2020, 2, 1))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=st.lists(fact_strategy(), max_size=12),
    overrides=st.lists(override_strategy(), max_size=2),
    probe=st.integers(0, 60 * 24 * 3600),
)
def test_never_green_during_an_active_quarantine(rs, events, overrides, probe):
    at = T0 + timedelta(seconds=probe)
    result = evaluate(as_facts(events, overrides), rs, at)
    if quarantine_active(events, at):
        assert result.colour == "red"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=st.lists(fact_strategy(), max_size=8),
    kind=st.sampled_from([EventKind.CONFIRMED, EventKind.SUSPECTED, EventKind.CLOSE_CONTACT]),
    start=st.integers(0, 30 * 24 * 3600),
)
def test_an_expired_red_becomes_what_the_rules_say_on_the_right_day(rs, events, kind, start):
    red_at = T0 + timedelta(seconds=start)
    others = as_facts([e for e in events if e[0] != kind])
    facts = [*others, EventFact(-1, kind, red_at)]
    expires = red_at + timedelta(days=14)
    # Red up to the last moment; at the expiry exactly what the other events alone say.
    assert evaluate(facts, rs, expires - timedelta(microseconds=1)).colour == "red"
    assert evaluate(facts, rs, expires) == evaluate(others, rs, expires)


def test_close_contact_red_for_14_days_then_green(rs):
    facts = as_facts([(EventKind.CLOSE_CONTACT, T0, "")])
    r = evaluate(facts, rs, T0 + timedelta(days=3))
    assert (r.colour, r.reason, r.since, r.until) == (
        "red",
        "密切接触者",
        T0,
        T0 + timedelta(days=14),
    )
    assert evaluate(facts, rs, T0 + timedelta(days=14)).colour == "green"


def test_quarantine_lasts_until_released(rs):
    facts = as_facts([(EventKind.QUARANTINE_STARTED, T0, "")])
    r = evaluate(facts, rs, T0 + timedelta(days=30))
    assert r.colour == "red" and r.until is None
    released = [*facts, EventFact(99, EventKind.QUARANTINE_ENDED, T0 + timedelta(days=31))]
    assert evaluate(released, rs, T0 + timedelta(days=31)).colour == "green"


def test_override_cannot_make_a_quarantined_person_green(rs):
    facts = as_facts([(EventKind.QUARANTINE_STARTED, T0, "")], [("green", 3600, 86400 * 5)])
    assert evaluate(facts, rs, T0 + timedelta(days=1)).colour == "red"
    facts = as_facts([(EventKind.CLOSE_CONTACT, T0, "")], [("green", 3600, 86400 * 5)])
    r = evaluate(facts, rs, T0 + timedelta(days=1))
    assert (r.colour, r.reason) == ("green", "人工赋码")
    assert evaluate(facts, rs, T0 + timedelta(days=6)).colour == "red"


def person(seq, division):
    return register_person(
        actor=None,
        name=f"测试{seq}",
        id_number=make_resident_id("130682", date(1980, 1, 1), seq),
        division=division,
    ).person


def test_rule_change_from_14_to_7_days_effective_from_a_date(county):
    p = person(1, county.grid1a)
    HealthEvent.objects.create(person=p, kind="close_contact", occurred_at=T0, source="tracing")
    v1 = RuleSet.objects.get(version=1)
    specs = [
        RuleSpec(
            s.kind,
            s.colour,
            7 if s.duration_days == 14 and s.colour == "red" else s.duration_days,
            s.priority,
            s.reason,
            s.risk_level,
        )
        for s in rule_specs(v1)
    ]
    create_ruleset(
        name="红码改为7天", effective_from=date(2020, 2, 10), rules=specs, reevaluate=False
    )
    # Before the change day the 14-day rule holds; from it (local date) the 7-day one.
    day8 = T0 + timedelta(days=8)
    assert current_code(p, day8).colour == "red"
    assert current_code(p, day8).ruleset_version == 1
    change = datetime(2020, 2, 10, 0, 0, tzinfo=UTC) - timedelta(hours=8)  # local midnight
    assert current_code(p, change - timedelta(seconds=1)).colour == "red"
    after = current_code(p, change)
    assert (after.colour, after.ruleset_version) == ("green", 2)
    # The set-based re-evaluation says the same.
    reevaluate_all(change)
    assert HealthCodeState.objects.get(person=p).colour == "green"
    reevaluate_all(change - timedelta(seconds=1))
    state = HealthCodeState.objects.get(person=p)
    assert (state.colour, state.ruleset_version) == ("red", 1)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    population=st.lists(
        st.tuples(st.lists(fact_strategy(), max_size=6), st.lists(override_strategy(), max_size=2)),
        min_size=1,
        max_size=12,
    ),
    probes=st.lists(st.integers(0, 50 * 24 * 3600), min_size=1, max_size=3),
)
def test_set_based_reevaluation_equals_per_person_current_code(county, population, probes):
    from shuangying.people.models import Person

    HealthEvent.objects.all().delete()
    HealthCodeState.objects.all().delete()
    Person.objects.all().delete()
    persons = []
    for n, (events, overrides) in enumerate(population):
        p = person(100 + n, county.grid1a)
        persons.append(p)
        HealthEvent.objects.bulk_create(
            [
                HealthEvent(person=p, kind=k, occurred_at=at, risk_level=lv, source="grid")
                for k, at, lv in events
            ]
            + [
                HealthEvent(
                    person=p,
                    kind=EventKind.MANUAL_OVERRIDE,
                    occurred_at=T0 + timedelta(seconds=s),
                    colour=c,
                    ends_at=T0 + timedelta(seconds=s + length),
                    source="officer",
                )
                for c, s, length in overrides
            ]
        )
    for probe in probes:
        at = T0 + timedelta(seconds=probe, microseconds=probe % 7)
        reevaluate_all(at)
        states = {s.person_id: s for s in HealthCodeState.objects.all()}
        assert len(states) == len(persons)
        for p in persons:
            expected = current_code(p, at)
            s = states[p.pk]
            assert (s.colour, s.reason, s.since, s.until, s.ruleset_version) == (
                expected.colour,
                expected.reason,
                expected.since,
                expected.until,
                expected.ruleset_version,
            ), (p.pk, at)


@pytest.mark.django_db
def test_an_empty_palette_still_answers_green():
    """A database whose seeded colours were removed must not turn every code page into a 500."""
    from datetime import date

    from shuangying.healthcodes.engine import load_ruleset
    from shuangying.healthcodes.models import PaletteColour, Rule

    Rule.objects.all().delete()
    PaletteColour.objects.all().delete()
    ruleset = load_ruleset(date(2020, 2, 15))
    assert ruleset.default.code == "green"

"""Labs (E3): capacity, pools, results (idempotent, corrections), the re-sample list, a
positive opening a suspected case, and the signals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangying.cases.models import Case
from shuangying.healthcodes.models import HealthCodeState, HealthEvent
from shuangying.labs.models import LabDay, Pool, Sample
from shuangying.labs.services import (
    PoolSpec,
    ResultItem,
    record_pooled_round,
    record_results,
    take_sample,
)
from shuangying.labs.signals import samples_resulted, samples_taken

from .conftest import at

pytestmark = pytest.mark.django_db


def persons(people, n, county):
    """``n`` persons in grid1a (the three of the small county first)."""
    from shuangying.people.identity import make_resident_id
    from shuangying.people.services import register_person

    found = [people.in_grid1a, people.in_grid1b, people.in_grid2a]
    for i in range(len(found), n):
        found.append(
            register_person(
                actor=None,
                name=f"测试{i}",
                id_number=make_resident_id("130682", date(1990, 1, 1), 100 + i),
                division=county.grid1a,
            ).person
        )
    return found[:n]


def test_capacity_overflows_to_other_lab_then_next_day(labs, people, county):
    a, b = labs
    who = persons(people, 5, county)
    got = [
        take_sample(person=p, barcode=f"S{i}", sampled_at=at(10), lab=a) for i, p in enumerate(who)
    ]
    placed = [(s.lab.name, s.booked_day.day, s.overflowed) for s in got]
    assert placed == [
        ("甲实验室", 10, False),
        ("甲实验室", 10, False),
        ("乙实验室", 10, True),
        ("甲实验室", 11, True),
        ("甲实验室", 11, True),
    ]
    for day in LabDay.objects.all():
        assert day.booked <= day.capacity


def test_barcode_unique_and_named(labs, people):
    take_sample(person=people.in_grid1a, barcode="S1", sampled_at=at(10))
    with pytest.raises(ValidationError) as exc:
        take_sample(person=people.in_grid1b, barcode="S1", sampled_at=at(10))
    assert "barcode" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        take_sample(person=people.in_grid1b, barcode="", sampled_at=at(10))
    assert "barcode" in exc.value.message_dict


def test_pool_larger_than_its_size_is_refused(labs, people, county):
    who = persons(people, 6, county)
    for i, p in enumerate(who[:5]):
        take_sample(person=p, barcode=f"M{i}", sampled_at=at(10), pool_barcode="P1", pool_size=5)
    with pytest.raises(ValidationError) as exc:
        take_sample(person=who[5], barcode="M5", sampled_at=at(10), pool_barcode="P1", pool_size=5)
    assert "pool_barcode" in exc.value.message_dict
    assert Pool.objects.get().members.count() == 5
    # A pool takes one slot of the lab, not five.
    assert sum(LabDay.objects.values_list("booked", flat=True)) == 1
    with pytest.raises(ValidationError) as exc:
        record_pooled_round(
            pools=[PoolSpec("P2", 5, [(p.pk, f"N{i}") for i, p in enumerate(who)])],
            sampled_at=at(10),
        )
    assert "pool_barcode" in exc.value.message_dict
    assert not Pool.objects.filter(barcode="P2").exists()


def test_positive_pool_puts_every_member_on_the_resample_list(labs, people, county):
    who = persons(people, 10, county)
    record_pooled_round(
        pools=[
            PoolSpec("P1", 10, [(p.pk, f"A{i}") for i, p in enumerate(who[:5])]),
            PoolSpec("P2", 10, [(p.pk, f"B{i}") for i, p in enumerate(who[5:])]),
        ],
        sampled_at=at(10),
    )
    out = record_results(
        items=[
            ResultItem("P1", "positive", at(11)),
            ResultItem("P2", "negative", at(11)),
        ]
    )
    assert [o.status for o in out] == ["recorded", "recorded"]
    assert set(Sample.objects.resample_list().values_list("barcode", flat=True)) == {
        f"A{i}" for i in range(5)
    }
    negative = {s.barcode for s in Sample.objects.select_related("pool") if s.outcome == "negative"}
    assert negative == {f"B{i}" for i in range(5)}
    # A pool's positive opens no case: its members are re-sampled one by one.
    assert not Case.objects.exists()
    # A new sample from a person on the list takes them off it.
    take_sample(person=who[0], barcode="R0", sampled_at=at(12))
    assert Sample.objects.resample_list().count() == 4


def test_result_idempotent_and_correction_needs_reason(labs, people, labber):
    take_sample(person=people.in_grid1a, barcode="S1", sampled_at=at(10))
    assert (
        record_results(items=[ResultItem("S1", "negative", at(11))], actor=labber)[0].status
        == "recorded"
    )
    again = record_results(items=[ResultItem("S1", "negative", at(11))], actor=labber)[0]
    assert again.status == "unchanged"
    refused = record_results(items=[ResultItem("S1", "invalid", at(11))], actor=labber)[0]
    assert refused.status == "error" and refused.field == "result"
    no_reason = record_results(
        items=[ResultItem("S1", "invalid", at(11), correction=True)], actor=labber
    )[0]
    assert no_reason.field == "reason"
    fixed = record_results(
        items=[ResultItem("S1", "invalid", at(11), correction=True, reason="录入错误")],
        actor=labber,
    )[0]
    assert fixed.status == "corrected"
    sample = Sample.objects.get(barcode="S1")
    assert sample.result == "invalid" and sample.needs_resample
    assert sample.corrections.get().reason == "录入错误"


def test_batch_answers_each_item_in_its_slot(labs, people):
    take_sample(person=people.in_grid1a, barcode="S1", sampled_at=at(10))
    take_sample(person=people.in_grid1b, barcode="S2", sampled_at=at(10))
    out = record_results(
        items=[
            ResultItem("S1", "negative", at(11)),
            ResultItem("NOPE", "negative", at(11)),
            ResultItem("S1", "maybe", at(11)),
            ResultItem("S2", "negative", at(9)),
            ResultItem("", "negative", at(11)),
        ]
    )
    assert [(o.status, o.field) for o in out] == [
        ("recorded", None),
        ("error", "barcode"),
        ("error", "result"),
        ("error", "resulted_at"),
        ("error", "barcode"),
    ]
    assert "NOPE" in out[1].message


def test_positive_opens_a_suspected_case_and_turns_the_code_red(labs, people, labber):
    now = timezone.now()
    take_sample(person=people.in_grid1a, barcode="S1", sampled_at=now - timedelta(hours=3))
    out = record_results(items=[ResultItem("S1", "positive", now)], actor=labber)[0]
    case = Case.objects.get()
    assert out.case_id == case.pk and case.case_class == "suspected"
    assert case.sample_barcode == "S1"
    assert HealthEvent.objects.filter(person=people.in_grid1a, kind="suspected").exists()
    assert HealthCodeState.objects.get(person=people.in_grid1a).colour == "red"


def test_signals_are_sent_inside_the_transaction(
    labs, people, labber, django_capture_on_commit_callbacks
):
    taken, resulted = [], []

    def on_taken(sender, **kw):
        from django.db import connection

        taken.extend(
            (s.barcode, s.person_id, s.sampled_at, connection.in_atomic_block)
            for s in kw["samples"]
        )

    def on_resulted(sender, **kw):
        resulted.extend(
            (r.sample.barcode, r.result, r.resulted_at, kw["actor"]) for r in kw["results"]
        )

    samples_taken.connect(on_taken)
    samples_resulted.connect(on_resulted)
    try:
        take_sample(person=people.in_grid1a, barcode="S1", sampled_at=at(10), actor=labber)
        record_results(items=[ResultItem("S1", "negative", at(11))], actor=labber)
        record_results(items=[ResultItem("S1", "negative", at(11))], actor=labber)  # idempotent
    finally:
        samples_taken.disconnect(on_taken)
        samples_resulted.disconnect(on_resulted)
    assert taken == [("S1", people.in_grid1a.pk, at(10), True)]
    assert resulted == [("S1", "negative", at(11), labber)]


def test_a_failing_receiver_rolls_the_sample_back(labs, people):
    def boom(sender, **kw):
        raise RuntimeError("receiver failed")

    samples_taken.connect(boom)
    try:
        with pytest.raises(RuntimeError):
            take_sample(person=people.in_grid1a, barcode="S1", sampled_at=at(10))
    finally:
        samples_taken.disconnect(boom)
    assert not Sample.objects.exists()
    assert sum(LabDay.objects.values_list("booked", flat=True)) == 0


def test_a_round_and_its_results_announce_without_reading_the_samples_back(labs, people, county):
    """The announcements are built from the rows the act holds: no sample is read back as a
    whole row (a pooled round has 100,000), and the receivers still get person, barcode and
    time of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    who = persons(people, 10, county)
    taken, resulted = [], []

    def on_taken(sender, **kw):
        taken.extend((s.person_id, s.barcode, s.sampled_at) for s in kw["samples"])

    def on_resulted(sender, **kw):
        resulted.extend((r.sample.person_id, r.sample.barcode, r.result) for r in kw["results"])

    samples_taken.connect(on_taken)
    samples_resulted.connect(on_resulted)
    try:
        with CaptureQueriesContext(connection) as queries:
            record_pooled_round(
                pools=[PoolSpec("P1", 10, [(p.pk, f"A{i}") for i, p in enumerate(who)])],
                sampled_at=at(10),
            )
            record_results(items=[ResultItem("P1", "negative", at(11))])
    finally:
        samples_taken.disconnect(on_taken)
        samples_resulted.disconnect(on_resulted)
    whole_rows = [q["sql"] for q in queries if '"labs_sample"."sample_type"' in q["sql"]]
    assert whole_rows == []
    assert taken == [(p.pk, f"A{i}", at(10)) for i, p in enumerate(who)]
    assert sorted(resulted) == sorted((p.pk, f"A{i}", "negative") for i, p in enumerate(who))

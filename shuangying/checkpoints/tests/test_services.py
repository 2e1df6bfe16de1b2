"""Checkpoint records (C3): temperature bounds and the fever line, plates, idempotency."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from shuangying.fevers.models import FeverReport
from shuangying.healthcodes.fever import clean_temperature, is_fever
from shuangying.healthcodes.models import HealthEvent
from shuangying.people.identity import make_resident_id

from ..models import CheckpointRecord
from ..services import checkpoints_for, record_checkpoint_batch
from ..validators import normalize_plate
from .factories import make_checkpoint, make_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["34.0", "36.5", "37.2", "43.0", 34, "42.95"])
def test_temperatures_inside_the_range_are_accepted(value):
    assert Decimal("34.0") <= clean_temperature(value) <= Decimal("43.0")


@pytest.mark.parametrize("value", ["33.9", "43.1", "-1", "100", "abc", "", None])
def test_temperatures_outside_the_range_are_refused_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        clean_temperature(value)
    assert "体温" in exc.value.message_dict["temperature"][0]


def test_fever_starts_at_37_3():
    assert not is_fever(clean_temperature("37.2"))
    assert is_fever(clean_temperature("37.3"))
    assert is_fever(clean_temperature("39"))


@pytest.mark.parametrize(
    "raw, plate",
    [
        ("冀F12345", "冀F12345"),
        ("京a·d1234 ", "京AD1234"),
        ("粤BD12345", "粤BD12345"),
        ("琼A0000X", "琼A0000X"),
    ],
)
def test_plates_are_normalised(raw, plate):
    assert normalize_plate(raw) == plate


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "须填写"),
        ("港A12345", "省份简称"),
        ("AB12345", "省份简称"),
        ("冀12345", "格式"),
        ("冀F1234", "格式"),
        ("冀F1234567", "格式"),
        ("冀F12#45", "格式"),
    ],
)
def test_bad_plates_are_refused(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        normalize_plate(raw)
    assert fragment in exc.value.message_dict["plate"][0]


def test_the_same_uuid_twice_is_one_row(county):
    checkpoint = make_checkpoint(county.village1)
    key = uuid.uuid4()
    first = make_record(checkpoint, client_uuid=key, temperature="38.0")
    second = make_record(checkpoint, client_uuid=str(key), temperature="36.0")
    assert first.pk == second.pk
    assert CheckpointRecord.objects.count() == 1
    assert second.temperature == Decimal("38.0") and second.is_fever


def test_a_known_document_joins_the_person_and_only_the_masked_number_is_kept(county, people):
    checkpoint = make_checkpoint(county.village1)
    number = people.in_grid1a.reveal_id_number()
    record = make_record(checkpoint, id_number=number, health_code_token="")
    assert record.person == people.in_grid1a
    assert number not in record.document_masked and record.document_masked.endswith(number[-4:])
    unknown = make_record(
        checkpoint, id_number=make_resident_id("130682", date(1990, 1, 1), 77), health_code_token=""
    )
    assert unknown.person is None and unknown.document_hash


def test_a_person_check_needs_a_code_or_a_document(county):
    with pytest.raises(ValidationError) as exc:
        make_record(make_checkpoint(county.village1), health_code_token="")
    assert "证件号码" in exc.value.message_dict["id_number"][0]


def test_a_vehicle_check_needs_a_valid_plate(county):
    checkpoint = make_checkpoint(county.village1)
    with pytest.raises(ValidationError):
        make_record(checkpoint, is_vehicle=True, plate="XX12345")
    record = make_record(
        checkpoint, is_vehicle=True, plate="冀f 12345", vehicle_type="truck", passenger_count=3
    )
    assert record.plate == "冀F12345" and record.passenger_count == 3


def test_the_database_refuses_a_temperature_out_of_range(county):
    checkpoint = make_checkpoint(county.village1)
    with pytest.raises(IntegrityError):
        CheckpointRecord.objects.create(
            client_uuid=uuid.uuid4(),
            checkpoint=checkpoint,
            checked_at="2020-02-01T08:00+08:00",
            direction="in",
            outcome="passed",
            temperature=Decimal("44.0"),
        )


def test_checkpoints_are_those_in_jurisdiction(county, personas):
    own = make_checkpoint(county.village1, "东村卡点", "village_gate")
    other = make_checkpoint(county.village2, "西村卡点", "village_gate")
    make_checkpoint(county.village1, "东村市场", "market")
    assert list(checkpoints_for(personas["checkpoint"])) == [own]
    assert set(checkpoints_for(personas["county"])) == {own, other}
    assert not checkpoints_for(personas["grid1a"]).exists()


def test_a_batch_answers_item_by_item(county, personas):
    checkpoint = make_checkpoint(county.village1)
    other = make_checkpoint(county.village2)
    base = {"temperature": "36.6", "direction": "in", "outcome": "passed", "health_code_token": "t"}
    key = str(uuid.uuid4())
    items = [
        {**base, "client_uuid": key, "checkpoint": checkpoint.pk},
        {**base, "client_uuid": key, "checkpoint": checkpoint.pk},
        {
            **base,
            "client_uuid": str(uuid.uuid4()),
            "checkpoint": checkpoint.pk,
            "temperature": "50",
        },
        {**base, "client_uuid": str(uuid.uuid4()), "checkpoint": other.pk},
    ]
    results = record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    assert [r.status for r in results] == ["created", "duplicate", "rejected", "rejected"]
    assert results[2].field == "temperature" and results[3].field == "checkpoint"
    assert CheckpointRecord.objects.count() == 1


def test_a_scanned_health_code_is_verified_as_of_the_check(county, people):
    from shuangying.healthcodes.services import issue_code
    from shuangying.healthcodes.tests.helpers import tampered

    issued = issue_code(person=people.in_grid1a, audit=False)
    checkpoint = make_checkpoint(county.village1)
    record = make_record(checkpoint, health_code_token=issued.token)
    assert record.health_code_colour == issued.result.colour
    forged = make_record(checkpoint, health_code_token=tampered(issued.token))
    assert forged.health_code_colour == ""


def test_a_batch_costs_a_few_queries_whatever_its_size(
    county, personas, people, django_assert_max_num_queries
):
    checkpoint = make_checkpoint(county.village1)
    number = people.in_grid1a.reveal_id_number()
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "checkpoint": checkpoint.pk,
            "temperature": "37.5" if i % 50 == 0 else "36.4",
            "direction": "out",
            "outcome": "passed",
            "id_number": number,
        }
        for i in range(300)
    ]
    # Six fevers of one person: one episode, one event and one re-evaluation; each audit row
    # reads its chain head (audit/chain.py). The fever loop's part is six queries whatever the
    # batch's size: the persons' divisions, the lock on their open episodes, the episodes
    # opened (in a savepoint) and one insert of the reports.
    with django_assert_max_num_queries(46):
        results = record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    assert {r.status for r in results} == {"created"}
    # One person, one open episode: the first fever opens it (one event), the others join it.
    assert HealthEvent.objects.filter(kind="fever_unresolved").count() == 1
    assert FeverReport.objects.filter(person=people.in_grid1a, episode__isnull=False).count() == 6
    assert CheckpointRecord.objects.filter(person=people.in_grid1a).count() == 300
    assert CheckpointRecord.objects.filter(is_fever=True).count() == 6
    assert all(r.id for r in results)


def test_daily_counters_follow_the_records(county, personas):
    from ..models import CheckpointDay
    from ..services import rebuild_daily_counters

    checkpoint = make_checkpoint(county.village1)
    key = uuid.uuid4()
    make_record(checkpoint, client_uuid=key, temperature="38.0", outcome="fever_clinic")
    make_record(checkpoint, client_uuid=key, temperature="38.0")  # the same submission again
    make_record(checkpoint, outcome="turned_back")
    make_record(checkpoint, is_vehicle=True, plate="冀F12345", passenger_count=3)
    base = {
        "checkpoint": checkpoint.pk,
        "direction": "in",
        "outcome": "passed",
        "health_code_token": "t",
    }
    items = [{**base, "client_uuid": str(uuid.uuid4()), "temperature": "36.5"} for _ in range(4)]
    record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    record_checkpoint_batch(actor=personas["checkpoint"], items=items)  # resent
    expected = {"persons": 9, "vehicles": 1, "fevers": 1, "turned_back": 1}
    assert CheckpointDay.objects.all().totals() == expected
    assert CheckpointRecord.objects.all().totals() == expected
    assert CheckpointDay.objects.count() == 1
    rebuild_daily_counters()
    assert CheckpointDay.objects.all().totals() == expected


def test_a_fever_at_a_checkpoint_turns_the_code_yellow_at_once(county, personas, people):
    from shuangying.healthcodes.engine import current_code
    from shuangying.healthcodes.models import HealthCodeState

    person = people.in_grid1a
    checkpoint = make_checkpoint(county.village1)
    assert current_code(person).colour == "green"
    make_record(checkpoint, id_number=person.reveal_id_number(), temperature="36.8")
    assert not HealthEvent.objects.filter(person=person).exists()
    record = make_record(
        checkpoint, id_number=person.reveal_id_number(), temperature="38.2", health_code_token=""
    )
    event = HealthEvent.objects.get(person=person)
    assert (event.kind, event.source) == ("fever_unresolved", "checkpoint")
    assert event.occurred_at == record.checked_at
    assert event.detail["checkpoint_record"] == record.pk and event.detail["temperature"] == "38.2"
    assert current_code(person).colour == "yellow"
    assert HealthCodeState.objects.get(person=person).colour == "yellow"


def test_a_fever_in_an_offline_batch_turns_the_code_yellow(county, personas, people):
    from shuangying.healthcodes.engine import current_code

    checkpoint = make_checkpoint(county.town1, name="东村卡点")
    base = {"checkpoint": checkpoint.pk, "direction": "in", "outcome": "fever_clinic"}
    items = [
        {
            **base,
            "client_uuid": str(uuid.uuid4()),
            "temperature": "38.2",
            "id_number": people.in_grid1a.reveal_id_number(),
        },
        {
            **base,
            "client_uuid": str(uuid.uuid4()),
            "temperature": "36.4",
            "id_number": people.in_grid1b.reveal_id_number(),
        },
    ]
    results = record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    assert [r.status for r in results] == ["created", "created"]
    assert current_code(people.in_grid1a).colour == "yellow"
    assert current_code(people.in_grid1b).colour == "green"
    event = HealthEvent.objects.get()
    assert event.recorded_by == personas["checkpoint"]
    # The same batch again writes no second event.
    record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    assert HealthEvent.objects.count() == 1

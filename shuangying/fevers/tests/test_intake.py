"""Automatic intake (E1): a checkpoint record with a fever and a check-in with a fever open or
join the person's episode in the record's own transaction; a check-in without a fever costs
nothing more."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangying.checkins.models import CheckIn, PendingDeclaration
from shuangying.checkpoints.models import CheckpointRecord
from shuangying.checkpoints.services import record_checkpoint_batch
from shuangying.checkpoints.tests.factories import make_checkpoint, make_record
from shuangying.healthcodes.models import HealthEvent
from shuangying.places.services import create_place
from shuangying.places.tokens import token_for
from shuangying.testing import login

from ..models import FeverEpisode, FeverReport
from ..services import episodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(county):
    place = create_place(type="pharmacy", name="东村大药房", division=county.grid1a)
    return token_for(place.codes.get(revoked_at__isnull=True))


def checkin(client, token, person, **extra):
    data = {
        "place_token": token,
        "client_uuid": str(uuid.uuid4()),
        "name": person.name,
        "id_number": person.reveal_id_number(),
        "phone": "13800001111",
        **extra,
    }
    return client.post("/api/checkins", data, content_type="application/json")


def test_a_checkpoint_fever_opens_an_episode_in_the_checkpoint_channel(county, people, personas):
    checkpoint = make_checkpoint(county.town1)
    record = make_record(
        checkpoint, id_number=people.in_grid1a.reveal_id_number(), temperature="38.6"
    )
    episode = FeverEpisode.objects.get()
    assert (episode.person, episode.channel, episode.status) == (
        people.in_grid1a,
        "checkpoint",
        "found",
    )
    assert episode.found_at == record.checked_at and str(episode.temperature) == "38.6"
    assert episode.division == county.grid1a  # the person's grid answers, not the checkpoint's
    report = episode.reports.get()
    assert report.source_ref == f"checkpoint_record:{record.pk}"
    make_record(checkpoint, id_number=people.in_grid1a.reveal_id_number(), temperature="38.9")
    assert FeverEpisode.objects.count() == 1 and FeverReport.objects.count() == 2
    assert HealthEvent.objects.filter(kind="fever_unresolved").count() == 1


def test_an_unregistered_document_with_a_fever_waits_unresolved(county):
    from datetime import date

    from shuangying.people.identity import make_resident_id

    checkpoint = make_checkpoint(county.town1)
    number = make_resident_id("420106", date(1990, 1, 1), 7)
    make_record(checkpoint, id_number=number, temperature="38.0")
    report = FeverReport.objects.get()
    assert report.person_id is None and report.division == county.town1
    assert report.id_number_masked.endswith(number[-4:]) and not FeverEpisode.objects.exists()


def test_a_normal_reading_opens_nothing(county, people):
    make_record(make_checkpoint(county.town1), id_number=people.in_grid1a.reveal_id_number())
    assert not FeverReport.objects.exists()


def test_a_failing_intake_rolls_the_checkpoint_record_back(county, people, personas, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("intake failed")

    monkeypatch.setattr(episodes, "mark_unresolved", broken)
    checkpoint = make_checkpoint(county.town1)
    with pytest.raises(RuntimeError):
        make_record(checkpoint, id_number=people.in_grid1a.reveal_id_number(), temperature="38.6")
    assert not CheckpointRecord.objects.exists()
    assert not FeverEpisode.objects.exists() and not FeverReport.objects.exists()
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "checkpoint": checkpoint.pk,
            "temperature": "38.2",
            "direction": "in",
            "outcome": "fever_clinic",
            "id_number": people.in_grid1a.reveal_id_number(),
        }
    ]
    with pytest.raises(RuntimeError):
        record_checkpoint_batch(actor=personas["checkpoint"], items=items)
    assert not CheckpointRecord.objects.exists() and not FeverEpisode.objects.exists()


def test_a_bound_check_in_with_a_fever_opens_an_episode(client, county, people, token):
    assert checkin(client, token, people.in_grid1a).status_code == 201  # binds
    response = checkin(client, token, people.in_grid1a, temperature="38.3")
    assert response.status_code == 201
    episode = FeverEpisode.objects.get()
    assert (episode.channel, episode.person) == ("pharmacy", people.in_grid1a)
    row = CheckIn.objects.get(pk=response.json()["id"])
    assert episode.reports.get().source_ref == f"checkin:{row.pk}"
    event = HealthEvent.objects.get(kind="fever_unresolved")
    assert event.source == "checkin" and event.detail["checkin"] == row.pk
    # A declared fever without a reading counts too, and joins the open episode.
    assert checkin(client, token, people.in_grid1a, fever=True).status_code == 201
    assert FeverEpisode.objects.count() == 1 and FeverReport.objects.count() == 2


def test_a_failing_intake_rolls_the_check_in_back(client, county, people, token, monkeypatch):
    assert checkin(client, token, people.in_grid1a).status_code == 201
    rows = CheckIn.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("intake failed")

    monkeypatch.setattr(episodes, "mark_unresolved", broken)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        checkin(client, token, people.in_grid1a, temperature="38.3")
    assert CheckIn.objects.count() == rows and not FeverReport.objects.exists()


def test_a_check_in_without_a_fever_costs_no_extra_query(
    client, county, people, token, settings, django_assert_num_queries
):
    """The public check-in is the hot path: a normal reading goes the same way as none."""
    settings.CHECKIN_RATE_PER_ADDRESS = 0
    settings.CHECKIN_RATE_PER_DEVICE = 0
    assert checkin(client, token, people.in_grid1a).status_code == 201  # binds, caches the code
    for extra in ({}, {"symptoms": ["cough"]}):
        checkin(client, token, people.in_grid1a, **extra)  # the same warm caches for both
        with CaptureQueriesContext(connection) as nothing_read:
            assert checkin(client, token, people.in_grid1a, **extra).status_code == 201
        with django_assert_num_queries(len(nothing_read)):
            response = checkin(client, token, people.in_grid1a, temperature="37.2", **extra)
            assert response.status_code == 201
    assert not FeverReport.objects.exists()


def test_an_unbound_fever_opens_the_episode_when_the_grid_worker_confirms(
    client, county, people, personas, token
):
    response = checkin(client, token, people.in_grid1a, phone="13900000001", fever=True)
    assert response.status_code == 201
    assert not FeverEpisode.objects.exists()
    pending = PendingDeclaration.objects.get()
    login(client, personas["grid1a"])
    decide = reverse("checkins:decide_declaration", args=[pending.pk])
    assert client.post(decide, {"decision": "confirm"}).status_code == 302
    episode = FeverEpisode.objects.get()
    assert episode.person == people.in_grid1a and episode.found_by == personas["grid1a"]
    assert HealthEvent.objects.filter(kind="fever_unresolved").count() == 1

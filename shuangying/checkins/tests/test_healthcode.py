"""The result page and the API show the health code the rules give (D1) to a bound identity,
and a bound person's declaration at a check-in reaches the rules as an event at once."""

import uuid

import pytest
from django.urls import reverse

from shuangying.checkins.services import safe_code
from shuangying.checkins.tests.test_public import registry_form
from shuangying.healthcodes.models import HealthEvent

pytestmark = pytest.mark.django_db


def test_result_page_shows_green_without_declarations(client, token, people):
    response = client.post(
        reverse("checkins:public_checkin", args=[token]),
        registry_form(people.in_grid1a, "13800001111"),
    )
    body = client.get(response.url).content.decode()
    assert 'data-colour="green"' in body


def test_declared_symptoms_turn_the_code_yellow_with_the_reason(client, token, people):
    response = client.post(
        reverse("checkins:public_checkin", args=[token]),
        registry_form(people.in_grid1a, "13800001111", symptoms=["cough"]),
    )
    body = client.get(response.url).content.decode()
    assert 'data-colour="yellow"' in body and "申报有症状" in body
    assert HealthEvent.objects.filter(kind="symptoms_declared", source="checkin").count() == 1


def test_api_answers_the_colour_and_reason_of_a_fever(client, token, people):
    answer = client.post(
        "/api/checkins",
        {
            "place_token": token,
            "client_uuid": str(uuid.uuid4()),
            "name": people.in_grid1a.name,
            "id_number": people.in_grid1a.reveal_id_number(),
            "phone": "13800001111",
            "temperature": 38.2,
        },
        content_type="application/json",
    ).json()
    assert answer["health_code"]["colour"] == "yellow"
    assert answer["health_code"]["reason"] == "发热未排除"


def test_a_failing_rule_engine_answers_unknown(monkeypatch, people):
    from shuangying.healthcodes import engine

    def broken(*args, **kwargs):
        raise RuntimeError("rules unavailable")

    monkeypatch.setattr(engine, "current_code", broken)
    assert safe_code(people.in_grid1a).label == "未知"

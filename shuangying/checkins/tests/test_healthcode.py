"""The result page and the API show the health code the rules give (D1), and a declaration
at a check-in reaches the rules as an event."""

import uuid

import pytest
from django.urls import reverse

from shuangying.checkins import healthcode
from shuangying.checkins.tests.test_public import first_form

pytestmark = pytest.mark.django_db

requires_healthcodes = pytest.mark.skipif(
    healthcode._services() is None, reason="shuangying.healthcodes not installed"
)


@requires_healthcodes
def test_result_page_shows_green_without_declarations(client, token):
    response = client.post(reverse("checkins:public_checkin", args=[token]), first_form())
    body = client.get(response.url).content.decode()
    assert 'data-colour="green"' in body


@requires_healthcodes
def test_declared_symptoms_turn_the_code_yellow_with_the_reason(client, token):
    from shuangying.healthcodes.models import HealthEvent

    response = client.post(
        reverse("checkins:public_checkin", args=[token]), first_form(symptoms=["cough"])
    )
    body = client.get(response.url).content.decode()
    assert 'data-colour="yellow"' in body and "申报有症状" in body
    assert HealthEvent.objects.filter(kind="symptoms_declared", source="checkin").count() == 1


@requires_healthcodes
def test_api_answers_the_colour_and_reason_of_a_fever(client, token):
    answer = client.post(
        "/api/checkins",
        {
            "place_token": token,
            "client_uuid": str(uuid.uuid4()),
            "name": "发热者",
            "id_number": first_form()["id_number"],
            "phone": "13900009999",
            "temperature": 38.2,
        },
        content_type="application/json",
    ).json()
    assert answer["health_code"]["colour"] == "yellow"
    assert answer["health_code"]["reason"] == "发热未排除"


def test_unknown_code_without_the_health_code_app(monkeypatch, people):
    monkeypatch.setattr(healthcode, "_services", lambda: None)
    assert healthcode.current_code(people.in_grid1a).label == "未知"

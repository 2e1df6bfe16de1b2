"""The check-in API (C2, C5)."""

import re
import uuid
from datetime import date

import pytest

from shuangying.checkins.models import CheckIn
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Person
from shuangying.testing import login

pytestmark = pytest.mark.django_db

NEW_ID = make_resident_id("130682", date(1992, 2, 3), 61)


def body(token, **extra):
    data = {
        "place_token": token,
        "client_uuid": str(uuid.uuid4()),
        "name": "钱来",
        "id_number": NEW_ID,
        "phone": "13911112222",
        "temperature": 36.4,
    }
    data.update(extra)
    return data


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_public_checkin_is_idempotent_and_answers_the_code(client, token, place, people):
    known = people.in_grid1a
    data = body(token, name=known.name, id_number=known.reveal_id_number(), phone="13800001111")
    first = post(client, "/api/checkins", data)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["created"] and answer["place"] == "东村农贸市场" and answer["bound"]
    assert answer["person"]["name"] == "张**"
    assert {"colour", "label", "reason"} <= set(answer["health_code"])
    assert known.reveal_id_number() not in first.content.decode()
    again = post(client, "/api/checkins", data)
    assert again.status_code == 200 and again.json()["id"] == answer["id"]
    assert CheckIn.objects.count() == 1
    # The returned reference replaces the identity next time.
    tap = post(
        client,
        "/api/checkins",
        {
            "place_token": token,
            "client_uuid": str(uuid.uuid4()),
            "person_ref": answer["person"]["ref"],
        },
    )
    assert tap.status_code == 201 and tap.json()["health_code"]
    assert CheckIn.objects.filter(person=known).count() == 2


def test_an_unknown_number_is_recorded_without_ref_or_code(client, token, place):
    first = post(client, "/api/checkins", body(token))
    assert first.status_code == 201, first.content
    answer = first.json()
    assert not answer["bound"] and answer["person"]["ref"] is None
    assert answer["health_code"] is None
    assert Person.objects.get(name="钱来").is_verified is False


def test_public_checkin_errors(client, token, place):
    forged = post(client, "/api/checkins", body(token[:-2] + "zz"))
    assert forged.status_code == 404 and forged.json()["code"] == "place_token_forged"
    bad_id = post(client, "/api/checkins", body(token, id_number="1234"))
    assert bad_id.status_code == 422 and bad_id.json()["field"] == "id_number"
    hot = post(client, "/api/checkins", body(token, temperature=45))
    assert hot.status_code == 422
    assert not CheckIn.objects.exists()


def test_public_checkin_is_rate_limited(client, token, settings):
    settings.CHECKIN_RATE_PER_ADDRESS = 2
    codes = [post(client, "/api/checkins", body(token)).status_code for _ in range(3)]
    assert codes[-1] == 429


def test_batch_needs_staff(client, personas, token):
    payload = {"items": [{"client_uuid": str(uuid.uuid4()), "place_token": token}]}
    assert post(client, "/api/checkins/batch", payload).status_code == 401
    login(client, personas["grid1a"])
    assert post(client, "/api/checkins/batch", payload).status_code == 403


def test_batch_answers_each_item(client, personas, token):
    login(client, personas["checkpoint"])
    good = {
        "client_uuid": str(uuid.uuid4()),
        "place_token": token,
        "name": "孙离线",
        "id_number": NEW_ID,
    }
    bad = {**good, "client_uuid": str(uuid.uuid4()), "id_number": "12"}
    response = post(client, "/api/checkins/batch", {"items": [good, bad]})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["created"] == 1 and answer["errors"] == 1
    assert answer["items"][0]["id"] and answer["items"][1]["error"]["field"] == "id_number"
    again = post(client, "/api/checkins/batch", {"items": [good]}).json()
    assert again["duplicates"] == 1 and again["items"][0]["id"] == answer["items"][0]["id"]


def test_batch_checks_the_body_then_each_item(client, personas, token):
    login(client, personas["checkpoint"])
    raw = client.post("/api/checkins/batch", "{not json", content_type="application/json")
    assert raw.status_code == 422 and raw.json()["code"] == "invalid_input"
    for payload in ({}, {"items": []}, {"items": {}}, {"items": [{}] * 10_001}):
        response = post(client, "/api/checkins/batch", payload)
        assert response.status_code == 422 and response.json()["field"] == "items"
    good = {"client_uuid": str(uuid.uuid4()).upper(), "place_token": token, "name": "周离线"}
    items = [
        {**good, "id_number": NEW_ID, "fever": "true", "checked_in_at": "2020-01-01T08:00:00"},
        {**good, "client_uuid": str(uuid.uuid4()), "id_number": NEW_ID, "fever": "true"},
        {**good, "client_uuid": str(uuid.uuid4()), "id_number": NEW_ID, "symptoms": "cough"},
        {**good, "client_uuid": 12, "id_number": NEW_ID},
        {**good, "client_uuid": str(uuid.uuid4()), "id_number": NEW_ID, "name": "长" * 51},
    ]
    answer = post(client, "/api/checkins/batch", {"items": items}).json()
    fields = [i["error"] and i["error"]["field"] for i in answer["items"]]
    assert fields == ["checked_in_at", None, "symptoms", "client_uuid", "name"]
    assert answer["items"][1]["created"] and answer["created"] == 1
    assert answer["items"][0]["client_uuid"] == good["client_uuid"].lower()


def test_batch_body_is_described_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").json()
    body = document["paths"]["/api/checkins/batch"]["post"]["requestBody"]
    items = body["content"]["application/json"]["schema"]["properties"]["items"]
    assert items["maxItems"] == 10_000
    assert {"client_uuid", "place_token", "id_number"} <= set(items["items"]["properties"])


def test_batch_answers_a_nul_item_in_its_own_slot(client, personas, token):
    """A device retrying a batch with one NUL in it must not be stuck: the item is refused
    alone (PostgreSQL would refuse the whole insert), the others are stored."""
    login(client, personas["checkpoint"])
    good = {"client_uuid": str(uuid.uuid4()), "place_token": token, "name": "孙离线"}
    bad = {**good, "client_uuid": str(uuid.uuid4()), "name": "孙\u0000离线"}
    answer = post(client, "/api/checkins/batch", {"items": [{**good, "id_number": NEW_ID}, bad]})
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert items[0]["id"] and items[1]["error"]["field"] == "name"
    assert "控制字符" in items[1]["error"]["message"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"temperature": "45.5"}, "temperature"),
        ({"temperature": "热"}, "temperature"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"travel_from": "远" * 500}, "travel_from"),
        ({"phone": "1" * 300}, "phone"),
        ({"travel_from": "东\u0000村"}, "travel_from"),
        ({"symptoms": ["cough\u0000"]}, "symptoms"),
    ],
)
def test_batch_answers_each_kind_of_bad_item_alone(client, personas, token, bad, field):
    login(client, personas["checkpoint"])
    good = {"client_uuid": str(uuid.uuid4()), "place_token": token, "name": "孙离线"}
    item = {**good, "client_uuid": str(uuid.uuid4()), "id_number": NEW_ID, **bad}
    answer = post(client, "/api/checkins/batch", {"items": [{**good, "id_number": NEW_ID}, item]})
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert items[0]["id"] and items[0]["error"] is None
    assert items[1]["error"]["field"] == field and not items[1]["id"]
    assert re.search(r"[\u4e00-\u9fff]", items[1]["error"]["message"])


def test_batch_item_that_is_not_an_object_is_its_own_slot(client, personas, token):
    login(client, personas["checkpoint"])
    good = {"client_uuid": str(uuid.uuid4()), "place_token": token, "name": "孙离线"}
    answer = post(
        client, "/api/checkins/batch", {"items": ["x", [1], {**good, "id_number": NEW_ID}]}
    )
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert items[0]["error"] and items[1]["error"] and items[2]["id"]

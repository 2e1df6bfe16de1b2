"""Checkpoint records over the API: idempotent create and batch, jurisdiction, counters,
fever alerts since an id, the error shape."""

import uuid

import pytest

from shuangying.testing import login

from ..models import CheckpointRecord
from .factories import make_checkpoint, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def gates(county):
    return make_checkpoint(county.village1, "东村卡点"), make_checkpoint(
        county.village2, "西村卡点"
    )


def body(checkpoint, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "checkpoint": checkpoint.pk,
        "temperature": "36.7",
        "direction": "in",
        "outcome": "passed",
        "health_code_token": "code",
        **extra,
    }


def test_create_twice_is_one_row(client, personas, gates):
    login(client, personas["checkpoint"])
    payload = body(gates[0], temperature="37.6")
    first = client.post("/api/checkpoints/records", payload, content_type="application/json")
    again = client.post("/api/checkpoints/records", payload, content_type="application/json")
    assert first.status_code == 201 and first.json()["created"] is True
    assert first.json()["is_fever"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    assert CheckpointRecord.objects.count() == 1


def test_errors_are_chinese_and_name_the_field(client, personas, gates):
    login(client, personas["checkpoint"])
    hot = client.post(
        "/api/checkpoints/records",
        body(gates[0], temperature="45"),
        content_type="application/json",
    )
    assert hot.status_code == 422 and hot.json()["field"] == "temperature"
    assert "34.0–43.0" in hot.json()["message"]
    plate = client.post(
        "/api/checkpoints/records",
        body(gates[0], is_vehicle=True, plate="ZZ12345"),
        content_type="application/json",
    )
    assert plate.status_code == 422 and plate.json()["field"] == "plate"
    outside = client.post(
        "/api/checkpoints/records", body(gates[1]), content_type="application/json"
    )
    assert outside.status_code == 422 and outside.json()["code"] == "invalid_checkpoint"
    assert not CheckpointRecord.objects.exists()


def test_batch_resent_writes_nothing_twice(client, personas, gates):
    login(client, personas["checkpoint"])
    items = [body(gates[0]) for _ in range(5)]
    first = client.post(
        "/api/checkpoints/records/batch", {"items": items}, content_type="application/json"
    ).json()
    again = client.post(
        "/api/checkpoints/records/batch", {"items": items}, content_type="application/json"
    ).json()
    assert (first["created"], first["duplicate"]) == (5, 0)
    assert (again["created"], again["duplicate"]) == (0, 5)
    assert CheckpointRecord.objects.count() == 5


def test_fevers_since_an_id_within_jurisdiction(client, personas, gates):
    own = make_record(gates[0], temperature="38.2")
    make_record(gates[1], temperature="38.9")
    make_record(gates[0], temperature="36.2")
    login(client, personas["town1"])
    answer = client.get("/api/checkpoints/fevers").json()
    assert [i["id"] for i in answer["items"]] == [own.pk] and answer["last_id"] == own.pk
    later = make_record(gates[0], temperature="39.0")
    answer = client.get(f"/api/checkpoints/fevers?since={own.pk}").json()
    assert [i["id"] for i in answer["items"]] == [later.pk]
    assert client.get(f"/api/checkpoints/fevers?since={later.pk}").json()["items"] == []


def test_counters_and_list(client, personas, gates):
    make_record(gates[0], temperature="37.4", outcome="fever_clinic")
    make_record(
        gates[0], is_vehicle=True, plate="京A12345", passenger_count=2, outcome="turned_back"
    )
    make_record(gates[1])
    login(client, personas["town1"])
    counters = client.get("/api/checkpoints/counters").json()
    assert counters["totals"] == {"persons": 3, "vehicles": 1, "fevers": 1, "turned_back": 1}
    assert [row["checkpoint_name"] for row in counters["rows"]] == ["东村卡点"]
    listing = client.get("/api/checkpoints/records?fever=true").json()
    assert listing["count"] == 1 and listing["items"][0]["temperature"] == "37.4"


BAD_ITEMS = [
    # (the bad part of an item, the field its slot names, a Chinese word of the message)
    ({"temperature": "99"}, "temperature", "体温"),
    ({"temperature": "abc"}, "temperature", "体温"),
    ({"temperature": "NaN"}, "temperature", "体温"),
    ({"client_uuid": "not-a-uuid"}, "client_uuid", "客户端编号"),
    ({"is_vehicle": True, "plate": "京A" + "1" * 40}, "plate", "车牌号"),
    ({"origin": "东\u0000村"}, "origin", "来自"),
    ({"direction": "sideways"}, "direction", "方向"),
    ({"checkpoint": 2**70}, "checkpoint", "卡口"),
    ({"passenger_count": "many"}, "passenger_count", "车上人数"),
]


@pytest.mark.parametrize(("bad", "field", "label"), BAD_ITEMS)
def test_batch_answers_a_bad_item_in_its_own_slot(client, personas, gates, bad, field, label):
    """One bad item must not reject the whole upload (a device retrying it would be stuck
    forever): it is answered in its own slot, naming the field in Chinese, and the good
    items on either side are stored."""
    login(client, personas["checkpoint"])
    good = [body(gates[0]), body(gates[0])]
    bad_item = {**body(gates[0]), **bad}
    response = client.post(
        "/api/checkpoints/records/batch",
        {"items": [good[0], bad_item, good[1]]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["rejected"]) == (2, 1)
    slots = data["items"]
    assert [s["status"] for s in slots] == ["created", "rejected", "created"]
    assert slots[1]["field"] == field
    assert slots[1]["message"].startswith(label + "：")
    assert slots[1]["client_uuid"] == str(bad_item["client_uuid"])
    stored = set(CheckpointRecord.objects.values_list("client_uuid", flat=True))
    assert stored == {uuid.UUID(g["client_uuid"]) for g in good}


def test_batch_item_that_is_not_an_object_is_its_own_slot(client, personas, gates):
    login(client, personas["checkpoint"])
    good = body(gates[0])
    response = client.post(
        "/api/checkpoints/records/batch",
        {"items": ["垃圾", good]},
        content_type="application/json",
    )
    assert response.status_code == 200
    slots = response.json()["items"]
    assert [s["status"] for s in slots] == ["rejected", "created"]
    assert slots[0]["client_uuid"] == "" and "应为JSON对象" in slots[0]["message"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"items": "x"}, {"items": []}, [1, 2]],
)
def test_batch_envelope_is_still_checked_as_a_whole(client, personas, payload):
    login(client, personas["checkpoint"])
    response = client.post(
        "/api/checkpoints/records/batch", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "items" and "记录" in response.json()["message"]


def test_batch_that_is_not_json_is_a_422(client, personas):
    login(client, personas["checkpoint"])
    response = client.post(
        "/api/checkpoints/records/batch", b"{nope", content_type="application/json"
    )
    assert response.status_code == 422 and "JSON" in response.json()["message"]


def test_batch_body_is_described_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").json()
    body = document["paths"]["/api/checkpoints/records/batch"]["post"]["requestBody"]
    items = body["content"]["application/json"]["schema"]["properties"]["items"]
    assert items["maxItems"] == 10_000
    ref = items["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"client_uuid", "temperature", "plate"} <= set(
        document["components"]["schemas"][ref]["properties"]
    )

"""The labs API (E3): a sample booked, a batch of results answered item by item, the queue,
and bad input as a 4xx naming the field, never a 500."""

import pytest

from shuangying.cases.models import Case
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_sample_then_results_then_queue(client, labs, people, labber):
    login(client, labber)
    r = post(
        client,
        "/api/samples",
        {
            "person_id": people.in_grid1a.pk,
            "barcode": "A1",
            "sampled_at": "2020-02-10T09:00:00+08:00",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["lab"] == "甲实验室" and body["booked_day"] == "2020-02-10" and not body["overflowed"]
    )
    r = post(
        client,
        "/api/samples/results",
        {
            "items": [
                {"barcode": "A1", "result": "阳性", "resulted_at": "2020-02-10T20:00:00+08:00"},
                {"barcode": "ZZ", "result": "negative", "resulted_at": "2020-02-10T20:00:00+08:00"},
                {"barcode": "A1", "result": "negative", "resulted_at": "yesterday"},
            ]
        },
    )
    assert r.status_code == 200, r.content
    items = r.json()["items"]
    assert items[0]["status"] == "recorded" and items[0]["case_id"] == Case.objects.get().pk
    assert (items[1]["status"], items[1]["field"]) == ("error", "barcode")
    assert (items[2]["status"], items[2]["field"]) == ("error", "resulted_at")
    assert "出结果时间" in items[2]["message"]
    r = client.get(f"/api/labs/{labs[0].pk}/queue?date=2020-02-10")
    assert r.status_code == 200
    assert r.json()["booked"] == 1 and r.json()["samples"][0]["result"] == "positive"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"barcode": "A1"}, "person_id"),
        ({"person_id": 0, "barcode": "A1"}, "person_id"),
        ({"person_id": "PERSON", "barcode": ""}, "barcode"),
        ({"person_id": "PERSON", "barcode": "A1", "sample_type": "blood"}, "sample_type"),
        (
            {"person_id": "PERSON", "barcode": "A1", "pool_barcode": "P", "pool_size": 7},
            "pool_size",
        ),
        (
            {"person_id": "PERSON", "barcode": "A1", "sampled_at": "2999-01-01T00:00:00"},
            "sampled_at",
        ),
    ],
)
def test_bad_sample_named(client, labs, people, labber, body, field):
    login(client, labber)
    if body.get("person_id") == "PERSON":
        body["person_id"] = people.in_grid1a.pk
    r = post(client, "/api/samples", body)
    assert r.status_code == 422, r.content
    got = r.json()
    assert got["field"] == field or field in {e["field"] for e in got.get("errors") or []}


def test_results_batch_limits(client, labs, labber):
    login(client, labber)
    assert post(client, "/api/samples/results", {"items": []}).status_code == 422
    r = post(client, "/api/samples/results", {"items": [{"barcode": "x" * 101}]})
    assert r.status_code == 422


def test_queue_bad_date_and_unknown_lab(client, labs, labber):
    login(client, labber)
    assert client.get(f"/api/labs/{labs[0].pk}/queue?date=2020-13-01").status_code == 422
    assert client.get("/api/labs/999999/queue").status_code == 404
    assert client.get(f"/api/labs/{2**64}/queue").status_code == 422

"""The quarantine API (F1, F4): order (a second order extends the first, 200), list within
jurisdiction, extend, release (409 naming the unmet condition), the counts."""

from datetime import timedelta

import pytest

from shuangying.quarantine import services
from shuangying.testing import login

from .helpers import days_ago, result_on

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_order_then_a_second_order_extends_it(client, personas, people):
    login(client, personas["town1"])
    body = {"person_id": people.in_grid1a.pk, "kind": "home", "reason": "close_contact"}
    r = client.post("/api/quarantine/orders", body, content_type=JSON)
    assert r.status_code == 201, r.content
    order = r.json()["order"]
    assert order["days"] == 14 and order["state"] == "active" and "*" in order["id_number_masked"]
    later = {**body, "start": str(days_ago(-3))}
    r = client.post("/api/quarantine/orders", later, content_type=JSON)
    assert r.status_code == 200 and r.json()["created"] is False
    assert "延长" in r.json()["message"] and r.json()["order"]["id"] == order["id"]
    assert r.json()["order"]["changes"][0]["days"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "tent"}, "kind"),
        ({"reason": "other"}, "reason_text"),
        ({"days": 0}, "days"),
        ({"person_id": 0}, "person_id"),
    ],
)
def test_bad_orders_name_the_field(client, personas, people, change, field):
    login(client, personas["town1"])
    body = {"person_id": people.in_grid1a.pk, "kind": "home", "reason": "close_contact", **change}
    r = client.post("/api/quarantine/orders", body, content_type=JSON)
    assert r.status_code == 422 and r.json()["field"] == field, r.content


def test_a_person_outside_the_jurisdiction_is_refused(client, personas, people):
    login(client, personas["town1"])
    body = {"person_id": people.in_grid2a.pk, "kind": "home", "reason": "close_contact"}
    r = client.post("/api/quarantine/orders", body, content_type=JSON)
    assert r.status_code == 422 and r.json()["field"] == "person_id"


def test_list_extend_release_and_stats(client, personas, people):
    mine = services.open_order(
        person=people.in_grid1a, kind="home", reason="close_contact", start_date=days_ago(13)
    ).order
    services.open_order(person=people.in_grid2a, kind="home", reason="risk_arrival")
    login(client, personas["town1"])
    r = client.get("/api/quarantine/orders?state=active")
    assert [o["id"] for o in r.json()["items"]] == [mine.pk]
    assert client.get("/api/quarantine/orders?state=bogus").status_code == 422
    url = f"/api/quarantine/orders/{mine.pk}"
    r = client.post(f"{url}/release", {}, content_type=JSON)
    assert r.status_code == 409 and r.json()["field"] == "tests"
    assert "第7天" in r.json()["message"] and "第13天" in r.json()["message"]
    r = client.post(f"{url}/extend", {"days": 2, "reason": "补充观察"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["days"] == 16
    r = client.post(f"{url}/release", {}, content_type=JSON)
    assert r.status_code == 409 and r.json()["field"] == "end_date"
    r = client.post(f"{url}/extend", {"days": -2, "reason": "专家评估"}, content_type=JSON)
    for n in (7, 13):
        result_on(people.in_grid1a, mine.start_date + timedelta(days=n - 1))
    r = client.post(f"{url}/release", {"note": "期满"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["state"] == "released"
    r = client.post(f"{url}/release", {}, content_type=JSON)
    assert r.status_code == 409 and r.json()["code"] == "already_released"
    r = client.get("/api/quarantine/stats")
    assert (r.json()["cumulative"], r.json()["released"], r.json()["current"]) == (1, 1, 0)
    login(client, personas["county"])
    r = client.get("/api/quarantine/stats")
    assert (r.json()["cumulative"], r.json()["current"]) == (2, 1)
    assert client.get(f"{url}/release").status_code == 405
    assert client.post(f"{url}/release", {}, content_type=JSON).status_code == 403

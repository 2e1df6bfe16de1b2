"""The cases API (E4): the list within jurisdiction, reclassification with a reason, 409 for
a move that is not allowed."""

import pytest

from shuangying.cases.services import open_case
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(people):
    return open_case(person=people.in_grid1a)[0], open_case(person=people.in_grid2a)[0]


def test_township_sees_its_own_cases_only(client, personas, cases):
    login(client, personas["town1"])
    r = client.get("/api/cases")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["items"]] == [cases[0].pk]
    assert "*" in r.json()["items"][0]["id_number_masked"]
    assert client.get("/api/cases?class=bogus").status_code == 422


def test_classify(client, county, cases):
    login(client, make_user("cdc", "health_officer", [county.county]))
    url = f"/api/cases/{cases[0].pk}/classify"
    r = client.post(url, {"to_class": "confirmed", "reason": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(url, {"to_class": "cured", "reason": "好转"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    r = client.post(
        url, {"to_class": "confirmed", "reason": "复核阳性"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["case_class"] == "confirmed"
    r = client.post(url, {"to_class": "nonsense", "reason": "x"}, content_type="application/json")
    assert r.status_code == 422


def test_township_health_officer_outside_gets_404(client, county, cases):
    login(client, make_user("cdc1", "health_officer", [county.town1]))
    url = f"/api/cases/{cases[1].pk}/classify"
    r = client.post(url, {"to_class": "confirmed", "reason": "x"}, content_type="application/json")
    assert r.status_code == 404

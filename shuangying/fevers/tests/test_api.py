"""The fever API's answers to bad input: 422 naming the field, 409 with the reason for a step
the loop does not allow, 404 outside the jurisdiction; never a 500."""

from __future__ import annotations

import pytest

from shuangying.testing import login

from ..models import FeverEpisode

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"temperature": "43.5"}, "temperature"),
        ({"temperature": "33.9"}, "temperature"),
        ({"channel": "pharmacy"}, "drug"),
        ({"id_number": "110"}, "id_number"),
        ({"person_id": 999999}, "person_id"),
    ],
)
def test_bad_reports_are_422_naming_the_field(client, people, personas, body, field):
    login(client, personas["grid1a"])
    base = {"channel": "village", "person_id": people.in_grid1a.pk}
    response = post(client, "/api/fevers", {**base, **body})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not FeverEpisode.objects.exists()


def test_report_merge_list_and_steps(client, people, personas):
    login(client, personas["grid1a"])
    body = {"channel": "village", "person_id": people.in_grid1a.pk, "temperature": "38.2"}
    first = post(client, "/api/fevers", body)
    assert first.status_code == 201 and first.json()["created"]
    episode_id = first.json()["episode"]["id"]
    again = post(client, "/api/fevers", {**body, "channel": "compound"})
    assert again.status_code == 200 and again.json()["episode"]["id"] == episode_id
    assert client.get("/api/fevers?overdue=true").json()["count"] == 0
    listed = client.get("/api/fevers?status=found&channel=village").json()
    assert [e["id"] for e in listed["items"]] == [episode_id]
    detail = client.get(f"/api/fevers/{episode_id}").json()
    assert [r["channel"] for r in detail["reports"]] == ["village", "compound"]
    skipped = post(client, f"/api/fevers/{episode_id}/steps", {"step": "isolated"})
    assert skipped.status_code == 409 and skipped.json()["code"] == "step_not_allowed"
    assert "下一步应为“已登记”" in skipped.json()["message"]
    done = post(client, f"/api/fevers/{episode_id}/steps", {"step": "registered"})
    assert done.status_code == 200 and done.json()["status"] == "registered"
    twice = post(client, f"/api/fevers/{episode_id}/steps", {"step": "registered"})
    assert twice.status_code == 409 and "只登记一次" in twice.json()["message"]
    missing = post(client, f"/api/fevers/{episode_id}/steps", {"step": "isolated"})
    assert missing.status_code == 422 and missing.json()["field"] == "isolation_place"
    forbidden = post(client, f"/api/fevers/{episode_id}/steps", {"step": "bogus"})
    assert forbidden.status_code == 422


def test_another_grid_does_not_see_the_episode(client, people, personas):
    login(client, personas["grid1a"])
    body = {"channel": "village", "person_id": people.in_grid1a.pk}
    episode_id = post(client, "/api/fevers", body).json()["episode"]["id"]
    login(client, personas["grid2a"])
    assert client.get(f"/api/fevers/{episode_id}").status_code == 404
    assert client.get("/api/fevers").json()["count"] == 0
    step = post(client, f"/api/fevers/{episode_id}/steps", {"step": "registered"})
    assert step.status_code == 404

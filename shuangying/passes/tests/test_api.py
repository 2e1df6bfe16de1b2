"""Passes and places over the API: the gate check's answer, plates, jurisdiction."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from shuangying.passes.models import PassCheck
from shuangying.passes.services import issue_pass, save_rule
from shuangying.passes.tokens import token_for
from shuangying.people.services import create_household
from shuangying.places.services import create_place
from shuangying.places.tokens import PlaceTokenError, resolve_token
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_check_refused_outside_hours_names_the_reason(client, personas, county):
    now = timezone.localtime()
    # A one-minute window that never contains the current time.
    start = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=2, minutes=1)).time().replace(second=0, microsecond=0)
    if start >= end:
        start, end = time(12, 0), time(12, 1)
    save_rule(actor=None, division=county.village1, opens_at=start, closes_at=end)
    gate = create_place(type="village_gate", name="东村村口", division=county.village1)
    household = create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")
    p = issue_pass(
        actor=None,
        type="household",
        division=county.grid1a,
        household=household,
        valid_from=timezone.now() - timedelta(days=1),
        valid_until=timezone.now() + timedelta(days=1),
    )
    login(client, personas["checkpoint"])
    response = post(client, "/api/passes/check", {"token": token_for(p), "place": gate.pk})
    body = response.json()
    assert response.status_code == 200
    assert body["allowed"] is False and body["outcome"] == "refused"
    assert body["reason"] == "outside_hours" and body["reason_label"] == "不在开放时间内"
    assert PassCheck.objects.get().checked_by == personas["checkpoint"]


def test_check_at_a_gate_outside_jurisdiction_is_refused(client, personas, county):
    other = create_place(type="village_gate", name="西村村口", division=county.village2)
    login(client, personas["checkpoint"])
    response = post(client, "/api/passes/check", {"token": "x", "place": other.pk})
    assert response.status_code == 422 and response.json()["field"] == "place"
    assert not PassCheck.objects.exists()


def test_transport_pass_bad_plate_is_a_field_error(client, personas, county):
    login(client, personas["town1"])
    response = post(
        client,
        "/api/passes",
        {
            "type": "transport",
            "division": county.town1.pk,
            "holder_name": "一镇食品厂",
            "plate": "X12345",
            "route": "国道107",
            "valid_from": "2026-02-01T00:00:00+08:00",
            "valid_until": "2026-03-01T00:00:00+08:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "plate" and "省份简称" in response.json()["message"]


def test_issue_and_revoke_over_the_api(client, personas, county):
    login(client, personas["town1"])
    response = post(
        client,
        "/api/passes",
        {
            "type": "transport",
            "division": county.town1.pk,
            "holder_name": "一镇食品厂",
            "plate": "晋LD12345",
            "route": "国道107",
            "issuing_department": county.health.pk,
            "valid_from": "2026-02-01T00:00:00+08:00",
            "valid_until": "2036-03-01T00:00:00+08:00",
        },
    )
    assert response.status_code == 201
    issued = response.json()
    checkpoint = create_place(type="traffic_checkpoint", name="卡口", division=county.town1)
    check = post(
        client,
        "/api/passes/check",
        {"token": issued["token"], "place": checkpoint.pk, "plate": "晋LD12345"},
    )
    assert check.json()["allowed"] is True
    post(client, f"/api/passes/{issued['id']}/revoke", {"reason": "停产"})
    check = post(client, "/api/passes/check", {"token": issued["token"], "place": checkpoint.pk})
    assert check.json()["reason"] == "revoked"


def test_place_reissue_over_the_api_kills_the_old_token(client, personas, county):
    login(client, personas["town1"])
    created = post(
        client,
        "/api/places",
        {"type": "supermarket", "name": "一镇超市", "division": county.village1.pk},
    ).json()
    old = created["code"]["token"]
    assert created["code"]["checkin_url"].endswith(f"/c/{old}/")
    reissued = post(client, f"/api/places/{created['id']}/code", {})
    assert reissued.status_code == 201
    with pytest.raises(PlaceTokenError):
        resolve_token(old)
    assert resolve_token(reissued.json()["code"]["token"]).place_id == created["id"]


def test_place_outside_jurisdiction_cannot_be_created(client, personas, county):
    login(client, personas["town1"])
    response = post(
        client, "/api/places", {"type": "market", "name": "西村市场", "division": county.grid2a.pk}
    )
    assert response.status_code == 422 and response.json()["field"] == "division"


def test_place_list_filters(client, personas, county):
    create_place(type="pharmacy", name="东村药店", division=county.grid1a)
    create_place(type="market", name="东村市场", division=county.grid1a)
    create_place(type="pharmacy", name="西村药店", division=county.grid2a)
    login(client, personas["grid1a"])
    body = client.get("/api/places", {"type": "pharmacy"}).json()
    assert [p["name"] for p in body["items"]] == ["东村药店"]

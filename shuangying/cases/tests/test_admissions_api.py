"""Admission and discharge over the API (E5): the hospitals' beds within jurisdiction, a
ward's bed taken and given back, 409 naming the field for a full ward or a case already in
hospital, 422 for a bad time, 404 for a case outside the jurisdiction."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shuangying.cases import services as s
from shuangying.cases.models import Ward
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2020, 2, 1, 9, tzinfo=TZ)


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def beds(county, people):
    county_ward = s.create_ward(
        hospital=s.create_hospital(name="县人民医院", kind="designated", division=county.county),
        name="感染一病区",
        capacity=1,
    )
    town2_ward = s.create_ward(
        hospital=s.create_hospital(name="二镇卫生院", kind="backup", division=county.town2),
        name="隔离病区",
        capacity=3,
    )
    first, _ = s.open_case(person=people.in_grid1a, opened_at=OPENED)
    second, _ = s.open_case(person=people.in_grid1b, opened_at=OPENED)
    outside, _ = s.open_case(person=people.in_grid2a, opened_at=OPENED)
    return county_ward, town2_ward, first, second, outside


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county])


def test_hospitals_with_beds_within_jurisdiction(client, county, beds, cdc):
    login(client, cdc)
    r = client.get("/api/hospitals")
    assert r.status_code == 200
    assert {h["name"] for h in r.json()} == {"县人民医院", "二镇卫生院"}
    ward = next(h for h in r.json() if h["name"] == "二镇卫生院")["wards"][0]
    assert (ward["beds"], ward["occupied"], ward["free"]) == (3, 0, 3)
    login(client, make_user("town1cdc", "health_officer", [county.town1]))
    assert client.get("/api/hospitals").json() == []


def test_admit_then_discharge(client, beds, cdc):
    ward, _other, first, _second, _outside = beds
    login(client, cdc)
    r = post(
        client,
        f"/api/cases/{first.pk}/admissions",
        {"ward_id": ward.pk, "admitted_at": "2020-02-01T12:00:00+08:00"},
    )
    assert r.status_code == 201, r.content
    admission = r.json()
    assert (admission["ward_id"], admission["hospital"]) == (ward.pk, "县人民医院")
    assert Ward.objects.get(pk=ward.pk).occupied == 1
    url = f"/api/admissions/{admission['id']}/discharge"
    r = post(client, url, {"reason": "治愈出院", "discharged_at": "2020-02-20T10:00:00+08:00"})
    assert r.status_code == 200 and r.json()["discharge_reason"] == "治愈出院"
    assert Ward.objects.get(pk=ward.pk).occupied == 0
    again = post(client, url, {"reason": "治愈出院"})
    assert again.status_code == 409 and again.json()["field"] == "admission"


def test_full_ward_and_already_admitted_are_409(client, beds, cdc):
    ward, other, first, second, _outside = beds
    login(client, cdc)
    assert (
        post(client, f"/api/cases/{first.pk}/admissions", {"ward_id": ward.pk}).status_code == 201
    )
    full = post(client, f"/api/cases/{second.pk}/admissions", {"ward_id": ward.pk})
    assert full.status_code == 409 and full.json()["field"] == "ward_id"
    assert "床位已满" in full.json()["message"]
    twice = post(client, f"/api/cases/{first.pk}/admissions", {"ward_id": other.pk})
    assert twice.status_code == 409 and twice.json()["field"] == "case"
    assert Ward.objects.get(pk=other.pk).occupied == 0


@pytest.mark.parametrize(
    ("admitted_at", "message"),
    [
        ("2020-01-31T09:00:00+08:00", "早于病例开立时间"),
        ((timezone.now() + timedelta(days=1)).isoformat(), "晚于当前时间"),
        ("yesterday", None),
    ],
)
def test_bad_admission_time_is_422(client, beds, cdc, admitted_at, message):
    ward, _other, first, _second, _outside = beds
    login(client, cdc)
    r = post(
        client,
        f"/api/cases/{first.pk}/admissions",
        {"ward_id": ward.pk, "admitted_at": admitted_at},
    )
    assert r.status_code == 422, r.content
    if message:
        assert r.json()["field"] == "admitted_at" and message in r.json()["message"]
    assert Ward.objects.get(pk=ward.pk).occupied == 0


def test_bad_discharge_is_422(client, beds, cdc):
    ward, _other, first, _second, _outside = beds
    admission = s.admit_case(case=first, ward=ward, at=OPENED + timedelta(hours=3))
    login(client, cdc)
    url = f"/api/admissions/{admission.pk}/discharge"
    early = post(client, url, {"reason": "x", "discharged_at": "2020-02-01T10:00:00+08:00"})
    assert early.status_code == 422 and early.json()["field"] == "discharged_at"
    blank = post(client, url, {"reason": "  "})
    assert blank.status_code == 422 and blank.json()["field"] == "reason"
    assert Ward.objects.get(pk=ward.pk).occupied == 1


def test_jurisdiction(client, county, beds):
    ward, town2_ward, first, _second, outside = beds
    login(client, make_user("town1cdc", "health_officer", [county.town1]))
    # A case of another township does not exist for them; nor does a ward they cannot see.
    r = post(client, f"/api/cases/{outside.pk}/admissions", {"ward_id": ward.pk})
    assert r.status_code == 404
    r = post(client, f"/api/cases/{first.pk}/admissions", {"ward_id": town2_ward.pk})
    assert r.status_code == 422 and r.json()["field"] == "ward_id"
    admission = s.admit_case(case=outside, ward=town2_ward, at=OPENED + timedelta(hours=1))
    r = post(client, f"/api/admissions/{admission.pk}/discharge", {"reason": "x"})
    assert r.status_code == 404
    assert Ward.objects.get(pk=town2_ward.pk).occupied == 1

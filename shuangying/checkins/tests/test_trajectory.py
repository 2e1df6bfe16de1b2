"""Trajectories and visitors (C5): jurisdiction, masking, export, audit."""

import io
import uuid
import zipfile

import pytest
from django.urls import reverse

from shuangying.audit.models import AuditEvent
from shuangying.checkins.services import Declaration, record_checkin
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(people, place, other_place):
    out = []
    for p in (place, other_place, place):
        out.append(
            record_checkin(
                place=p,
                client_uuid=uuid.uuid4(),
                person=people.in_grid1a,
                declaration=Declaration(),
            ).checkin
        )
    record_checkin(
        place=place, client_uuid=uuid.uuid4(), person=people.in_grid2a, declaration=Declaration()
    )
    return out


def test_person_trajectory_page_in_time_order(client, personas, people, visits):
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:person_trajectory", args=[people.in_grid1a.pk]))
    assert page.status_code == 200
    assert [c.pk for c in page.context["page"]] == [c.pk for c in visits]
    assert "西村超市" in page.content.decode()
    assert AuditEvent.objects.filter(summary__startswith="查看行动轨迹").exists()


def test_trajectory_outside_jurisdiction_is_404(client, personas, people, visits):
    login(client, personas["grid1a"])
    url = reverse("checkins:person_trajectory", args=[people.in_grid2a.pk])
    assert client.get(url).status_code == 404
    api = client.get(f"/api/persons/{people.in_grid2a.pk}/trajectory")
    assert api.status_code == 404


def test_place_visitors_masked(client, personas, people, place, visits):
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:place_visitors", args=[place.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and len(page.context["page"]) == 3
    assert people.in_grid2a.reveal_id_number() not in body
    assert people.in_grid2a.id_number_masked in body
    api = client.get(f"/api/places/{place.pk}/visitors").json()
    assert api["count"] == 3
    assert people.in_grid2a.reveal_phone() not in str(api)


def test_date_range_filter(client, personas, people, visits):
    login(client, personas["grid1a"])
    url = reverse("checkins:person_trajectory", args=[people.in_grid1a.pk])
    page = client.get(url, {"start": "2020-01-01", "end": "2020-01-31"})
    assert page.context["page"].paginator.count == 0


def test_export_is_masked_watermarked_and_audited(client, personas, people, place, visits):
    login(client, personas["town1"])
    response = client.get(reverse("checkins:place_visitors_export", args=[place.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "导出人:town1" in sheet
    assert people.in_grid2a.id_number_masked in sheet
    assert people.in_grid2a.reveal_id_number() not in sheet
    assert AuditEvent.objects.filter(action="export", object_type="place").exists()


def test_trajectory_api(client, personas, people, visits):
    login(client, personas["town1"])
    answer = client.get(f"/api/persons/{people.in_grid1a.pk}/trajectory").json()
    assert [i["id"] for i in answer["items"]] == [c.pk for c in visits]
    assert answer["items"][1]["place"]["name"] == "西村超市"


def test_detail_pages_link_to_trajectory_and_visitors(client, personas, people, place):
    login(client, personas["grid1a"])
    person_page = client.get(people.in_grid1a.get_absolute_url()).content.decode()
    assert reverse("checkins:person_trajectory", args=[people.in_grid1a.pk]) in person_page
    place_page = client.get(place.get_absolute_url()).content.decode()
    assert reverse("checkins:place_visitors", args=[place.pk]) in place_page

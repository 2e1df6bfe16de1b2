"""Checkpoint pages: jurisdiction of fever alerts, the polling partial, counters, export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shuangying.testing import login

from .factories import make_checkpoint, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(county):
    return {
        "town1": make_checkpoint(county.village1, "东村卡点", "village_gate"),
        "town2": make_checkpoint(county.village2, "西村卡点", "village_gate"),
    }


def test_a_township_sees_fevers_only_from_its_own_checkpoints(client, personas, checkpoints):
    make_record(checkpoints["town1"], temperature="38.5")
    make_record(checkpoints["town2"], temperature="39.1")
    make_record(checkpoints["town1"], temperature="36.5")
    login(client, personas["town1"])
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert "38.5℃" in page and "东村卡点" in page
    assert "39.1" not in page and "西村卡点" not in page and "36.5" not in page
    assert 'hx-trigger="every 3s"' in page
    login(client, personas["county"])
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert "38.5℃" in page and "39.1℃" in page


def test_the_partial_brings_only_new_fevers(
    client, personas, checkpoints, django_assert_max_num_queries
):
    first = make_record(checkpoints["town1"], temperature="38.0")
    login(client, personas["town1"])
    url = reverse("checkpoints:fever_partial")
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert f"since={first.pk}" in page
    quiet = client.get(url, {"since": first.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "fever-item" not in quiet and f"since={first.pk}" in quiet
    new = make_record(checkpoints["town1"], temperature="39.4")
    make_record(checkpoints["town2"], temperature="40.0")
    # Session, user, permissions, jurisdiction, one indexed query for the fevers, session save.
    with django_assert_max_num_queries(10):
        fresh = client.get(url, {"since": first.pk}).content.decode()
    assert "39.4℃" in fresh and "38.0" not in fresh and "40.0" not in fresh
    assert f"since={new.pk}" in fresh and 'hx-swap-oob="afterbegin:#fever-list"' in fresh


def test_daily_counters_per_checkpoint_and_total(client, personas, checkpoints):
    gate = checkpoints["town1"]
    # One instant for every record and for "today", so that the day cannot turn in between.
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    make_record(gate, temperature="36.5", checked_at=now)
    make_record(gate, temperature="37.5", outcome="fever_clinic", checked_at=now)
    make_record(gate, temperature="36.8", outcome="turned_back", checked_at=now)
    make_record(
        gate,
        is_vehicle=True,
        plate="冀F12345",
        passenger_count=4,
        health_code_token="",
        checked_at=now,
    )
    make_record(gate, temperature="36.6", checked_at=yesterday)
    make_record(checkpoints["town2"], temperature="38.8", checked_at=now)
    login(client, personas["town1"])
    response = client.get(reverse("checkpoints:dashboard"))
    assert response.context["totals"] == {
        "persons": 8,
        "vehicles": 1,
        "fevers": 1,
        "turned_back": 1,
    }
    rows = response.context["rows"]
    assert [(r.persons, r.vehicles, r.fevers, r.turned_back) for r in rows] == [
        (7, 1, 1, 1),
        (1, 0, 0, 0),
    ]
    today = timezone.localdate(now).isoformat()
    filtered = client.get(reverse("checkpoints:dashboard"), {"start": today, "end": today})
    assert filtered.context["totals"]["persons"] == 7
    login(client, personas["county"])
    assert client.get(reverse("checkpoints:dashboard")).context["totals"]["fevers"] == 2


def test_the_counters_export_has_the_rows_and_a_total(client, personas, checkpoints):
    make_record(checkpoints["town1"], temperature="37.9")
    make_record(checkpoints["town1"], temperature="36.1")
    login(client, personas["town1"])
    response = client.get(reverse("checkpoints:dashboard_export"))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[1][:4] == ["日期", "卡口", "所在区划", "检查人数"]
    assert rows[2][1] == "东村卡点" and int(rows[2][3]) == 2 and int(rows[2][5]) == 1
    assert rows[-1][0] == "合计"


def test_checkpoint_mode_lists_the_staffs_checkpoints_and_carries_the_csrf_token(
    client, personas, checkpoints
):
    login(client, personas["checkpoint"])
    response = client.get(reverse("checkpoints:checkpoint_mode"))
    page = response.content.decode()
    assert "东村卡点" in page and "西村卡点" not in page
    assert f'data-csrf="{response.context["csrf_token"]}"' in page
    assert 'id="pending-count"' in page


def test_the_service_worker_is_served_at_the_apps_scope(client):
    response = client.get(reverse("checkpoints:service_worker"))
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/checkpoints/"
    body = response.content.decode()
    assert '"/checkpoints/"' in body and "checkpoints/checkpoint.js" in body


def test_checkpoint_staff_record_and_count_but_do_not_export(client, personas, checkpoints):
    make_record(checkpoints["town1"], temperature="36.9")
    make_record(checkpoints["town2"], temperature="36.9")
    login(client, personas["checkpoint"])
    assert client.get(reverse("checkpoints:checkpoint_mode")).status_code == 200
    dashboard = client.get(reverse("checkpoints:dashboard"))
    assert dashboard.status_code == 200 and dashboard.context["totals"]["persons"] == 1
    assert "导出Excel" not in dashboard.content.decode()
    assert client.get(reverse("checkpoints:dashboard_export")).status_code == 403
    login(client, personas["dept"])
    assert client.get(reverse("checkpoints:checkpoint_mode")).status_code == 403


def test_the_gate_page_shows_a_pass_checker_only_the_pass_part(client, personas, checkpoints):
    """A grid worker at a compound gate: passes yes, temperature records no."""
    make_checkpoint(personas["grid1a"].divisions.get(), "一组大门", "compound_entrance")
    login(client, personas["grid1a"])
    page = client.get(reverse("checkpoints:checkpoint_mode")).content.decode()
    assert 'data-can-record="0"' in page and 'data-can-check-pass="1"' in page
    assert "无证人员劝返" in page and 'id="cp-temperature"' not in page
    assert 'id="pending-count"' not in page
    login(client, personas["checkpoint"])
    page = client.get(reverse("checkpoints:checkpoint_mode")).content.decode()
    assert 'data-can-record="1"' in page and 'id="cp-temperature"' in page
    assert "送发热门诊" in page


def test_the_old_gate_addresses_lead_to_the_one_gate_page(client, personas, checkpoints):
    login(client, personas["town1"])
    gate = checkpoints["town1"]
    r = client.get(reverse("passes:gate_check"), {"place": gate.pk})
    assert (
        r.status_code == 302
        and r.url == f"{reverse('checkpoints:checkpoint_mode')}?place={gate.pk}"
    )
    page = client.get(r.url).content.decode()
    assert f'<option value="{gate.pk}" selected>' in page
    nav = client.get(reverse("dashboard:home")).content.decode()
    assert "卡口核验" in nav and "通行证核验" not in nav


def test_a_fever_alert_names_the_person_masked_and_links_only_where_allowed(
    client, personas, checkpoints, people
):
    person = people.in_grid1a  # 张一甲, in 东村一网格
    make_record(checkpoints["town1"], temperature="38.2", id_number=person.reveal_id_number())
    url = reverse("people:person_detail", args=[person.pk])
    login(client, personas["town1"])
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert "张**" in page and "张一甲" not in page and f'href="{url}"' in page
    # Checkpoint staff see the alert but may not open the person's record.
    login(client, personas["checkpoint"])
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert "张**" in page and f'href="{url}"' not in page


def test_a_fever_alert_is_marked_handled_once_with_who_when_where(
    client, personas, checkpoints, people
):
    from shuangying.audit.models import AuditEvent

    record = make_record(checkpoints["town1"], temperature="38.6")
    other = make_record(checkpoints["town2"], temperature="39.0")
    login(client, personas["town1"])
    url = reverse("checkpoints:fever_handle", args=[record.pk])
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert url in page and "标记已处置" in page
    r = client.post(url, {"sent_to": "fever_clinic", "note": "县医院发热门诊"})
    assert r.status_code == 302
    record.refresh_from_db()
    assert record.handled_to == "fever_clinic" and record.handled_by == personas["town1"]
    assert record.handled_at is not None and record.handled_note == "县医院发热门诊"
    assert AuditEvent.objects.filter(
        object_type="checkpoint_record", object_id=str(record.pk), summary__contains="处置发热"
    ).exists()
    page = client.get(reverse("checkpoints:fever_alerts")).content.decode()
    assert "已送发热门诊" in page and "县医院发热门诊" in page and url not in page
    # A second handling is refused with a Chinese message; nothing changes.
    r = client.post(url, {"sent_to": "home_observation"}, follow=True)
    assert "已处置" in r.content.decode()
    record.refresh_from_db()
    assert record.handled_to == "fever_clinic"
    # A fever outside the jurisdiction does not exist for this user; a bad choice is refused.
    assert (
        client.post(
            reverse("checkpoints:fever_handle", args=[other.pk]), {"sent_to": "fever_clinic"}
        ).status_code
        == 404
    )
    login(client, personas["county"])
    r = client.post(
        reverse("checkpoints:fever_handle", args=[other.pk]), {"sent_to": "moon"}, follow=True
    )
    assert "处置去向" in r.content.decode()
    other.refresh_from_db()
    assert other.handled_at is None

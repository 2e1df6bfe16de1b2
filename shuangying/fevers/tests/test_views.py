"""The fever pages: reports typed by staff, the public tip-off (429 when flooded) and the
pharmacy's page by place code, the own list overdue first, the desk, the export, the next
step on the episode page, the resolution of a tip-off, and the home panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangying.audit.models import AuditEvent
from shuangying.places.services import create_place
from shuangying.places.tokens import token_for
from shuangying.testing import login, make_user

from ..models import FeverEpisode, FeverReport
from ..services import report_fever

pytestmark = pytest.mark.django_db


def test_a_grid_worker_registers_a_fever_and_takes_the_next_steps(client, people, personas):
    login(client, personas["grid1a"])
    url = reverse("fevers:report_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"channel": "village", "person": people.in_grid1a.pk, "temperature": "38.4"}
    )
    episode = FeverEpisode.objects.get()
    assert response.status_code == 302 and response.url == episode.get_absolute_url()
    page = client.get(episode.get_absolute_url())
    assert "登记“已登记”" in page.content.decode()
    assert client.post(episode.get_absolute_url(), {}).status_code == 302
    missing = client.post(episode.get_absolute_url(), {})
    assert missing.status_code == 400 and "隔离方式" in missing.content.decode()
    client.post(episode.get_absolute_url(), {"isolation_place": "home", "isolation_note": "家中"})
    episode.refresh_from_db()
    assert (episode.status, episode.isolated_by) == ("isolated", personas["grid1a"])
    # Sampling is the health side's: the grid worker sees no form and may not post one.
    page = client.get(episode.get_absolute_url()).content.decode()
    assert 'data-testid="step-form"' not in page
    assert client.post(episode.get_absolute_url(), {"barcode": "B1"}).status_code == 403


def test_a_bad_temperature_is_shown_beside_its_field(client, people, personas):
    login(client, personas["grid1a"])
    response = client.post(
        reverse("fevers:report_create"),
        {"channel": "village", "person": people.in_grid1a.pk, "temperature": "50"},
    )
    assert response.status_code == 400 and "34.0–43.0" in response.content.decode()
    assert not FeverReport.objects.exists()


def test_the_public_tipoff_needs_no_login_and_is_rate_limited(client, county, settings):
    settings.FEVER_TIPOFF_RATE_PER_ADDRESS = 2
    url = reverse("fevers:tipoff")
    body = {"name": "老王", "address": "东村3号", "division": county.village1.pk}
    assert client.get(url).status_code == 200
    done = client.post(url, body)
    assert done.status_code == 200 and 'data-testid="done"' in done.content.decode()
    report = FeverReport.objects.get()
    assert (report.channel, report.person_id, report.division) == ("tipoff", None, county.village1)
    assert client.post(url, {"name": "", "division": county.village1.pk}).status_code == 400
    flooded = client.post(url, body)
    assert flooded.status_code == 429 and "操作太频繁" in flooded.content.decode()
    assert FeverReport.objects.count() == 1


def test_a_pharmacy_registers_a_buyer_by_its_place_code(client, county, people):
    pharmacy = create_place(type="pharmacy", name="东村大药房", division=county.grid1a)
    url = reverse("fevers:pharmacy_public", args=[token_for(pharmacy.codes.get())])
    assert "东村大药房" in client.get(url).content.decode()
    no_id = client.post(url, {"name": "张三", "drug": "布洛芬", "document_type": "resident_id"})
    assert no_id.status_code == 400 and "证件号码或手机号" in no_id.content.decode()
    body = {
        "name": people.in_grid1a.name,
        "document_type": "resident_id",
        "id_number": people.in_grid1a.reveal_id_number(),
        "drug": "布洛芬",
        "temperature": "38.0",
    }
    assert client.post(url, body).status_code == 200
    episode = FeverEpisode.objects.get()
    assert (episode.person, episode.channel) == (people.in_grid1a, "pharmacy")
    assert episode.reports.get().place == pharmacy
    market = create_place(type="market", name="市场", division=county.grid1a)
    other = reverse("fevers:pharmacy_public", args=[token_for(market.codes.get())])
    assert client.get(other).status_code == 404
    assert client.get(reverse("fevers:pharmacy_public", args=["forged"])).status_code == 404


def test_a_pharmacy_account_registers_at_its_own_pharmacy_only(client, county, people):
    mine = create_place(type="pharmacy", name="东村大药房", division=county.town1)
    elsewhere = create_place(type="pharmacy", name="西村药店", division=county.town2)
    user = make_user("drugstore", "pharmacy", [county.town1])
    login(client, user)
    url = reverse("fevers:pharmacy_register")
    page = client.get(url).content.decode()
    assert "东村大药房" in page and "西村药店" not in page
    body = {
        "channel": "pharmacy",
        "name": "赵六",
        "document_type": "resident_id",
        "phone": "13700001234",
        "drug": "止咳糖浆",
        "place": elsewhere.pk,
    }
    assert client.post(url, body).status_code == 400
    assert client.post(url, {**body, "place": mine.pk}).status_code == 302
    report = FeverReport.objects.get()
    assert report.person_id is None and report.division == county.town1
    assert report.phone_masked == "137****1234"
    # A pharmacy sees no episode and no list.
    assert client.get(reverse("fevers:episode_list")).status_code == 403


def test_the_own_list_shows_overdue_first_in_red(client, people, personas):
    now = timezone.now()
    late = report_fever(
        actor=None,
        channel="village",
        person=people.in_grid1a,
        found_at=now - dt.timedelta(hours=3),
    ).episode
    fresh = report_fever(
        actor=None, channel="pharmacy", drug="布洛芬", person=people.in_grid1b, found_at=now
    ).episode
    login(client, personas["town1"])
    page = client.get(reverse("fevers:episode_list"))
    names = [e.pk for e in page.context["page"]]
    assert names == [late.pk, fresh.pk]
    assert page.content.decode().count('data-testid="overdue"') == 1
    only = client.get(reverse("fevers:episode_list") + "?overdue=on&channel=")
    assert [e.pk for e in only.context["page"]] == [late.pk]
    desk = client.get(reverse("fevers:desk")).content.decode()
    assert "一镇" in desk and 'data-testid="desk-townships"' in desk
    login(client, personas["grid2a"])
    assert list(client.get(reverse("fevers:episode_list")).context["page"]) == []


def test_the_export_is_masked_and_audited(client, people, personas):
    report_fever(actor=None, channel="village", person=people.in_grid1a, temperature="38.0")
    login(client, personas["town1"])
    response = client.get(reverse("fevers:episode_export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert people.in_grid1a.reveal_id_number().encode() not in body
    assert AuditEvent.objects.filter(action="export", object_type="fever_episode").exists()


def test_a_tipoff_is_resolved_by_the_grid_worker(client, county, people, personas):
    tip = report_fever(
        actor=None, channel="tipoff", name="老王", address="东村", division=county.grid1a
    ).report
    login(client, personas["grid1a"])
    listed = client.get(reverse("fevers:report_list")).content.decode()
    assert "老王" in listed
    url = reverse("fevers:report_resolve", args=[tip.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"person": people.in_grid1a.pk})
    episode = FeverEpisode.objects.get()
    assert response.status_code == 302 and response.url == episode.get_absolute_url()
    assert client.get(url).status_code == 404  # resolved: no longer waiting
    outside = report_fever(
        actor=None, channel="tipoff", name="老李", address="西村", division=county.grid2a
    ).report
    assert client.get(reverse("fevers:report_resolve", args=[outside.pk])).status_code == 404


def test_the_township_home_page_shows_its_own_overdue_first(client, people, personas):
    report_fever(
        actor=None,
        channel="village",
        person=people.in_grid1a,
        found_at=timezone.now() - dt.timedelta(hours=2),
    )
    report_fever(
        actor=None,
        channel="village",
        person=people.in_grid2a,
        found_at=timezone.now() - dt.timedelta(hours=2),
    )
    login(client, personas["town1"])
    page = client.get(reverse("dashboard:home")).content.decode()
    panel = page.index('data-testid="fevers-panel"')
    assert panel < page.index('data-testid="people-panel"')
    section = page[panel : panel + 2000]
    assert "发热超时未办" in section and "东村一网格 超时 1 人" in section
    assert "西村" not in section


def test_a_role_that_only_sees_the_episode_may_not_post_a_step(client, people, personas):
    episode = report_fever(actor=None, channel="village", person=people.in_grid1a).episode
    login(client, personas["county"])
    assert client.get(episode.get_absolute_url()).status_code == 200
    assert client.post(episode.get_absolute_url(), {}).status_code == 403
    episode.refresh_from_db()
    assert episode.status == "found"

"""The daily-report pages and routes (F3): the person's link (a forged or expired one is 403
and writes nothing), the grid worker's report on the order page, the missing list, and the
API's single, batch (per-item answers) and missing-report routes."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from shuangying.quarantine import services
from shuangying.quarantine.models import DailyReport
from shuangying.quarantine.tokens import report_token
from shuangying.testing import login

from .helpers import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(people):
    return services.open_order(
        person=people.in_grid1a, kind="home", reason="close_contact", start_date=days_ago(2)
    ).order


def _body(**kw):
    return {"day": str(days_ago(0)), "slot": "1", "temperature": "36.5", **kw}


def test_the_person_reports_from_their_link(client, order):
    url = reverse("quarantine:public_report", args=[report_token(order)])
    assert client.get(url).status_code == 200
    r = client.post(url, _body())
    assert r.status_code == 200 and "已收到您的报告" in r.content.decode()
    r = client.post(url, _body(temperature="38.0"))
    assert r.status_code == 400 and "更正原因" in r.content.decode()
    report = DailyReport.objects.get()
    assert report.reported_by is None and str(report.temperature) == "36.5"


def test_a_forged_or_expired_link_is_403_and_writes_nothing(client, order):
    forged = report_token(order)[:-2] + "xx"
    r = client.post(reverse("quarantine:public_report", args=[forged]), _body())
    assert r.status_code == 403
    order.end_date = days_ago(2)
    order.start_date = days_ago(2)
    order.save(update_fields=["end_date", "start_date"])
    r = client.post(reverse("quarantine:public_report", args=[report_token(order)]), _body())
    assert r.status_code == 403 and "过期" in r.content.decode()
    assert not DailyReport.objects.exists()


def test_the_grid_worker_reports_on_the_order_page(client, personas, order):
    login(client, personas["grid1a"])
    url = reverse("quarantine:order_report", args=[order.pk])
    assert client.post(url, _body(temperature="abc")).status_code == 400
    assert client.post(url, _body(symptoms="干咳")).status_code == 302
    report = DailyReport.objects.get()
    assert report.reported_by == personas["grid1a"] and report.abnormal
    r = client.get(order.get_absolute_url())
    assert "异常" in r.content.decode()
    assert client.get(reverse("quarantine:missing")).status_code == 200


def test_api_single_batch_and_missing(client, personas, order, people):
    login(client, personas["grid1a"])
    url = f"/api/quarantine/orders/{order.pk}/reports"
    body = {"day": str(days_ago(1)), "slot": 1, "temperature": 36.4}
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 200 and r.json()["created"] is False
    r = client.post(url, {**body, "temperature": 36.9}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "temperature"
    outside = services.open_order(
        person=people.in_grid2a, kind="home", reason="close_contact"
    ).order
    items = [
        {"order_id": order.pk, "day": str(days_ago(1)), "slot": 2, "temperature": 36.5},
        {"order_id": order.pk, "day": str(days_ago(1)), "slot": 1, "temperature": 36.4},
        {"order_id": order.pk, "day": str(days_ago(1)), "slot": 9, "temperature": 36.4},
        {"order_id": outside.pk, "day": str(days_ago(0)), "slot": 1, "temperature": 36.4},
        {"order_id": order.pk, "day": str(days_ago(5)), "slot": 1, "temperature": 36.4},
    ]
    r = client.post(
        "/api/quarantine/reports/batch",
        json.dumps({"items": items}),
        content_type="application/json",
    )
    assert r.status_code == 200
    answers = r.json()["items"]
    assert [a["status"] for a in answers] == ["created", "unchanged", "error", "error", "error"]
    assert [a["field"] for a in answers[2:]] == ["slot", "order_id", "day"]
    r = client.get(f"/api/quarantine/missing-reports?date={days_ago(1)}&slot=1")
    assert r.status_code == 200 and r.json()["count"] == 0 and r.json()["level"] == "grid"
    r = client.get(f"/api/quarantine/missing-reports?date={days_ago(2)}&slot=2")
    assert [i["order_id"] for i in r.json()["items"]] == [order.pk]
    assert DailyReport.objects.count() == 2
    yesterday_slot_2 = DailyReport.objects.get(day=days_ago(1), slot=2)
    assert yesterday_slot_2.day == order.start_date + timedelta(days=1)

"""The day's health figures (GET /api/health/stats): as of the end of the day asked, in the
user's jurisdiction, labs and cases only for roles that read them, a constant number of
queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuangying.cases.services import open_case, reclassify_case
from shuangying.labs.services import ResultItem, create_lab, record_results, take_sample
from shuangying.testing import login, make_user

from ..health import day_bounds, health_stats
from ..services import advance_episode, report_fever
from .test_services import new_person

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county], department=county.health)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return day_bounds(day)[0] + dt.timedelta(hours=hour, minutes=minute)


def test_a_past_day_reads_as_of_its_end(people, cdc):
    # Found yesterday 20:00, registered 20:30, isolated only today 08:00 (overdue at
    # midnight: the 2-hour deadline passed at 22:00).
    person = people.in_grid1a
    episode = report_fever(
        actor=None, channel="village", person=person, found_at=at(YESTERDAY, 20)
    ).episode
    advance_episode(actor=cdc, episode=episode, step="registered", at=at(YESTERDAY, 20, 30))
    today = timezone.localdate()
    isolate_at = min(timezone.now(), at(today, 8))
    advance_episode(
        actor=cdc, episode=episode, step="isolated", at=isolate_at, isolation_place="home"
    )
    past = health_stats(cdc, YESTERDAY)["fevers"]
    assert past["found"] == 1 and past["open"] == 1
    assert past["in_step"]["registered"] == 1 and past["in_step"]["isolated"] == 0
    assert past["overdue_by_step"] == {"registered": 0, "isolated": 1, "sampled": 0}
    now = health_stats(cdc, today)["fevers"]
    assert now["found"] == 0 and now["in_step"]["isolated"] == 1
    # Found at 20:00 yesterday, due sampled by 02:00 today.
    assert now["overdue_by_step"]["sampled"] == (1 if timezone.now() > at(today, 2) else 0)


def test_closed_before_the_day_is_out_and_closed_on_it_is_counted(people, cdc):
    person = people.in_grid1a
    start = timezone.now() - dt.timedelta(hours=5)
    episode = report_fever(actor=None, channel="village", person=person, found_at=start).episode
    details = {
        "registered": {},
        "isolated": {"isolation_place": "home"},
        "sampled": {"barcode": "H1"},
        "resulted": {"result": "阴性"},
        "closed": {"outcome": "excluded"},
    }
    for i, (step, extra) in enumerate(details.items(), 1):
        advance_episode(
            actor=cdc, episode=episode, step=step, at=start + dt.timedelta(minutes=i), **extra
        )
    figures = health_stats(cdc, timezone.localdate(start))["fevers"]
    assert figures["open"] == 0 and figures["closed"]["excluded"] == 1
    assert health_stats(cdc, timezone.localdate(start) + dt.timedelta(days=1))["fevers"][
        "closed"
    ] == {"excluded": 0, "suspected": 0, "confirmed": 0}


def test_jurisdiction_and_roles(people, personas, cdc, county):
    report_fever(actor=None, channel="village", person=people.in_grid1a)
    report_fever(actor=None, channel="village", person=people.in_grid2a)
    today = timezone.localdate()
    assert health_stats(cdc, today)["fevers"]["found"] == 2
    grid = health_stats(personas["grid1a"], today)
    assert grid["fevers"]["found"] == 1
    # A grid worker reads neither labs nor cases: those parts are empty, not zero.
    assert grid["samples"] is None and grid["cases"] is None
    assert grid["days_without_confirmed"] is None
    town = health_stats(personas["town1"], today)
    assert town["fevers"]["found"] == 1 and town["cases"] is not None


def test_samples_and_cases_new_and_cumulative(people, cdc, county):
    create_lab(name="县疾控实验室", division=county.county, daily_capacity=180)
    take_sample(person=people.in_grid1a, barcode="HS1", actor=cdc)
    take_sample(person=people.in_grid1b, barcode="HS2", actor=cdc)
    record_results(
        items=[
            ResultItem(barcode="HS1", result="positive", resulted_at=timezone.now()),
            ResultItem(barcode="HS2", result="negative", resulted_at=timezone.now()),
        ],
        actor=cdc,
    )
    case, _ = open_case(person=people.in_grid1a)  # the positive's suspected case
    reclassify_case(case=case, to_class="confirmed", reason="专家组会诊", actor=cdc)
    case.refresh_from_db()
    reclassify_case(case=case, to_class="cured", reason="两次阴性", actor=cdc)
    stats = health_stats(cdc, timezone.localdate())
    assert stats["samples"] == {"taken": 2, "resulted": 2, "positive": 1, "in_failed_pool": 0}
    cases = stats["cases"]
    assert cases["new"]["suspected"] == 1 and cases["new"]["confirmed"] == 1
    assert cases["cumulative"]["confirmed"] == 1 and cases["current"]["confirmed"] == 0
    assert cases["current"]["cured"] == 1
    county_row = stats["days_without_confirmed"][0]
    assert county_row["days"] == 0


def test_the_query_count_does_not_grow_with_the_data(people, cdc, county):
    today = timezone.localdate()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            health_stats(cdc, today)
        return len(ctx.captured_queries)

    report_fever(actor=None, channel="village", person=people.in_grid1a)
    count()  # the role's permissions are read once and kept on the user
    few = count()
    for i in range(15):
        report_fever(actor=None, channel="village", person=new_person(county.grid1b, f"发热{i}"))
    assert count() == few


def test_the_api_answers_and_checks_its_date(client, people, personas):
    report_fever(actor=None, channel="village", person=people.in_grid1a)
    login(client, personas["town1"])
    body = client.get("/api/health/stats").json()
    assert body["fevers"]["found"] == 1 and body["fevers"]["in_step"]["found"] == 1
    assert body["samples"] == {"taken": 0, "resulted": 0, "positive": 0, "in_failed_pool": 0}
    bad = client.get("/api/health/stats?date=2020-02-31")
    assert bad.status_code == 422 and bad.json()["field"] == "date"

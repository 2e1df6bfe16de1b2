"""Daily reports (F3): idempotent per (order, day, slot), corrections with a reason, an
abnormal report opens a fever episode in the home-quarantine channel, and the missing-report
lists as the cut-off passes (the time given to the query, not the clock's)."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangying.fevers.models import FeverEpisode, FeverReport
from shuangying.quarantine import services
from shuangying.quarantine.models import DailyReport, QuarantineOrder

from .helpers import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(people):
    return services.open_order(
        person=people.in_grid1a, kind="home", reason="close_contact", start_date=days_ago(2)
    ).order


def test_the_same_report_twice_answers_the_stored_one(order):
    day = days_ago(1)
    first = services.submit_report(order=order, day=day, slot=1, temperature="36.5")
    again = services.submit_report(order=order, day=day, slot=1, temperature="36.50")
    assert first.created and not again.created and again.report.pk == first.report.pk
    with pytest.raises(ValidationError) as exc:
        services.submit_report(order=order, day=day, slot=1, temperature="36.8")
    assert "更正原因" in exc.value.message_dict["temperature"][0]
    fixed = services.submit_report(
        order=order, day=day, slot=1, temperature="36.8", correction_reason="读数看错"
    )
    assert fixed.corrected and DailyReport.objects.get().temperature == fixed.report.temperature
    assert DailyReport.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"slot": 3}, "slot"),
        ({"temperature": "abc"}, "temperature"),
        ({"temperature": "50"}, "temperature"),
        ({"day": "before"}, "day"),
        ({"day": "after"}, "day"),
    ],
)
def test_bad_reports_name_the_field(order, kw, field):
    args = {"order": order, "day": days_ago(0), "slot": 1, "temperature": "36.5", **kw}
    if kw.get("day") == "before":
        args["day"] = order.start_date - timedelta(days=1)
    if kw.get("day") == "after":
        args["day"] = order.end_date + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(**args)
    assert field in exc.value.message_dict
    assert not DailyReport.objects.exists()


@pytest.mark.parametrize(("temperature", "symptoms"), [("37.3", ""), ("36.6", "干咳")])
def test_an_abnormal_report_opens_a_fever_episode(order, temperature, symptoms):
    result = services.submit_report(
        order=order, day=days_ago(0), slot=1, temperature=temperature, symptoms=symptoms
    )
    assert result.report.abnormal
    episode = FeverEpisode.objects.get(pk=result.report.fever_episode_id)
    assert episode.person_id == order.person_id
    assert FeverReport.objects.get().channel == "home_quarantine"


def test_a_normal_report_opens_nothing(order):
    result = services.submit_report(order=order, day=days_ago(0), slot=1, temperature="37.2")
    assert not result.report.abnormal and not FeverEpisode.objects.exists()


def test_missing_reports_appear_as_the_cut_off_passes(order, people, settings):
    settings.QUARANTINE_REPORT_CUTOFFS = ("10:00", "18:00")
    other = services.open_order(
        person=people.in_grid1b, kind="home", reason="close_contact", start_date=days_ago(2)
    ).order
    day = days_ago(1)
    services.submit_report(order=order, day=day, slot=1, temperature="36.5")
    orders = QuarantineOrder.objects.all()

    def at(h, m):
        return timezone.make_aware(datetime.combine(day, time(h, m)))

    assert not services.missing_reports(orders, day=day, slot=1, now=at(9, 59)).exists()
    grid = services.missing_reports(orders, day=day, slot=1, now=at(10, 0))
    assert list(grid) == [other]
    assert not services.missing_reports(orders, day=day, slot=1, now=at(10, 59), delay=60).exists()
    assert list(services.missing_reports(orders, day=day, slot=1, now=at(11, 0), delay=60)) == [
        other
    ]
    both = services.missing_reports(orders, day=day, slot=2, now=at(18, 1))
    assert set(both) == {order, other}

"""Pass pages: issue, revoke, print, rules, the gate check and the turn-back record."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangying.passes.models import ClosedManagementRule, Pass, PassCheck
from shuangying.passes.services import issue_pass, save_rule
from shuangying.passes.tokens import token_for
from shuangying.people.services import create_household
from shuangying.places.services import create_place
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(county):
    return create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")


@pytest.fixture
def gate(county):
    return create_place(type="village_gate", name="东村村口", division=county.village1)


def form_time(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_grid_worker_issues_a_household_pass_and_prints_it(client, personas, county, household):
    login(client, personas["grid1a"])
    now = timezone.now()
    response = client.post(
        reverse("passes:pass_create"),
        {
            "type": "household",
            "division": county.grid1a.pk,
            "household_number": "D1",
            "valid_from": form_time(now),
            "valid_until": form_time(now + timedelta(days=14)),
        },
    )
    pass_obj = Pass.objects.get()
    assert response.url == pass_obj.get_absolute_url()
    assert pass_obj.household == household and pass_obj.holder_name == "东村1号"
    card = client.get(reverse("passes:pass_print", args=[pass_obj.pk])).content.decode()
    assert "户出入证" in card and "passes/pass_print.css" in card and "<svg" in card  # A6 @page


def test_household_outside_jurisdiction_is_not_found(client, personas, county):
    create_household(actor=None, division=county.grid2a, number="X1", address="西村1号")
    login(client, personas["grid1a"])
    now = timezone.now()
    response = client.post(
        reverse("passes:pass_create"),
        {
            "type": "household",
            "division": county.grid1a.pk,
            "household_number": "X1",
            "valid_from": form_time(now),
            "valid_until": form_time(now + timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert "没有此户编号" in response.content.decode()
    assert not Pass.objects.exists()


def test_transport_pass_plate_error_is_shown(client, personas, county):
    login(client, personas["town1"])
    now = timezone.now()
    data = {
        "type": "transport",
        "division": county.town1.pk,
        "holder_name": "一镇食品厂",
        "plate": "L12345",
        "route": "国道107",
        "issuing_department": county.health.pk,
        "valid_from": form_time(now),
        "valid_until": form_time(now + timedelta(days=7)),
    }
    response = client.post(reverse("passes:pass_create"), data)
    assert response.status_code == 400 and "省份简称" in response.content.decode()
    data["plate"] = "晋LD12345"
    response = client.post(reverse("passes:pass_create"), data)
    assert Pass.objects.get().plate == "晋LD12345"


def test_revoke_makes_the_gate_refuse(client, personas, county, household, gate):
    pass_obj = issue_pass(
        actor=None,
        type="household",
        division=county.grid1a,
        household=household,
        valid_from=timezone.now() - timedelta(days=1),
        valid_until=timezone.now() + timedelta(days=1),
    )
    login(client, personas["grid1a"])
    client.post(reverse("passes:pass_revoke", args=[pass_obj.pk]), {"reason": "搬离"})
    pass_obj.refresh_from_db()
    assert pass_obj.revoked_at is not None
    login(client, personas["checkpoint"])
    response = client.post(
        reverse("passes:gate_check"),
        {"place": gate.pk, "direction": "out", "token": token_for(pass_obj)},
    )
    page = response.content.decode()
    assert "劝返" in page and "通行证已作废" in page
    check = PassCheck.objects.get()
    assert check.checked_by == personas["checkpoint"] and check.reason == "revoked"


def test_gate_check_outside_open_hours(client, personas, county, household, gate):
    # Hours that exclude now, whatever the time of the test run.
    now = timezone.localtime()
    opens = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    closes = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    if opens >= closes:  # near midnight: use an early-morning window instead
        opens, closes = time(0, 0), time(0, 1) if now.hour else time(23, 0)
    save_rule(actor=None, division=county.village1, opens_at=opens, closes_at=closes)
    pass_obj = issue_pass(
        actor=None,
        type="household",
        division=county.grid1a,
        household=household,
        valid_from=timezone.now() - timedelta(days=1),
        valid_until=timezone.now() + timedelta(days=1),
    )
    login(client, personas["checkpoint"])
    response = client.post(
        reverse("passes:gate_check"),
        {"place": gate.pk, "direction": "out", "token": token_for(pass_obj)},
    )
    page = response.content.decode()
    assert "不在开放时间内" in page
    login(client, personas["town1"])
    refusals = client.get(reverse("passes:check_list"), {"outcome": "refused"}).content.decode()
    assert "不在开放时间内" in refusals and "东村村口" in refusals


def test_gate_of_another_township_is_not_a_choice(client, personas, county):
    other = create_place(type="village_gate", name="西村村口", division=county.village2)
    login(client, personas["checkpoint"])
    response = client.post(
        reverse("passes:gate_check"), {"place": other.pk, "direction": "out", "token": "x"}
    )
    assert response.status_code == 400
    assert not PassCheck.objects.exists()


def test_rule_pages(client, personas, county):
    login(client, personas["town1"])
    response = client.post(
        reverse("passes:rule_create"),
        {
            "division": county.village1.pk,
            "opens_at": "07:30",
            "closes_at": "21:00",
            "exit_interval_days": "2",
        },
    )
    assert response.url == reverse("passes:rule_list")
    rule = ClosedManagementRule.objects.get(is_active=True)
    assert rule.exit_interval_days == 2 and not rule.admit_outsiders
    page = client.get(reverse("passes:rule_list")).content.decode()
    assert "07:30–21:00" in page and "每2天一人一次" in page
    # Outside the jurisdiction: not a choice.
    response = client.post(
        reverse("passes:rule_create"),
        {"division": county.village2.pk, "opens_at": "07:30", "closes_at": "21:00"},
    )
    assert response.status_code == 400


def test_pass_list_is_restricted(client, personas, county, household):
    other = create_household(actor=None, division=county.grid2a, number="X1", address="西村1号")
    for h, grid in ((household, county.grid1a), (other, county.grid2a)):
        issue_pass(
            actor=None,
            type="household",
            division=grid,
            household=h,
            valid_from=timezone.now(),
            valid_until=timezone.now() + timedelta(days=1),
        )
    login(client, personas["grid1a"])
    page = client.get(reverse("passes:pass_list")).content.decode()
    assert "东村1号" in page and "西村1号" not in page


def test_person_without_a_pass_is_turned_back_and_recorded(client, personas, county, gate):
    login(client, personas["checkpoint"])
    response = client.post(
        reverse("passes:gate_check"), {"place": gate.pk, "direction": "in", "no_pass": "1"}
    )
    page = response.content.decode()
    assert "劝返" in page and "非本小区（村）人员" in page
    check = PassCheck.objects.get()
    assert check.pass_obj is None and check.reason == "outsider" and check.direction == "in"


def test_empty_code_is_asked_for(client, personas, gate):
    login(client, personas["checkpoint"])
    response = client.post(reverse("passes:gate_check"), {"place": gate.pk, "direction": "out"})
    assert response.status_code == 400 and "请扫描或输入通行证码" in response.content.decode()
    assert not PassCheck.objects.exists()


def test_lifting_a_rule_opens_the_gate(client, personas, county, household, gate):
    rule = save_rule(
        actor=None, division=county.village1, opens_at=time(7, 30), closes_at=time(7, 31)
    )
    login(client, personas["town1"])
    response = client.post(reverse("passes:rule_lift", args=[rule.pk]))
    assert response.url == reverse("passes:rule_list")
    rule.refresh_from_db()
    assert not rule.is_active
    from shuangying.passes.services import rule_for

    assert rule_for(gate.division) is None

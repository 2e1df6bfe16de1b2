"""A pass refused outside open hours at the one gate page (卡口核验), in Chromium at 375 px (C4)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from shuangying.passes.models import PassCheck
from shuangying.passes.services import issue_pass, save_rule
from shuangying.passes.tokens import token_for
from shuangying.people.services import create_household
from shuangying.places.services import create_place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def closed_hours_now():
    """An open window that excludes the current local time."""
    now = timezone.localtime()
    start = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    if start >= end:  # the window would wrap past midnight
        return (time(12, 0), time(13, 0)) if now.hour < 12 else (time(6, 0), time(7, 0))
    return start, end


def test_pass_refused_outside_open_hours(page, log_in, personas, county):
    opens, closes = closed_hours_now()
    save_rule(actor=None, division=county.village1, opens_at=opens, closes_at=closes)
    gate = create_place(type="compound_entrance", name="东村一组大门", division=county.grid1a)
    household = create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")
    pass_obj = issue_pass(
        actor=None,
        type="household",
        division=county.grid1a,
        household=household,
        valid_from=timezone.now() - timedelta(days=1),
        valid_until=timezone.now() + timedelta(days=7),
    )
    log_in("grid1a")
    page.get_by_role("link", name="卡口核验").click()
    page.select_option("#cp-checkpoint", str(gate.pk))
    # A hardware scanner types the code and Enter into the one input the gate page has.
    page.fill("#cp-scan-input", token_for(pass_obj))
    page.press("#cp-scan-input", "Enter")
    result = page.get_by_test_id("check-result")
    result.wait_for()
    assert page.locator("#cp-result-word").inner_text() == "劝返"
    assert "不在开放时间内" in page.locator("#cp-result-detail").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check = PassCheck.objects.get()
    assert check.outcome == "refused" and check.reason == "outside_hours"
    # The gate stays selected for the next person; a person with no pass is turned back too.
    assert page.locator("#cp-checkpoint").input_value() == str(gate.pk)
    page.get_by_role("button", name="无证人员劝返").click()
    page.wait_for_function(
        "() => document.getElementById('cp-result-detail').textContent.includes('非本')"
    )
    assert PassCheck.objects.count() == 2
    # The old address leads to the one gate page.
    page.goto(f"/passes/gate/?place={gate.pk}")
    assert page.url.endswith(f"/checkpoints/?place={gate.pk}")

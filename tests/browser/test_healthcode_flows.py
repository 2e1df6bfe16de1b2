"""The health-code page and its verification, in Chromium at 375 px (D1, D2)."""

import pytest
from django.utils import timezone

from shuangying.healthcodes.services import ensure_default_rules, record_health_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_code_page_then_verification(page, log_in, personas, people):
    ensure_default_rules()  # a transactional test before this one flushed migration data
    record_health_event(
        person=people.in_grid1a,
        kind="close_contact",
        occurred_at=timezone.now(),
        source="tracing",
    )
    log_in("grid1a")
    page.goto(f"/people/{people.in_grid1a.pk}/")
    page.locator("main").get_by_role("link", name="健康码").click()
    code = page.get_by_test_id("health-code")
    code.wait_for()
    assert code.get_attribute("data-colour") == "red"
    assert "密切接触者" in code.inner_text()
    assert page.locator("svg[aria-label='健康码']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="验码").last.click()
    result = page.get_by_test_id("verify-result")
    result.wait_for()
    assert result.get_attribute("data-valid") == "true"
    assert "红码" in result.inner_text() and "张**" in result.inner_text()
    # A tampered code is refused.
    token = page.url.split("t=", 1)[1]
    page.fill("#id_token", token[:-4] + "AAAA")
    page.get_by_role("button", name="验码").click()
    page.get_by_test_id("verify-result").wait_for()
    assert page.get_by_test_id("verify-result").get_attribute("data-valid") == "false"

"""The gate page answers each check with one large, coloured result (issue 16): a fever is
送发热门诊 in red, and the person's health code turns yellow once the record is uploaded."""

import pytest

from shuangying.checkpoints.models import CheckpointRecord
from shuangying.checkpoints.tests.factories import make_checkpoint
from shuangying.healthcodes.engine import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_fever_gets_a_large_red_result_and_turns_the_code(page, log_in, personas, county, people):
    make_checkpoint(county.village1, "东村卡点", "village_gate")
    log_in("checkpoint")
    page.get_by_role("link", name="卡口核验").click()
    result = page.get_by_test_id("check-result")
    assert result.is_hidden()
    page.fill("#cp-scan-input", people.in_grid1a.reveal_id_number())
    page.press("#cp-scan-input", "Enter")
    assert page.input_value("#cp-id-number") == people.in_grid1a.reveal_id_number()
    page.fill("#cp-temperature", "38.2")
    page.get_by_role("button", name="送发热门诊").click()
    result.wait_for()
    assert page.locator("#cp-result-word").inner_text() == "送发热门诊"
    assert "38.2℃ 发热" in page.locator("#cp-result-detail").inner_text()
    size = page.eval_on_selector("#cp-result-word", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36
    background = page.eval_on_selector("#cp-result", "e => getComputedStyle(e).backgroundColor")
    assert background == page.evaluate(
        "() => { const d = document.createElement('div'); d.style.color = 'var(--red)';"
        " document.body.appendChild(d); const c = getComputedStyle(d).color; d.remove(); return c; }"
    )
    page.wait_for_function("() => document.getElementById('pending-count').textContent === '0'")
    record = CheckpointRecord.objects.get()
    assert record.is_fever and record.person == people.in_grid1a
    assert current_code(people.in_grid1a).colour == "yellow"
    # A normal check next: 放行 in the other colour.
    page.fill("#cp-id-number", people.in_grid1b.reveal_id_number())
    page.fill("#cp-temperature", "36.5")
    page.get_by_role("button", name="放行").click()
    page.wait_for_function("() => document.getElementById('cp-result-word').textContent === '放行'")
    assert page.eval_on_selector("#cp-result", "e => getComputedStyle(e).backgroundColor") != (
        background
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

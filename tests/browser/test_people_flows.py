"""The flows grid workers and the command use, in a real Chromium at 375 px (B1, B2, M1)."""

import pytest

from shuangying.people.models import Person
from shuangying.people.services import create_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_and_search_a_person(page, log_in, personas, people):
    log_in("grid1a")
    page.get_by_role("link", name="人员台账").click()
    assert page.locator("#person-table").inner_text().count("张一甲") == 1
    # Search by the last four digits of the phone; the sibling grid's person never shows.
    page.fill("#id_q", "1111")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**q=1111**")
    table = page.locator("#person-table").inner_text()
    assert "张一甲" in table and "138****1111" in table
    page.fill("#id_q", "2222")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**q=2222**")
    assert "没有符合条件的人员" in page.locator("#person-table").inner_text()
    # Nothing overflows a 375 px phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_open_a_household_file_and_reveal_with_reason(page, log_in, personas, people, county):
    household = create_household(
        actor=None, division=county.grid1a, number="H001", address="东村一组1号"
    )
    Person.objects.filter(pk=people.in_grid1a.pk).update(
        household=household, relation_to_head="head"
    )
    log_in("town1")
    page.goto(f"/people/{people.in_grid1a.pk}/")
    page.get_by_role("link", name="东村一组1号").click()
    assert "一户一档" in page.locator("h1").inner_text()
    assert "户主" in page.content()
    page.go_back()
    page.select_option("#id_purpose", "contact")
    page.fill("#id_reason", "核实联系方式")
    page.get_by_role("button", name="查看明文").click()
    revealed = page.get_by_test_id("revealed-id")
    revealed.wait_for()
    assert revealed.inner_text() == people.in_grid1a.reveal_id_number()

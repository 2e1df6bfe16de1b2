"""The person list on a 375 px phone: the filters beyond the search box fold away, so the
first result is on the first screen; on a wide screen they are all shown."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_result_top(page):
    return page.locator("#person-results a[href^='/people/']").first.bounding_box()["y"]


def test_filters_fold_on_a_phone(page, log_in, personas, people):
    log_in("town1")
    page.goto("/people/")
    page.wait_for_load_state("networkidle")
    assert not page.locator("#id_sex").is_visible()
    assert page.locator("#id_q").is_visible()
    assert first_result_top(page) < 800
    page.get_by_text("更多筛选").click()
    assert page.locator("#id_sex").is_visible()


def test_filters_stay_open_on_a_wide_screen(page, log_in, personas, people):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in("town1")
    page.goto("/people/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_sex").is_visible()
    assert not page.get_by_text("更多筛选").is_visible()

"""The menu as a person sees it: at 1,366 px the four lines of work in one row with the current
group's entries under it; at 375 px one row naming where you are and a "更多" sheet with the
whole menu. Nothing runs off the screen and the current group and entry are always marked."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_desktop_menu_fits_and_marks_where_you_are(page, log_in, personas, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in("county")
    page.goto("/healthcodes/rules/")
    nav = page.get_by_test_id("nav")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert not page.get_by_test_id("nav-drawer").is_visible()
    groups = nav.locator(".nav-groups a").all_inner_texts()
    assert groups == ["首页", "防控", "复工复产", "保障", "系统"]
    assert nav.locator(".nav-groups a[aria-current]").inner_text() == "防控"
    assert nav.locator(".nav-items a[aria-current=page]").inner_text() == "健康码"
    page.get_by_role("link", name="保障").click()
    page.wait_for_load_state()
    assert nav.locator(".nav-items a[aria-current=page]").inner_text() == "应急物资"


def test_phone_menu_is_one_row_with_a_sheet(page, log_in, personas, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    page.set_viewport_size({"width": 375, "height": 800})
    log_in("county")
    page.goto("/healthcodes/rules/")
    nav = page.get_by_test_id("nav")
    drawer = page.get_by_test_id("nav-drawer")
    # Closed: one row, naming the current group and entry.
    assert not nav.locator(".nav-groups").is_visible()
    assert not nav.locator(".nav-items").is_visible()
    here = page.get_by_test_id("nav-here")
    assert here.is_visible() and here.inner_text() == "防控 · 健康码"
    assert nav.bounding_box()["height"] < 60
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Open: every group and entry, the current one marked, all on screen.
    drawer.get_by_text("更多").click()
    sheet = drawer.locator(".nav-sheet")
    assert sheet.is_visible()
    assert sheet.locator("h2").all_inner_texts() == ["防控", "复工复产", "保障", "系统"]
    assert sheet.locator("a[aria-current=page]").inner_text() == "健康码"
    for link in sheet.locator("a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    sheet.get_by_role("link", name="物资调用").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("nav-here").inner_text() == "保障 · 物资调用"
    assert not page.get_by_test_id("nav-drawer").locator(".nav-sheet").is_visible()

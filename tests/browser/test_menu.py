"""The menu as a person sees it: at 375 px and at 1,366 px nothing runs off the screen, the
four lines of work are there, and the current group and entry are marked."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1366])
def test_menu_fits_and_marks_where_you_are(page, log_in, personas, width, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    page.set_viewport_size({"width": width, "height": 800})
    log_in("county")
    page.goto("/healthcodes/rules/")
    nav = page.get_by_test_id("nav")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    groups = nav.locator(".nav-groups a").all_inner_texts()
    assert groups == ["首页", "防控", "复工复产", "保障", "系统"]
    assert nav.locator(".nav-groups a[aria-current]").inner_text() == "防控"
    assert nav.locator(".nav-items a[aria-current=page]").inner_text() == "健康码"
    # Every entry of the current group is on screen, none hidden in a sideways scroll.
    for link in nav.locator(".nav-items a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.get_by_role("link", name="保障").click()
    page.wait_for_load_state()
    assert nav.locator(".nav-items a[aria-current=page]").inner_text() == "应急物资"

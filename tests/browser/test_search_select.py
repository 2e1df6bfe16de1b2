"""Choosing among many by typing (core/lookups.py), in Chromium at 375 px: type, pick, the
form carries the chosen value; nothing of the long list is on the page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_a_grid_by_typing(page, log_in, personas, county, settings, monkeypatch):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    monkeypatch.setattr("shuangying.core.lookups.LIST_LIMIT", 0)
    log_in("county")
    page.goto("/people/new/")
    assert page.locator("select#id_division").count() == 0
    box = page.locator("#id_division")
    box.fill("西村")
    option = page.locator(".lookup-option", has_text="二镇西村西村一网格")
    option.click()
    assert box.input_value() == "二镇西村西村一网格"
    hidden = page.locator("input[type=hidden][name=division]")
    assert hidden.input_value() == str(county.grid2a.pk)
    assert page.locator(".lookup-option").count() == 0  # the list closes once a choice is made
    box.fill("东")  # typing again drops the old choice
    assert hidden.input_value() == ""

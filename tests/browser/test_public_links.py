"""A resident who has just checked in finds their health code from the success page, and from
the header of every public page (issue 16)."""

from urllib.parse import urlsplit

import pytest

from shuangying.places.services import create_place
from shuangying.places.tokens import checkin_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_check_in_to_my_health_code(page, county, people):
    """A registered resident, bound by name and registry phone on this scan."""
    place = create_place(type="supermarket", name="东村惠民超市", division=county.grid1a)
    poster_path = urlsplit(checkin_url(place.codes.get(), "http://testserver")).path
    page.goto(poster_path)
    assert page.get_by_test_id("my-code-link").is_visible()
    person = people.in_grid1a
    page.fill("#id_name", person.name)
    page.fill("#id_id_number", person.reveal_id_number())
    page.fill("#id_phone", "13800001111")  # the registry's phone for this person
    page.fill("#id_temperature", "36.6")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("result-title").inner_text() == "登记成功"
    page.get_by_test_id("my-code-button").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/healthcodes/my/"
    assert page.get_by_test_id("my-code").count() == 1

"""A resident who has just checked in finds their health code from the success page, and from
the header of every public page (issue 16)."""

from datetime import date
from urllib.parse import urlsplit

import pytest

from shuangying.people.identity import make_resident_id
from shuangying.places.services import create_place
from shuangying.places.tokens import checkin_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_check_in_to_my_health_code(page, county):
    place = create_place(type="supermarket", name="东村惠民超市", division=county.grid1a)
    poster_path = urlsplit(checkin_url(place.codes.get())).path
    page.goto(poster_path)
    assert page.get_by_test_id("my-code-link").is_visible()
    page.fill("#id_name", "周初次")
    page.fill("#id_id_number", make_resident_id("130682", date(1988, 8, 8), 77))
    page.fill("#id_phone", "13912340077")
    page.fill("#id_temperature", "36.6")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("result-title").inner_text() == "登记成功"
    page.get_by_test_id("my-code-button").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/healthcodes/my/"
    assert page.get_by_test_id("my-code").count() == 1

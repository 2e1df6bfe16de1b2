"""The public check-in in Chromium at 375 px (C2): a first check-in from the poster's URL,
then a one-tap second one on the same phone."""

from datetime import date
from urllib.parse import urlsplit

import pytest

from shuangying.checkins.models import CheckIn
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Person
from shuangying.places.services import create_place
from shuangying.places.tokens import checkin_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_checkin_then_one_tap(page, county, people):
    """A registered resident whose name and registry phone match is bound on the first scan:
    the result shows their code, and the next scan is one tap."""
    place = create_place(type="supermarket", name="东村惠民超市", division=county.grid1a)
    poster_path = urlsplit(checkin_url(place.codes.get(), "http://testserver")).path
    person = people.in_grid1a

    page.goto(poster_path)
    assert page.get_by_test_id("place").inner_text() == "东村惠民超市"
    page.fill("#id_name", person.name)
    page.fill("#id_id_number", person.reveal_id_number())
    page.fill("#id_phone", "13800001111")  # the registry's phone for this person
    page.fill("#id_temperature", "36.6")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("result-title").inner_text() == "登记成功"
    assert "东村惠民超市" in page.get_by_test_id("place").inner_text()
    assert page.get_by_test_id("code").count() == 1
    # The submit button is big enough to hit with a thumb, and nothing overflows 375 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(poster_path)
    assert person.name[0] in page.get_by_test_id("me").inner_text()
    page.get_by_test_id("tap").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("result-title").inner_text() == "登记成功"
    assert CheckIn.objects.filter(person=person, place=place).count() == 2
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    number = person.reveal_id_number()
    assert all(number not in value for value in cookies.values())


def test_an_unknown_number_is_recorded_without_a_code(page, county):
    """An ID the registry does not know is recorded for tracing, but the phone is not trusted
    with anyone's health status: no code, no one-tap."""
    place = create_place(type="supermarket", name="西村便民店", division=county.grid1a)
    poster_path = urlsplit(checkin_url(place.codes.get(), "http://testserver")).path
    number = make_resident_id("130682", date(1988, 8, 8), 77)

    page.goto(poster_path)
    page.fill("#id_name", "周初次")
    page.fill("#id_id_number", number)
    page.fill("#id_phone", "13912340077")
    page.fill("#id_temperature", "36.6")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("code").count() == 0
    person = Person.objects.get(name="周初次")
    assert not person.is_verified and person.division_id == county.grid1a.pk
    assert CheckIn.objects.filter(person=person, place=place).count() == 1
    page.goto(poster_path)
    assert page.get_by_test_id("tap").count() == 0

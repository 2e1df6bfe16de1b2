"""Ledger pages are shorter on phones, where every row is a card."""

from django.test import RequestFactory

from shuangying.pages import page_size

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def test_phones_get_twenty_rows_and_desks_fifty():
    rf = RequestFactory()
    assert page_size(rf.get("/people/")) == 50
    assert page_size(rf.get("/people/", HTTP_USER_AGENT=IPHONE)) == 20
    assert page_size(rf.get("/people/", HTTP_SEC_CH_UA_MOBILE="?1")) == 20
    # A desktop Chromium that says it is not mobile stays at fifty.
    assert page_size(rf.get("/people/", HTTP_SEC_CH_UA_MOBILE="?0")) == 50


def test_a_chosen_size_wins():
    rf = RequestFactory()
    assert page_size(rf.get("/people/", {"size": "100"}, HTTP_USER_AGENT=IPHONE)) == 100
    assert page_size(rf.get("/people/", {"size": "7"}, HTTP_USER_AGENT=IPHONE)) == 20

"""Search-as-you-type choices: the page sends none of the thousands of options, the endpoint
answers within the user's jurisdiction exactly as the form would accept."""

import pytest
from django.test import Client
from django.urls import reverse

from shuangying.people.services import create_household
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(county):
    return {
        "own": create_household(
            actor=None, division=county.grid1a, number="A-01", address="东村幸福路1号"
        ),
        "other": create_household(
            actor=None, division=county.grid2a, number="B-01", address="西村幸福路9号"
        ),
    }


def lookup(client, field, term=""):
    return client.get(reverse("core:lookup"), {"field": field, "term": term})


def test_matches_stay_within_the_jurisdiction(personas, households):
    client = Client()
    login(client, personas["grid1a"])
    html = lookup(client, "people.person.household", "幸福路").content.decode()
    assert "东村幸福路1号" in html and "西村幸福路9号" not in html
    assert f'data-value="{households["own"].pk}"' in html
    assert "没有符合的结果" in lookup(client, "people.person.household", "不存在").content.decode()


def test_divisions_are_named_in_full(personas, county):
    client = Client()
    login(client, personas["town1"])
    html = lookup(client, "people.person.division", "网格").content.decode()
    assert "一镇东村东村一网格" in html and "西村" not in html


def test_unknown_field_is_404_and_a_role_without_the_form_is_403(personas):
    client = Client()
    login(client, personas["auditor"])
    assert lookup(client, "no.such.field").status_code == 404
    assert lookup(client, "people.person.household").status_code == 403


def test_the_new_person_page_sends_no_list_of_households(personas, households, monkeypatch):
    monkeypatch.setattr("shuangying.core.lookups.LIST_LIMIT", 1)
    client = Client()
    login(client, personas["county"])
    html = client.get(reverse("people:person_create")).content.decode()
    assert "幸福路" not in html and "东村一网格" not in html
    assert 'name="household"' in html and "lookup/?field=people.person.household" in html


def test_a_short_list_stays_a_drop_down(personas, households):
    client = Client()
    login(client, personas["grid1a"])
    html = client.get(reverse("people:person_create")).content.decode()
    assert f'<option value="{households["own"].pk}">东村幸福路1号</option>' in html
    assert "lookup/?field=people.person.household" not in html


def test_a_chosen_value_shows_its_name(personas, people, monkeypatch):
    monkeypatch.setattr("shuangying.core.lookups.LIST_LIMIT", 0)
    client = Client()
    login(client, personas["grid1a"])
    html = client.get(reverse("people:person_update", args=[people.in_grid1a.pk])).content
    assert 'value="一镇东村东村一网格"' in html.decode()  # the current grid, in the search box

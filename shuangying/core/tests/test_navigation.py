"""The menu marks where you are, from the route (not the path), for every page of an app."""

import pytest
from django.test import Client
from django.urls import reverse

from shuangying.testing import login

pytestmark = pytest.mark.django_db


def marked(html: str) -> list[str]:
    """What the desktop rows mark, then checks that the phone sheet marks the same entry."""
    import re

    active = r'<a href="[^"]*" class="active" aria-current="(?:page|true)">([^<]+)</a>'
    rows, _sep, sheet = html.partition('class="nav-drawer"')
    found = re.findall(active, rows)
    assert re.findall(active, sheet.split("</details>")[0]) == found[-1:]
    return found


@pytest.mark.parametrize(
    ("persona", "url", "group", "item"),
    [
        ("county", reverse("healthcodes:ruleset_list"), "防控", "健康码"),
        ("county", reverse("healthcodes:verify"), "防控", "健康码"),
        ("county", reverse("healthcodes:override_list"), "防控", "健康码"),
        ("county", reverse("healthcodes:appeal_list"), "防控", "健康码"),
        ("county", "/people/households/", "防控", "一户一档"),
        ("county", "/people/staff-survey/", "复工复产", "单位人员摸底"),
        ("county", "/checkpoints/fevers/", "防控", "发热预警"),
        ("county", "/supplies/moves/", "保障", "应急物资"),
        ("security", "/accounts/lockouts/", "系统", "用户管理"),
    ],
)
def test_the_current_group_and_item_are_marked(personas, persona, url, group, item):
    client = Client()
    login(client, personas[persona])
    html = client.get(url).content.decode()
    assert marked(html) == [group, item]
    assert f'data-testid="nav-here">{group} · {item}</span>' in html


def test_trajectory_and_visitors_mark_their_owner(personas, people, county):
    from shuangying.places.services import create_place

    place = create_place(type="supermarket", name="东村超市", division=county.grid1a)
    client = Client()
    login(client, personas["county"])
    trajectory = reverse("checkins:person_trajectory", args=[people.in_grid1a.pk])
    assert marked(client.get(trajectory).content.decode()) == ["防控", "人员台账"]
    visitors = reverse("checkins:place_visitors", args=[place.pk])
    assert marked(client.get(visitors).content.decode()) == ["防控", "场所码"]


def test_sub_tabs_mark_the_current_one(personas):
    client = Client()
    login(client, personas["county"])
    html = client.get(reverse("healthcodes:appeal_list")).content.decode()
    assert (
        'class="btn secondary small active" href="/healthcodes/appeals/" aria-current="page"'
        in html
    )
    assert html.count("btn secondary small active") == 1


def test_the_home_page_marks_home_only(personas):
    client = Client()
    login(client, personas["grid1a"])
    assert marked(client.get("/").content.decode()) == ["首页"]


def test_the_home_page_maps_every_entry_this_role_has(personas):
    client = Client()
    login(client, personas["town1"])
    html = client.get("/").content.decode()
    work_map = html.split('data-testid="work-map"')[1].split("</div>")[0]
    assert "防控" in work_map and "人员台账" in work_map and "用户管理" not in work_map

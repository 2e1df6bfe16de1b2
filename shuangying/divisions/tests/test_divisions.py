"""A1 (tree, codes, subtree query) and A3 (assignments)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangying.divisions.models import Division
from shuangying.divisions.services import assign_responsibility, create_division
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def test_paths_and_levels(county):
    assert county.county.path == "130682/"
    assert county.grid1a.path == "130682/100/201/01/"
    assert county.grid1a.level == 5 and county.village1.level == 3
    assert [d.name for d in county.grid1a.ancestors()] == ["示范县", "一镇", "东村"]


def test_subtree_is_one_query(county):
    with CaptureQueriesContext(connection) as ctx:
        names = set(Division.objects.subtree(county.town1).values_list("name", flat=True))
    assert names == {"一镇", "东村", "东村一网格", "东村二网格"}
    assert len(ctx.captured_queries) == 1
    assert "LIKE" in ctx.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "kind, code, message",
    [
        ("street", "130682150000", "街道001–099"),  # a street must be 001–099
        ("town", "130682250000", "镇100–199"),
        ("town", "130683100000", "前6位"),  # another county's code
        ("village", "130682100000", "后3位不为000"),
        ("grid", "网格一", "1–6位字母或数字"),
    ],
)
def test_codes_follow_gb_t_10114(county, kind, code, message):
    parent = {
        "street": county.county,
        "town": county.county,
        "village": county.town1,
        "grid": county.village1,
    }[kind]
    with pytest.raises(ValidationError, match=message):
        create_division(parent=parent, kind=kind, code=code, name="测试")


def test_level_order_is_enforced(county):
    with pytest.raises(ValidationError, match="不能直接隶属于"):
        create_division(parent=county.grid1a, kind="village", code="130682100202", name="错")


def test_tree_page_counts_people(client, personas, people, county):
    login(client, personas["county"])
    html = client.get(
        reverse("divisions:division_detail", args=[county.county.pk])
    ).content.decode()
    assert "一镇" in html and "二镇" in html
    login(client, personas["grid1a"])
    assert (
        client.get(reverse("divisions:division_detail", args=[county.grid1a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("divisions:division_detail", args=[county.grid1b.pk])).status_code == 404
    )
    # An ancestor is not opened as a page by someone below it.
    assert (
        client.get(reverse("divisions:division_detail", args=[county.village1.pk])).status_code
        == 404
    )


def test_assignment_shows_on_object_and_leader_pages(client, personas, county):
    leader = personas["county"]
    assign_responsibility(target=county.town1, leader=leader, duty="包联领导")
    login(client, personas["town1"])
    html = client.get(county.town1.get_absolute_url()).content.decode()
    assert "包联领导" in html and str(leader) in html
    html = client.get(reverse("divisions:leader_assignments", args=[leader.pk])).content.decode()
    assert "一镇" in html


def test_assignment_form(client, personas, county):
    login(client, personas["county"])
    url = reverse("divisions:assignment_create", args=[county.town2.pk])
    assert client.post(url, {"duty": "包联"}).status_code == 400
    assert client.post(url, {"duty": "包联", "unit": county.health.pk}).status_code == 302
    assert "卫健局" in client.get(county.town2.get_absolute_url()).content.decode()
    login(client, personas["grid1a"])
    assert client.post(url, {"duty": "包联", "unit": county.health.pk}).status_code == 403

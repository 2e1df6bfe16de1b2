"""The division tree over the API (A1, A4): restricted, filtered, paginated."""

import pytest

from shuangying.testing import login

pytestmark = pytest.mark.django_db


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_grid_worker_sees_the_grid_and_the_way_up(client, personas):
    login(client, personas["grid1a"])
    # Ancestors are visible (breadcrumbs); siblings and other towns are not.
    assert names(client.get("/api/divisions")) == ["示范县", "一镇", "东村", "东村一网格"]


def test_township_officer_sees_the_township_subtree(client, personas):
    login(client, personas["town1"])
    assert names(client.get("/api/divisions")) == [
        "示范县",
        "一镇",
        "东村",
        "东村一网格",
        "东村二网格",
    ]


def test_filters(client, county, personas):
    login(client, personas["county"])
    assert names(client.get(f"/api/divisions?parent={county.village1.pk}")) == [
        "东村一网格",
        "东村二网格",
    ]
    assert names(client.get("/api/divisions?level=5")) == ["东村一网格", "东村二网格", "西村一网格"]
    assert names(client.get("/api/divisions?q=西村")) == ["西村", "西村一网格"]
    assert names(client.get("/api/divisions?q=130682101")) == ["二镇", "西村"]
    response = client.get("/api/divisions?level=9")
    assert response.status_code == 422
    assert response.json()["field"] == "level"
    assert response.json()["message"].startswith("层级：")


def test_pagination_counts_the_whole_list(client, personas):
    login(client, personas["county"])
    body = client.get("/api/divisions?limit=3&offset=3").json()
    assert body["count"] == 8 and body["limit"] == 3 and body["offset"] == 3
    assert [d["name"] for d in body["items"]] == ["东村一网格", "东村二网格", "二镇"]


def test_detail_is_404_outside_the_jurisdiction(client, county, personas):
    login(client, personas["grid1a"])
    response = client.get(f"/api/divisions/{county.grid1a.pk}")
    assert response.status_code == 200
    assert response.json()["full_name"] == "一镇东村东村一网格"
    assert client.get(f"/api/divisions/{county.grid1b.pk}").status_code == 404
    assert client.get(f"/api/divisions/{county.grid2a.pk}").status_code == 404


def test_role_without_division_permission_is_403(client, personas):
    login(client, personas["auditor"])
    assert client.get("/api/divisions").status_code == 403

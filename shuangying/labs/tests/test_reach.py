"""Per-item jurisdiction on results: a lab's own staff record results only for the samples
and tubes booked at their lab, a user of the whole county for every lab, a township's user
for the labs in their township. A barcode out of reach answers as an unknown one does (no
existence oracle), in the API, the sheet and the result-entry page alike."""

import pytest
from django.urls import reverse

from shuangying.imports.tests.xlsx import make_xlsx
from shuangying.labs.models import Pool, Sample
from shuangying.labs.services import ResultItem, create_lab, record_results, take_sample
from shuangying.labs.sheets import import_result_sheet
from shuangying.testing import login, make_user

from .conftest import at

pytestmark = pytest.mark.django_db

NOT_FOUND = "未找到样本或混采管"


@pytest.fixture
def world(county, people):
    labs = [
        create_lab(name="甲实验室", division=county.county, daily_capacity=5),
        create_lab(name="乙实验室", division=county.county, daily_capacity=5),
    ]
    town_lab = create_lab(name="丙实验室", division=county.town1, daily_capacity=5)
    by_lab = {"A": labs[0], "B": labs[1], "C": town_lab}
    for key, lab in by_lab.items():
        take_sample(person=people.in_grid1a, barcode=f"S{key}", lab=lab, sampled_at=at(10))
    take_sample(
        person=people.in_grid1a,
        barcode="M1",
        lab=labs[1],
        sampled_at=at(10),
        pool_barcode="PB",
        pool_size=5,
    )
    assert Pool.objects.get(barcode="PB").lab == labs[1]
    assert all(Sample.objects.get(barcode=f"S{k}").lab == lab for k, lab in by_lab.items())
    own = make_user("own", "lab_staff", [county.county])
    labs[0].staff.add(own)
    actors = {
        "own": own,
        "county": make_user("countylab", "lab_staff", [county.county]),
        "town": make_user("townlab", "lab_staff", [county.town1]),
    }
    return actors


# (actor, barcode) -> recorded?  SA/SB/SC: single samples at labs A, B and C (C in town1);
# PB: a pooled tube at lab B. "own" is lab A's staff.
TABLE = [
    ("own", "SA", True),
    ("own", "SB", False),
    ("own", "PB", False),
    ("own", "SC", False),
    ("county", "SA", True),
    ("county", "SB", True),
    ("county", "PB", True),
    ("town", "SC", True),
    ("town", "SA", False),
    ("town", "PB", False),
]


def resulted(barcode) -> bool:
    row = Sample.objects.filter(barcode=barcode).first() or Pool.objects.get(barcode=barcode)
    return bool(row.result)


@pytest.mark.parametrize(("actor", "barcode", "ok"), TABLE)
def test_api(client, world, actor, barcode, ok):
    login(client, world[actor])
    r = client.post(
        "/api/samples/results",
        {
            "items": [
                {"barcode": barcode, "result": "阴性", "resulted_at": "2020-02-10T20:00:00+08:00"},
                {"barcode": "NOPE", "result": "阴性", "resulted_at": "2020-02-10T20:00:00+08:00"},
            ]
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    mine, unknown = r.json()["items"]
    assert resulted(barcode) is ok
    if ok:
        assert mine["status"] == "recorded"
    else:
        # Exactly the unknown barcode's answer, but for the barcode itself.
        assert (mine["status"], mine["field"]) == (unknown["status"], unknown["field"])
        assert mine["message"] == unknown["message"].replace("NOPE", barcode)


def test_api_other_items_still_recorded(client, world):
    login(client, world["own"])
    r = client.post(
        "/api/samples/results",
        {
            "items": [
                {"barcode": "SB", "result": "阴性", "resulted_at": "2020-02-10T20:00:00+08:00"},
                {"barcode": "SA", "result": "阴性", "resulted_at": "2020-02-10T20:00:00+08:00"},
            ]
        },
        content_type="application/json",
    )
    assert [i["status"] for i in r.json()["items"]] == ["error", "recorded"]
    assert resulted("SA") and not resulted("SB")


@pytest.mark.parametrize(("actor", "barcode", "ok"), TABLE)
def test_sheet(world, actor, barcode, ok):
    data = make_xlsx(["条码", "结果", "出结果时间"], [[barcode, "阴性", "2020-02-10 20:00"]])
    report = import_result_sheet(data, file_name="r.xlsx", user=world[actor], commit=True)
    assert report.committed is ok
    assert resulted(barcode) is ok
    if not ok:
        assert NOT_FOUND in str(report.errors)


@pytest.mark.parametrize(("actor", "barcode", "ok"), TABLE)
def test_page(client, world, actor, barcode, ok):
    login(client, world[actor])
    r = client.post(
        reverse("labs:result_entry"),
        {"barcode": barcode, "result": "negative", "resulted_at": "2020-02-10T20:00"},
    )
    assert r.status_code == (302 if ok else 400)
    assert resulted(barcode) is ok
    if not ok:
        assert NOT_FOUND in r.content.decode()


def test_system_reaches_every_lab(world):
    out = record_results(items=[ResultItem("SB", "negative", at(10, 20))], actor=None)
    assert out[0].status == "recorded"


def test_lookup_is_one_query_per_chunk(world, django_assert_max_num_queries):
    items = [ResultItem(b, "negative", at(10, 20)) for b in ("SA", "SB", "SC", "PB", "X")]
    with django_assert_max_num_queries(8):
        record_results(items=items, actor=world["own"], write=False)

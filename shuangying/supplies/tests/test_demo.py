"""The demo county's supplies ledger is Quwo's (seed 000), checked line by line."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from shuangying.supplies import demo, demo_data
from shuangying.supplies.choices import MoveKind, PurchaseStatus
from shuangying.supplies.models import (
    Donation,
    Issue,
    Item,
    Location,
    ProcessingRun,
    PurchaseLine,
    PurchaseRequest,
    StockMove,
)
from shuangying.supplies.reports import item_report, reserve_days

pytestmark = pytest.mark.django_db
D = Decimal

# From the seed, verbatim: item → (bought, donated, issued). The three categories of the
# seventeen bought items are 医疗防护, 消杀, 生活保障.
SEED_BOUGHT = {
    "一次性医用口罩": 10000,
    "医用外科口罩": 17960,
    "一次性医用橡胶手套": 30250,
    "医用防护服": 279,
    "医用白大褂": 812,
    "一次性医用手术帽": 500,
    "红外线体温监测仪": 58,
    "酒精": 1840,
    "含氯消毒剂": D("2.75"),
    "棉手套": 130,
    "防冻耳帽": 130,
    "雨衣": 300,
    "燃油喷雾器": 10,
    "超低容量喷雾器": 300,
    "储备箱": 20,
    "酒精小喷壶": 50,
    "单帐篷": 94,
}
SEED_DONATED = {
    "普通防护口罩": 21570,
    "次氯酸钠浓缩制剂": 3,
    "防尘口罩": 900,
    "普通防护手套": 42500,
    "医用外科口罩": 600,
}
SEED_ISSUED = {
    "普通防护口罩": 21570,
    "一次性医用口罩": 10000,
    "医用外科口罩": 12760,
    "一次性医用橡胶手套": 30157,
    "医用防护服": 272,
    "医用白大褂": 25,
    "一次性医用手术帽": 500,
    "红外线体温监测仪": 58,
    "酒精": 296,
    "含氯消毒剂": D("0.75"),
    "次氯酸钠消毒液": 221,
    "防尘口罩": 900,
    "普通防护手套": 36275,
    "棉手套": 90,
    "防冻耳帽": 90,
    "雨衣": 36,
    "超低容量喷雾器": 88,
    "储备箱": 15,
    "酒精小喷壶": 5,
    "单帐篷": 116,
    "棉帐篷": 100,
    "棉大衣": 791,
    "棉被": 351,
    "棉褥": 33,
    "棉衣裤": 8,
    "折叠床": 343,
}


@pytest.fixture
def quwo(county):
    made = demo.load_supplies(county.county)
    assert made is not None
    return made


def test_item_report_matches_the_seed_line_by_line(quwo):
    rows = {r.item: r for r in item_report(start=date(2020, 1, 24), end=date(2020, 3, 5))}
    for name, row in rows.items():
        bought = D(SEED_BOUGHT.get(name, 0))
        donated = D(SEED_DONATED.get(name, 0))
        issued = D(SEED_ISSUED.get(name, 0))
        assert row.purchased == bought, name
        assert row.donated == donated, name
        if name in SEED_ISSUED:
            assert row.issued == issued, name
        assert (
            row.opening
            + row.purchased
            + row.donated
            + row.processed_in
            - row.processed_out
            - row.issued
            + row.transferred
            == row.on_hand
        ), name
    masks = rows["医用外科口罩"]
    assert (masks.purchased, masks.donated, masks.issued, masks.on_hand) == (
        17960,
        600,
        12760,
        5800,
    )
    assert (rows["棉帐篷"].opening, rows["棉大衣"].opening) == (100, 791)
    assert rows["单帐篷"].opening + rows["单帐篷"].purchased == 116
    # 3 t of concentrate in, about 6.3 t (630 jugs of 10 L) out; 221 jugs issued.
    assert rows["次氯酸钠浓缩制剂"].processed_out == 3
    assert rows["次氯酸钠消毒液"].processed_in == 630
    assert rows["次氯酸钠消毒液"].on_hand == 630 - 221
    assert rows["酒精"].on_hand == 1840 - 296


def test_seventeen_items_in_three_categories_for_693740_yuan(quwo):
    lines = PurchaseLine.objects.filter(request__status=PurchaseStatus.RECEIVED)
    assert lines.count() == 17
    assert {line.item.category.name for line in lines} == {"医疗防护", "消杀", "生活保障"}
    assert sum(line.accepted_amount for line in lines) == D("693740.00")
    moved = sum(m.amount for m in StockMove.objects.filter(kind=MoveKind.PURCHASE))
    assert moved == demo_data.PURCHASED_TOTAL
    suits = lines.get(item__name="医用防护服")
    assert (suits.delivered, suits.accepted, suits.rejected) == (300, 279, 21)
    returned = PurchaseRequest.objects.get(number="CG-2020-002")
    assert returned.review_round == 2
    assert returned.reviews.filter(decision="returned").count() == 1


def test_donations_processing_batches(quwo):
    assert Donation.objects.count() == 5
    assert Donation.objects.filter(donor_kind="government", donor_name="大宁县人民政府").exists()
    run = ProcessingRun.objects.get()
    assert run.yield_ratio == D("2.1")  # 6.3 t out of 3 t
    reserve = Location.objects.get(name="县应急物资储备库")
    issues = Issue.objects.filter(order__source=reserve)
    assert issues.count() == 41
    assert not issues.exclude(status="signed").exists()


def test_grain_reserve_in_days(quwo):
    rows = {r.item: r for r in reserve_days()}
    grain = rows["储备粮（大米）"]
    assert grain.on_hand == 13400 and grain.issued == 190
    assert grain.days == D("150.0")
    assert rows["储备食用油"].issued == 50


def test_loads_once_and_reconciles(county, capsys):
    assert demo.load_supplies(county.county) is not None
    count = StockMove.objects.count()
    assert demo.load_supplies(county.county) is None
    assert StockMove.objects.count() == count
    call_command("reconcile_supplies")
    assert "账实相符" in capsys.readouterr().out
    assert Item.objects.count() == 30

"""Pages and API of supplies with Quwo's ledger loaded: what a supplies officer, the command
and a township see; errors on forms; exports; the API report row by row."""

import io
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from shuangying.accounts.models import Department
from shuangying.audit.models import AuditEvent
from shuangying.supplies import demo
from shuangying.supplies.models import DispatchOrder, Issue, Item, Location, PurchaseRequest
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db

REPORT_FIELDS = {
    "item",
    "unit",
    "opening",
    "purchased",
    "donated",
    "processed_in",
    "processed_out",
    "issued",
    "on_hand",
    "value",
}


@pytest.fixture
def quwo(county, personas):
    demo.load_supplies(county.county)
    ndrc = Department.objects.get(code="development_reform")
    return make_user("officer", "supplies_officer", [county.county], department=ndrc)


def sheet_text(response) -> str:
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def test_api_report_is_one_row_per_item_with_exactly_the_fields(client, quwo, personas):
    login(client, personas["county"])
    response = client.get("/api/supplies/report?start=2020-01-24&end=2020-03-05")
    assert response.status_code == 200
    rows = {r["item"]: r for r in response.json()}
    assert all(set(r) == REPORT_FIELDS for r in rows.values())
    masks = rows["医用外科口罩"]
    assert (masks["purchased"], masks["donated"], masks["issued"], masks["on_hand"]) == (
        "17960",
        "600",
        "12760",
        "5800",
    )
    assert masks["unit"] == "个" and masks["value"] == "14500"
    assert rows["含氯消毒剂"]["issued"] == "0.75"
    bad = client.get("/api/supplies/report?start=2020-03-05&end=2020-01-24")
    assert bad.status_code == 422 and bad.json()["field"] == "start"
    assert "开始日期" in bad.json()["message"]
    garbled = client.get("/api/supplies/report?start=2020-13-01")
    assert garbled.status_code == 422 and "开始日期" in garbled.json()["message"]


def test_api_report_is_scoped_to_the_users_stores(client, quwo, personas):
    login(client, personas["town1"])
    rows = client.get("/api/supplies/report").json()
    # town1 holds no store of the demo's (the reserve is the county's): nothing on hand.
    assert rows and all(Decimal(r["on_hand"]) == 0 for r in rows)


def test_api_issue_batch_and_insufficient_stock(client, quwo):
    login(client, quwo)
    order = DispatchOrder.objects.create(
        number="DY-T1",
        source=Location.objects.get(name="县应急物资储备库"),
        recipient=DispatchOrder.objects.first().recipient,
        ordered_on=date(2020, 3, 5),
    )
    from shuangying.supplies.models import DispatchLine

    line = DispatchLine.objects.create(
        order=order, item=Item.objects.get(name="医用外科口罩"), quantity=Decimal(10000)
    )
    url = f"/api/supplies/dispatch-orders/{order.pk}/issues"
    ok = client.post(url, {"lines": [{"line": line.pk, "quantity": "800"}]}, "application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "issued"
    short = client.post(url, {"lines": [{"line": line.pk, "quantity": "5001"}]}, "application/json")
    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_stock" and "库存不足" in short.json()["message"]
    assert Issue.objects.filter(order=order).count() == 1
    bad = client.post(url, {"lines": [{"line": line.pk, "quantity": "abc"}]}, "application/json")
    assert bad.status_code == 422 and "发放数量" in bad.json()["message"]


def test_officer_pages_and_reports(client, quwo):
    login(client, quwo)
    for url in (
        "/supplies/",
        "/supplies/moves/?kind=issue",
        "/supplies/items/",
        "/supplies/purchases/",
        "/supplies/donations/",
        "/supplies/processing/",
        "/supplies/dispatch/",
        "/supplies/requests/",
        "/supplies/reports/items/?start=2020-01-24&end=2020-03-05",
        "/supplies/reports/recipients/?start=2020-01-24&end=2020-03-05",
        "/supplies/reports/reserves/",
    ):
        assert client.get(url).status_code == 200, url
    report = client.get("/supplies/reports/items/?start=2020-01-24&end=2020-03-05")
    html = report.content.decode()
    assert "医用外科口罩" in html and "5,800" in html
    reserves = client.get("/supplies/reports/reserves/").content.decode()
    assert "150.0" in reserves
    purchase = PurchaseRequest.objects.get(number="CG-2020-002")
    page = client.get(purchase.get_absolute_url()).content.decode()
    assert "体温监测仪单价偏高" in page and "缝线处渗漏" in page
    from shuangying.supplies.models import Donation

    donation = Donation.objects.get(number="JZ-2020-004")
    letter = client.get(f"/supplies/donations/{donation.pk}/letter/")
    assert "大宁县人民政府" in letter.content.decode()
    assert "感谢信" in letter.content.decode()
    issue = Issue.objects.first()
    note = client.get(f"/supplies/issues/{issue.pk}/note/").content.decode()
    assert "应急物资交接单" in note and issue.signed_name in note


def test_every_report_exports_to_excel(client, quwo):
    login(client, quwo)
    period = "?start=2020-01-24&end=2020-03-05"
    text = sheet_text(client.get(f"/supplies/reports/items/export/{period}"))
    assert "导出人：officer" in text and "医用外科口罩 个 0.0 17960.0 600.0" in text
    text = sheet_text(client.get(f"/supplies/reports/recipients/export/{period}"))
    assert "演示食品有限公司" in text
    text = sheet_text(client.get("/supplies/reports/reserves/export/"))
    assert "储备粮（大米）" in text
    text = sheet_text(client.get("/supplies/donations/public.xlsx"))
    assert "大宁县人民政府" in text and "42500.0" in text
    assert "县应急物资储备库" in sheet_text(client.get("/supplies/export/"))
    moves = sheet_text(client.get("/supplies/moves/export/?kind=issue")).split("\n")
    from shuangying.supplies.models import StockMove

    assert len(moves) == 2 + StockMove.objects.filter(kind="issue").count()  # watermark, header
    assert all("发放" in row for row in moves[2:])
    assert AuditEvent.objects.filter(action="export").count() == 6


def lines_data(*rows: dict, prefix: str = "lines") -> dict:
    """The POST of a line table (a formset): its management form and one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_forms_name_the_field_and_row(client, quwo):
    login(client, quwo)
    store = Location.objects.get(name="县应急物资储备库")
    head = {"location": store.pk, "supplier": "某公司", "reason": "防控"}
    response = client.post(
        "/supplies/purchases/new/",
        {
            **head,
            **lines_data(
                {"item": "", "quantity": "", "unit": "", "price": ""},
                {"item": str(Item.objects.first().pk), "quantity": "许多", "price": "1"},
            ),
        },
    )
    assert response.status_code == 400
    assert "第2行 数量：应为数字" in response.content.decode()
    before = PurchaseRequest.objects.count()
    response = client.post("/supplies/purchases/new/", {**head, **lines_data({"item": ""})})
    assert response.status_code == 400 and "至少填写一行物资" in response.content.decode()
    assert PurchaseRequest.objects.count() == before


def test_issue_page_tells_the_officer_when_stock_is_short(client, quwo):
    login(client, quwo)
    order = DispatchOrder.objects.get(number="DY-2020-001")
    from shuangying.supplies.services import Line, create_dispatch_order

    big = create_dispatch_order(
        source=order.source,
        recipient=order.recipient,
        lines=[Line(item=order.lines.first().item, quantity=Decimal(10**7))],
    )
    response = client.post(
        f"/supplies/dispatch/{big.pk}/issue/", {f"qty_{big.lines.get().pk}": "9999999"}, follow=True
    )
    assert response.status_code == 200
    assert "库存不足" in response.content.decode()


def test_home_page_shows_supplies_at_a_glance(client, quwo, personas):
    login(client, personas["county"])
    html = client.get("/").content.decode()
    assert 'data-testid="supplies-card"' in html and "库存金额" in html
    login(client, personas["grid1a"])
    assert "supplies-card" not in client.get("/").content.decode()


def test_sign_cancel_and_their_refusals_on_the_pages(client, quwo, personas):
    """The one-click actions: the store's officer may not sign for what they issued (403,
    nothing changed); a batch cancelled puts its stock back; an order cancelled."""
    login(client, quwo)
    order = DispatchOrder.objects.get(number="DY-2020-001")
    from shuangying.supplies.services import Line, create_dispatch_order

    new = create_dispatch_order(
        source=order.source,
        recipient=order.recipient,
        lines=[Line(item=Item.objects.get(name="医用外科口罩"), quantity=Decimal(10))],
    )
    line = new.lines.get()
    made = client.post(f"/supplies/dispatch/{new.pk}/issue/", {f"qty_{line.pk}": "4"}, follow=True)
    assert made.status_code == 200, made.content.decode()[:3000]
    issue = Issue.objects.get(order=new)
    refused = client.post(
        f"/supplies/issues/{issue.pk}/sign/", {"signed_name": "自己"}, follow=True
    )
    issue.refresh_from_db()
    assert issue.status == "issued" and refused.status_code == 403
    cancelled = client.post(
        f"/supplies/issues/{issue.pk}/cancel/", {"reason": "数量有误"}, follow=True
    )
    issue.refresh_from_db()
    assert issue.status == "cancelled" and "批次已撤销" in cancelled.content.decode()
    assert client.post(f"/supplies/dispatch/{new.pk}/cancel/").status_code == 403  # the command's
    login(client, personas["county"])
    done = client.post(f"/supplies/dispatch/{new.pk}/cancel/", {"reason": "不再需要"}, follow=True)
    new.refresh_from_db()
    assert new.status == "cancelled" and "调用指令已撤销" in done.content.decode()

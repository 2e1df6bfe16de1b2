"""The supplies pages built on Django's tools: line tables as formsets (with the empty row the
"添加一行" button copies), the joint acceptance as a formset, filter forms on the lists, the
low-stock rows in the stock table (issue 16 item 14), the generic report view, and services
that take no request."""

import re
from decimal import Decimal

import pytest

from shuangying.accounts.models import Department
from shuangying.audit.context import audit_context
from shuangying.audit.models import AuditEvent
from shuangying.supplies import services
from shuangying.supplies.models import Category, Item, PurchaseRequest, StockBalance
from shuangying.supplies.services import Line
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(county):
    return services.create_location(
        name="县应急物资储备库", kind="county_reserve", division=county.county
    )


@pytest.fixture
def officer(county, personas):
    ndrc = Department.objects.create(code="development_reform", name="发改局")
    return make_user("officer", "supplies_officer", [county.county], department=ndrc)


@pytest.fixture
def catalogue():
    category = Category.objects.create(name="医疗防护")
    return {
        name: Item.objects.create(category=category, name=name, unit=unit, min_stock=min_stock)
        for name, unit, min_stock in (
            ("医用外科口罩", "个", Decimal(1000)),
            ("医用防护服", "套", Decimal(10)),
            ("医用手套", "双", Decimal(50)),
            ("护目镜", "副", Decimal(0)),
        )
    }


def lines_data(*rows: dict, prefix: str = "lines") -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_stock_table_lists_every_low_item_and_highlights_it(client, personas, store, catalogue):
    """An item of the low-stock alert is in the table: at 0 where a store ran out, in a row of
    its own where no store holds any; low rows are marked, others are not."""
    other = services.create_location(
        name="一镇物资库", kind="township_store", division=store.division
    )
    services.record_opening_balance(
        location=store,
        lines=[
            Line(item=catalogue["医用外科口罩"], quantity=Decimal(500)),
            Line(item=catalogue["医用防护服"], quantity=Decimal(5)),
            Line(item=catalogue["护目镜"], quantity=Decimal(20)),
        ],
    )
    # All the suits leave the county reserve: its row stays, at 0.
    services.transfer_stock(
        from_location=store,
        to_location=other,
        lines=[Line(item=catalogue["医用防护服"], quantity=Decimal(5))],
    )
    assert StockBalance.objects.get(location=store, item=catalogue["医用防护服"]).quantity == 0
    login(client, personas["county"])
    html = client.get("/supplies/").content.decode()
    alert = html[html.index('data-testid="low-stock"') :]
    alert = alert[: alert.index("</div>")]
    for name in ("医用外科口罩", "医用防护服", "医用手套"):
        assert name in alert
    rows = re.findall(r'<tr class="low" data-testid="low-row-([^"]+)">', html)
    # Masks (500 of 1000), suits at the reserve (0) and at the township (5), gloves nowhere.
    assert sorted(rows) == ["医用外科口罩", "医用手套", "医用防护服", "医用防护服"]
    assert "各库点均无库存" in html
    goggles = re.search(r"<tr[^>]*>(?:(?!</tr>).)*护目镜", html, re.S).group(0)
    assert 'class="low"' not in goggles
    # Filtered to the township's store, only its own rows are shown.
    other_only = client.get(f"/supplies/?location={other.pk}").content.decode()
    assert re.findall(r'data-testid="low-row-([^"]+)"', other_only) == ["医用防护服"]


def test_line_table_has_an_empty_row_to_copy_and_no_inline_script(client, officer, store):
    login(client, officer)
    html = client.get("/supplies/purchases/new/").content.decode()
    template = html[html.index('<template id="lines-empty">') : html.index("</template>")]
    assert 'name="lines-__prefix__-item"' in template and 'id="item-__num__"' in template
    assert 'data-add-row="lines"' in html
    assert "/static/supplies/lines.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    # Inputs are text inputs the stylesheet sizes, not size="4" boxes.
    assert 'id="quantity-1"' in html and 'size="' not in html
    assert re.search(r'<input type="text" name="lines-0-quantity"', html)


def test_rows_added_in_the_browser_are_saved(client, officer, store, catalogue):
    """Five rows posted where the page drew three: the formset takes what the count says."""
    login(client, officer)
    items = list(catalogue.values())
    rows = [{"item": str(i.pk), "quantity": "10", "price": "2"} for i in items]
    rows.append({"item": str(items[0].pk), "quantity": "1", "price": "1"})  # a duplicate
    head = {"location": store.pk, "supplier": "某公司", "reason": "防控"}
    refused = client.post("/supplies/purchases/new/", {**head, **lines_data(*rows)})
    assert refused.status_code == 400
    assert "第5行 物资：医用外科口罩重复" in refused.content.decode()
    saved = client.post("/supplies/purchases/new/", {**head, **lines_data(*rows[:4])})
    assert saved.status_code == 302
    assert PurchaseRequest.objects.get().lines.count() == 4


def test_joint_acceptance_is_a_formset_naming_the_row(client, officer, store, catalogue):
    purchase = services.create_purchase_request(
        location=store,
        supplier_name="某公司",
        reason="防控",
        lines=[
            Line(item=catalogue["医用外科口罩"], quantity=Decimal(100), price=Decimal(1)),
            Line(item=catalogue["医用防护服"], quantity=Decimal(10), price=Decimal(100)),
        ],
    )
    PurchaseRequest.objects.filter(pk=purchase.pk).update(status="ordered")
    login(client, officer)
    url = f"/supplies/purchases/{purchase.pk}/accept/"
    page = client.get(url).content.decode()
    assert 'name="lines-1-accepted"' in page and 'value="10"' in page
    rows = lines_data(
        {"delivered": "100", "accepted": "100"},
        {"delivered": "许多", "accepted": "9", "reason": "缝线渗漏"},
    )
    bad = client.post(url, {"acceptance_team": "五部门", **rows})
    assert bad.status_code == 400 and "第2行 到货数量：应为数字" in bad.content.decode()
    rows["lines-1-delivered"] = "10"
    unsigned = client.post(url, {"acceptance_team": "", **rows})
    assert unsigned.status_code == 400 and "验收人员" in unsigned.content.decode()
    unexplained = client.post(url, {"acceptance_team": "五部门", **rows, "lines-1-reason": ""})
    assert "第2行 拒收原因：部分拒收须说明原因" in unexplained.content.decode()
    done = client.post(url, {"acceptance_team": "五部门", **rows})
    assert done.status_code == 302
    balances = dict(
        StockBalance.objects.filter(location=store).values_list("item__name", "quantity")
    )
    assert balances == {"医用外科口罩": Decimal(100), "医用防护服": Decimal(9)}


def test_list_filters_are_forms_that_refuse_bad_values_without_error(
    client, officer, store, catalogue
):
    services.record_opening_balance(
        location=store, lines=[Line(item=catalogue["护目镜"], quantity=Decimal(3))]
    )
    login(client, officer)
    bad = client.get("/supplies/moves/?kind=nonsense&item=abc&start=2020-13-01")
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "护目镜" in html and 'class="errorlist"' in html
    good = client.get(f"/supplies/moves/?kind=opening&item={catalogue['护目镜'].pk}")
    assert '<option value="opening" selected>' in good.content.decode()
    seen = AuditEvent.objects.filter(object_type="stock_move", action="list").latest("pk")
    assert seen.detail == {"kind": "opening", "item": str(catalogue["护目镜"].pk)}
    assert client.get("/supplies/purchases/?status=bogus").status_code == 200
    assert client.get("/supplies/dispatch/?status=open").status_code == 200


def test_every_report_page_is_audited_as_seen(client, officer, store):
    login(client, officer)
    for url in ("/supplies/reports/items/", "/supplies/reports/recipients/"):
        assert client.get(url + "?start=2020-01-24&end=2020-03-05").status_code == 200
    assert client.get("/supplies/reports/reserves/").status_code == 200
    summaries = list(
        AuditEvent.objects.filter(object_type="supplies_report", action="list")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert [s.split(" ")[0] for s in summaries] == [
        "物资收发存报表",
        "领用单位发放汇总",
        "粮油储备与低库存预警",
    ]


def test_services_take_the_actor_and_the_audit_context_not_a_request(officer, store, catalogue):
    with pytest.raises(TypeError):
        services.create_category(actor=officer, request=None, name="消杀")
    with audit_context(user=officer, ip_address="10.1.2.3", path="task:test"):
        category = services.create_category(actor=officer, name="消杀")
    event = AuditEvent.objects.get(object_type="supply_category", object_id=str(category.pk))
    assert (event.username, event.ip_address, event.path) == ("officer", "10.1.2.3", "task:test")
    assert event.summary == "新增物资类别 消杀"


def test_donation_acceptance_is_a_formset_too(client, officer, store, catalogue):
    from datetime import date

    donation = services.record_donation(
        donor_kind="enterprise",
        donor_name="某企业",
        location=store,
        received_on=date(2020, 2, 1),
        lines=[
            Line(item=catalogue["医用外科口罩"], quantity=Decimal(600), price=Decimal(600)),
            Line(item=catalogue["护目镜"], quantity=Decimal(20), price=Decimal(200)),
        ],
    )
    login(client, officer)
    page = client.get(f"/supplies/donations/{donation.pk}/").content.decode()
    assert 'name="lines-0-accepted"' in page and 'value="600"' in page
    url = f"/supplies/donations/{donation.pk}/accept/"
    rows = lines_data({"accepted": "六百"}, {"accepted": "20"})
    bad = client.post(url, {"acceptance_team": "发改局", **rows})
    assert bad.status_code == 400 and "第1行 验收合格数量：应为数字" in bad.content.decode()
    rows["lines-0-accepted"] = "500"
    unexplained = client.post(url, {"acceptance_team": "发改局", **rows})
    assert "第1行 拒收原因：部分拒收须说明原因" in unexplained.content.decode()
    done = client.post(url, {"acceptance_team": "发改局", **rows, "lines-0-reason": "100个破损"})
    assert done.status_code == 302
    balances = dict(
        StockBalance.objects.filter(location=store).values_list("item__name", "quantity")
    )
    assert balances == {"医用外科口罩": Decimal(500), "护目镜": Decimal(20)}
    assert client.post(url, {"acceptance_team": "发改局", **rows}).status_code == 302  # done

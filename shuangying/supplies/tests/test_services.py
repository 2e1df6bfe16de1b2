"""The writes of supplies (H1–H8): units, the joint pre-review, acceptance with rejection,
donations, processing, dispatch and cancellation; bad input is a Chinese message naming the
field and row, and nothing is half-written."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangying.accounts.models import Department
from shuangying.audit.models import AuditEvent
from shuangying.supplies import services as s
from shuangying.supplies.choices import DispatchStatus, IssueStatus, PurchaseStatus
from shuangying.supplies.ledger import InsufficientStock, on_hand, reconcile
from shuangying.supplies.models import (
    Category,
    DispatchOrder,
    Issue,
    Item,
    PurchaseRequest,
    StockBalance,
    StockMove,
)
from shuangying.testing import make_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(county):
    departments = {"health": county.health}
    for code, name in (
        ("finance", "财政局"),
        ("market_regulation", "市场监管局"),
        ("industry", "工信局"),
    ):
        departments[code] = Department.objects.create(code=code, name=name)
    reviewers = {
        code: make_user(f"r_{code}", "department_officer", department=d)
        for code, d in departments.items()
    }
    category = Category.objects.create(name="消杀")
    alcohol = s.save_item(
        category=category, name="酒精", unit="桶", conversions=[("kg", D("0.5"))], min_stock=D(5)
    )
    masks = s.save_item(category=category, name="口罩", unit="个")
    store = s.create_location(name="县库", kind="county_reserve", division=county.county)
    town = s.create_location(name="镇库", kind="township_store", division=county.town1)
    recipient = s.create_recipient(name="一镇卡口", kind="checkpoint", division=county.town1)
    return {
        "reviewers": reviewers,
        "alcohol": alcohol,
        "masks": masks,
        "store": store,
        "town": town,
        "recipient": recipient,
        "officer": make_user("officer", "supplies_officer", [county.county]),
    }


def test_units_convert_to_the_base_unit(world):
    moves = s.record_opening_balance(
        location=world["store"],
        lines=[s.Line(item=world["alcohol"], quantity=D(20), unit="kg", price=D(30))],
    )
    assert moves[0].quantity == 10  # 20 kg = 10 桶 of 2 kg
    assert moves[0].amount == D("600.00")  # 30 元/kg = 60 元/桶
    with pytest.raises(ValidationError, match="第1行 单位：酒精没有“L”这一单位"):
        s.record_opening_balance(
            location=world["store"], lines=[s.Line(item=world["alcohol"], quantity=D(1), unit="L")]
        )


def test_bad_rows_are_named_and_nothing_is_written(world):
    before = StockMove.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.create_purchase_request(
            location=world["store"],
            supplier_name="供应商",
            reason="防控",
            lines=[
                s.Line(item=world["masks"], quantity=D(10), price=D(1)),
                s.Line(item=world["alcohol"], quantity="十桶", price=D(1)),
            ],
        )
    assert "第2行 数量：应为数字" in str(exc.value)
    assert not PurchaseRequest.objects.exists()
    assert StockMove.objects.count() == before
    with pytest.raises(ValidationError, match="采购理由：必填"):
        s.create_purchase_request(
            location=world["store"],
            supplier_name="供应商",
            reason=" ",
            lines=[s.Line(item=world["masks"], quantity=D(1), price=D(1))],
        )


def _purchase(world, quantity=100):
    purchase = s.create_purchase_request(
        actor=world["officer"],
        location=world["store"],
        supplier_name="临汾某医疗器械公司",
        reason="一线防护",
        lines=[s.Line(item=world["masks"], quantity=D(quantity), price=D("2.50"))],
    )
    s.submit_purchase_request(actor=world["officer"], purchase=purchase)
    return purchase


def test_all_four_departments_must_approve_and_a_return_needs_a_comment(world):
    purchase = _purchase(world)
    reviewers = world["reviewers"]
    with pytest.raises(ValidationError, match="退回须说明原因"):
        s.review_purchase_request(
            actor=reviewers["finance"], purchase=purchase, decision="returned"
        )
    s.review_purchase_request(
        actor=reviewers["finance"], purchase=purchase, decision="returned", comment="单价偏高"
    )
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.RETURNED
    with pytest.raises(ValidationError, match="不在联合预审中"):
        s.review_purchase_request(actor=reviewers["health"], purchase=purchase, decision="approved")
    s.submit_purchase_request(actor=world["officer"], purchase=purchase)
    for code in ("finance", "health", "market_regulation"):
        s.review_purchase_request(actor=reviewers[code], purchase=purchase, decision="approved")
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.IN_REVIEW  # industry has not yet
    with pytest.raises(ValidationError, match="联合预审全部同意后才能订购"):
        s.place_order(purchase=purchase)
    with pytest.raises(ValidationError, match="本轮已审核"):
        s.review_purchase_request(actor=reviewers["health"], purchase=purchase, decision="approved")
    s.review_purchase_request(actor=reviewers["industry"], purchase=purchase, decision="approved")
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.APPROVED
    assert purchase.reviews.filter(round=2, decision="approved").count() == 4
    # Another department (发改局 itself) takes no part.
    other = make_user(
        "ndrc",
        "department_officer",
        department=Department.objects.create(code="development_reform", name="发改局"),
    )
    with pytest.raises(PermissionDenied):
        s.review_purchase_request(actor=other, purchase=purchase, decision="approved")


def _approved(world, quantity=100):
    purchase = _purchase(world, quantity)
    for user in world["reviewers"].values():
        s.review_purchase_request(actor=user, purchase=purchase, decision="approved")
    return s.place_order(purchase=purchase, prices={purchase.lines.get().pk: D("2.40")})


def test_acceptance_with_partial_rejection_goes_into_stock(world):
    purchase = _approved(world)
    line = purchase.lines.get()
    with pytest.raises(ValidationError, match="第1行 拒收原因：部分拒收须说明原因"):
        s.accept_delivery(
            purchase=purchase,
            results=[s.Acceptance(line.pk, D(100), D(80))],
            acceptance_team="五部门",
        )
    with pytest.raises(ValidationError, match="不能超过到货数量"):
        s.accept_delivery(
            purchase=purchase,
            results=[s.Acceptance(line.pk, D(100), D(120))],
            acceptance_team="五部门",
        )
    assert on_hand(world["store"], world["masks"]) == 0
    s.accept_delivery(
        purchase=purchase,
        results=[s.Acceptance(line.pk, D(100), D(80), "20个耳带脱落")],
        acceptance_team="发改局、财政局、卫健局、市场监管局、工信局",
    )
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.RECEIVED
    assert purchase.accepted_total == D("192.00")  # 80 × 2.40, the agreed price
    assert on_hand(world["store"], world["masks"]) == 80
    assert AuditEvent.objects.filter(object_type="purchase_request").count() >= 7


def test_anonymous_donation_and_partial_acceptance(world):
    with pytest.raises(ValidationError, match="捐赠方：必填"):
        s.record_donation(
            donor_kind="person",
            donor_name="",
            location=world["store"],
            lines=[s.Line(item=world["masks"], quantity=D(10), price=D(10))],
            received_on=date(2020, 2, 1),
        )
    donation = s.record_donation(
        donor_kind="person",
        donor_name="",
        anonymous=True,
        location=world["store"],
        lines=[s.Line(item=world["masks"], quantity=D(100), price=D(200))],
        received_on=date(2020, 2, 1),
    )
    assert donation.public_name == "匿名捐赠者"
    line = donation.lines.get()
    s.accept_donation(
        donation=donation,
        accepted={line.pk: D(90)},
        reasons={line.pk: "10个破损"},
        acceptance_team="发改局",
    )
    move = StockMove.objects.get(kind="donation")
    assert (move.quantity, move.amount) == (90, D("180.00"))


def test_processing_records_both_sides_and_the_yield(world, county):
    category = Category.objects.first()
    concentrate = s.save_item(category=category, name="浓缩液", unit="吨")
    solution = s.save_item(
        category=category, name="消毒液", unit="壶", conversions=[("吨", D(100)), ("L", D("0.1"))]
    )
    s.record_opening_balance(
        location=world["store"], lines=[s.Line(item=concentrate, quantity=D(3), price=D(3000))]
    )
    run = s.record_processing(
        location=world["store"],
        processor="沃能集团",
        input_item=concentrate,
        input_quantity=D(3),
        output_item=solution,
        output_quantity=D("6.3"),
        output_unit="吨",
    )
    assert run.output_quantity == 630 and run.yield_ratio == D("2.1")
    assert run.output_move.amount == D("9000.00")
    assert on_hand(world["store"], concentrate) == 0
    assert on_hand(world["store"], solution) == 630
    with pytest.raises(InsufficientStock, match="库存不足：县库的浓缩液现有0吨，需要1吨"):
        s.record_processing(
            location=world["store"],
            processor="沃能集团",
            input_item=concentrate,
            input_quantity=D(1),
            output_item=solution,
            output_quantity=D(1),
        )


def test_dispatch_in_batches_sign_and_cancel(world, personas):
    s.record_opening_balance(
        location=world["store"], lines=[s.Line(item=world["masks"], quantity=D(1000))]
    )
    order = s.create_dispatch_order(
        source=world["store"],
        recipient=world["recipient"],
        lines=[s.Line(item=world["masks"], quantity=D(600))],
    )
    line = order.lines.get()
    officer = world["officer"]
    first = s.issue_batch(actor=officer, order=order, quantities={line.pk: D(400)})
    with pytest.raises(ValidationError, match="指令尚余200个，不能发放300个"):
        s.issue_batch(actor=officer, order=order, quantities={line.pk: D(300)})
    second = s.issue_batch(actor=officer, order=order, quantities={line.pk: D(200)})
    order.refresh_from_db()
    assert order.status == DispatchStatus.ISSUED
    assert on_hand(world["store"], world["masks"]) == 400
    with pytest.raises(PermissionDenied):
        s.sign_issue(actor=officer, issue=first, signed_name="经办人自己")
    with pytest.raises(ValidationError, match="签收人：请填写"):
        s.sign_issue(actor=personas["town1"], issue=first, signed_name=" ")
    s.sign_issue(actor=personas["town1"], issue=first, signed_name="李卡口")
    with pytest.raises(ValidationError, match="已签收，不能撤销"):
        s.cancel_issue(issue=first, reason="错发")
    moves = StockMove.objects.count()
    s.cancel_issue(actor=officer, issue=second, reason="领用单位改期")
    second.refresh_from_db()
    order.refresh_from_db()
    assert second.status == IssueStatus.CANCELLED
    assert order.status == DispatchStatus.PARTIAL and order.lines.get().issued == 400
    assert StockMove.objects.count() == moves + 1  # a reversal added, nothing deleted
    assert on_hand(world["store"], world["masks"]) == 600
    assert Issue.objects.count() == 2 and reconcile() == []


def test_issue_short_of_stock_writes_nothing(world):
    s.record_opening_balance(
        location=world["store"], lines=[s.Line(item=world["masks"], quantity=D(5))]
    )
    order = s.create_dispatch_order(
        source=world["store"],
        recipient=world["recipient"],
        lines=[s.Line(item=world["masks"], quantity=D(10))],
    )
    with pytest.raises(InsufficientStock, match="第1行 库存不足：县库的口罩现有5个，需要10个"):
        s.issue_batch(order=order, quantities={order.lines.get().pk: D(10)})
    assert not Issue.objects.exists()
    assert DispatchOrder.objects.get().lines.get().issued == 0
    assert StockBalance.objects.get(item=world["masks"]).quantity == 5


def test_transfer_between_stores(world):
    s.record_opening_balance(
        location=world["store"], lines=[s.Line(item=world["masks"], quantity=D(50))]
    )
    s.transfer_stock(
        from_location=world["store"],
        to_location=world["town"],
        lines=[s.Line(item=world["masks"], quantity=D(30))],
    )
    assert on_hand(world["town"], world["masks"]) == 30
    with pytest.raises(ValidationError, match="调入库点：不能与调出库点相同"):
        s.transfer_stock(
            from_location=world["store"],
            to_location=world["store"],
            lines=[s.Line(item=world["masks"], quantity=D(1))],
        )


def test_enterprise_request_met_from_stock_or_by_purchase(world, county):
    enterprise = s.create_recipient(
        name="演示食品有限公司",
        kind="enterprise",
        division=county.town1,
        credit_code="91141021MA0K000000",
    )
    req = s.create_enterprise_request(recipient=enterprise, item=world["masks"], quantity=D(50))
    order = s.meet_request_from_stock(req=req, source=world["store"])
    assert order.recipient == enterprise and order.lines.get().quantity == 50
    with pytest.raises(ValidationError, match="该需求已处理"):
        s.meet_request_from_stock(req=req, source=world["store"])
    req2 = s.create_enterprise_request(
        recipient=enterprise, item=world["alcohol"], quantity=D(10), unit="kg"
    )
    assert req2.quantity == 5
    purchase = s.meet_request_by_purchase(
        req=req2, location=world["store"], supplier_name="某医药公司", estimated_price=D(60)
    )
    assert purchase.status == PurchaseStatus.DRAFT and "演示食品有限公司" in purchase.reason
    with pytest.raises(ValidationError, match="请选择企业类型"):
        s.create_enterprise_request(
            recipient=world["recipient"], item=world["masks"], quantity=D(1)
        )


def test_catalogue_item_names_and_units(world):
    category = Category.objects.first()
    with pytest.raises(ValidationError, match="名称：该物资已在目录中"):
        s.save_item(category=category, name="口罩", unit="个")
    s.record_opening_balance(
        location=world["store"], lines=[s.Line(item=world["masks"], quantity=D(1))]
    )
    with pytest.raises(ValidationError, match="已有出入库记录，不能更改基本单位"):
        s.save_item(item=world["masks"], category=category, name="口罩", unit="盒")
    assert Item.objects.get(pk=world["masks"].pk).unit == "个"

"""Quwo's emergency supplies ledger (seed 000) for the demo county (``load_supplies_demo``);
the figures themselves are in ``demo_data.py``.

Every figure the seed gives is reproduced through the services, so the item report for the
whole period can be checked against the seed line by line:

- bought: 17 items in 3 categories for ¥693,740 in total (PURCHASES);
- donated: 21,570 ordinary masks (县医药公司), 3 t of sodium hypochlorite concentrate
  (榆社化工股份有限公司), 900 dust masks (阳泉 王涛, a private donor), 42,500 ordinary gloves
  (大宁县政府), 600 surgical masks (山西众力建筑工程有限公司) (DONATIONS);
- processed: the 3 t of concentrate made by 沃能集团 into about 6.3 t of ready solution,
  issued in 10 L jugs (壶): 630 jugs;
- issued: in 41 batches, the seed's quantities (ISSUED), e.g. surgical masks 17,960 bought +
  600 donated − 12,760 issued = 5,800 on hand.

Where the seed gives no figure we chose a plausible one, marked "assumed" below: unit prices
(only the total is known; they are 2020 market prices adjusted so the 17 lines sum to exactly
¥693,740), declared values of donations, suppliers' names, dates (late January to 4 March
2020, the article is of 5 March), the recipients and how the 41 batches are spread over them,
and the opening reserves: the seed issued 100 cotton tents, 791 cotton coats, 351 quilts,
33 mattresses, 8 cotton suits and 343 folding beds it never bought, and 116 single tents of
which it bought 94, so the reserve held at least those quantities; we assume exactly those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuangying.accounts.models import Department, User
from shuangying.divisions.models import Division

from .choices import LocationKind, RecipientKind, ReviewDecision
from .demo_data import (
    BATCHES,
    CATEGORIES,
    DONATIONS,
    ENTERPRISE,
    ENTERPRISE_BATCHES,
    ENTERPRISE_MASKS,
    GRAIN_ITEMS,
    ISSUE_END,
    ISSUE_START,
    ISSUED,
    ITEMS,
    OPENING,
    OPENING_DATE,
    PROCESSING_DATE,
    PURCHASES,
    RECIPIENTS,
    SOLUTION_JUGS,
    D,
)
from .models import Budget, Category, Issue, Item, Location
from .services import (
    Acceptance,
    Line,
    accept_delivery,
    accept_donation,
    create_dispatch_order,
    create_enterprise_request,
    create_location,
    create_purchase_request,
    create_recipient,
    issue_batch,
    meet_request_by_purchase,
    meet_request_from_stock,
    place_order,
    record_donation,
    record_opening_balance,
    record_processing,
    review_purchase_request,
    save_item,
    sign_issue,
    submit_purchase_request,
)


@dataclass
class DemoSupplies:
    items: int = 0
    purchases: int = 0
    donations: int = 0
    batches: int = 0

    def describe(self) -> str:
        return (
            f"物资{self.items}种，采购{self.purchases}批，捐赠{self.donations}笔，"
            f"发放{self.batches}批次"
        )


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def split(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` near-equal whole parts (the remainder in the first), or whole in
    one part when it is not a whole number or smaller than ``parts``."""
    if total != total.to_integral_value() or total < parts:
        return [total]
    base = (total // parts).quantize(D(1))
    return [base + (total - base * parts)] + [base] * (parts - 1)


def allocation(recipients: int) -> list[dict[str, Decimal]]:
    """How the issued totals (less the enterprise's masks) spread over the orders: an item
    goes to 1, 2 or 4 recipients by its size, in a fixed pattern."""
    orders: list[dict[str, Decimal]] = [{} for _ in range(recipients)]
    for i, (name, total) in enumerate(ISSUED.items()):
        if name == "医用外科口罩":
            total -= ENTERPRISE_MASKS
        m = 1 if total < 20 else (2 if total < 200 else 4)
        for k, part in enumerate(split(total, m)):
            orders[(i * 5 + k * 3) % recipients][name] = part
    return orders


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def demo_exists() -> bool:
    return Location.objects.filter(
        kind=LocationKind.COUNTY_RESERVE, name="县应急物资储备库"
    ).exists()


@transaction.atomic
def load_supplies(root: Division) -> DemoSupplies | None:
    """Load Quwo's supplies ledger under ``root`` (the county); None when it is already there."""
    if demo_exists():
        return None
    made = DemoSupplies()
    officer = _user("supplies")
    departments = {d.code: d for d in Department.objects.all()}
    for code, name in (
        ("development_reform", "发改局"),
        ("finance", "财政局"),
        ("health", "卫健局"),
        ("market_regulation", "市场监管局"),
        ("industry", "工信局"),
    ):
        if code not in departments:
            departments[code] = Department.objects.create(code=code, name=name)
    reviewers = {
        code: _user(username)
        for code, username in (
            ("finance", "finance"),
            ("health", "health"),
            ("market_regulation", "market"),
            ("industry", "industry"),
        )
    }
    townships = {d.name: d for d in Division.objects.filter(parent=root)}

    categories = {
        name: Category.objects.get_or_create(name=name, defaults={"sort_order": order})[0]
        for name, order in CATEGORIES
    }
    items: dict[str, Item] = {}
    for name, category, unit, spec, minimum, conversions in ITEMS:
        items[name] = save_item(
            category=categories[category],
            name=name,
            unit=unit,
            specification=spec,
            min_stock=D(str(minimum)),
            conversions=[(u, D(f)) for u, f in conversions],
        )
    for name, unit, _opening, daily, _released, _price in GRAIN_ITEMS:
        items[name] = save_item(
            category=categories["粮油储备"], name=name, unit=unit, daily_consumption=daily
        )
    made.items = len(items)

    reserve = create_location(
        name="县应急物资储备库",
        kind=LocationKind.COUNTY_RESERVE,
        division=root,
        department=departments["development_reform"],
    )
    granary = create_location(
        name="县粮食储备库",
        kind=LocationKind.COUNTY_RESERVE,
        division=root,
        department=departments["development_reform"],
    )
    seat = townships.get("乐昌镇", root)
    create_location(name=f"{seat.name}物资库", kind=LocationKind.TOWNSHIP_STORE, division=seat)
    budget = Budget.objects.create(name="2020年疫情防控物资专项资金", amount=D("800000.00"))

    record_opening_balance(
        actor=officer,
        location=reserve,
        lines=[Line(item=items[n], quantity=D(q), price=D(p)) for n, q, p in OPENING],
        moved_at=at(OPENING_DATE, 9),
    )
    record_opening_balance(
        actor=officer,
        location=granary,
        lines=[Line(item=items[n], quantity=q, price=p) for n, _u, q, _d, _r, p in GRAIN_ITEMS],
        moved_at=at(OPENING_DATE, 9),
    )

    for number, day, supplier, reason, lines, returned in PURCHASES:
        purchase = create_purchase_request(
            actor=officer,
            location=reserve,
            supplier_name=supplier,
            reason=reason,
            budget=budget,
            number=number,
            lines=[Line(item=items[n], quantity=D(str(q)), price=D(p)) for n, q, p, _a in lines],
        )
        submit_purchase_request(actor=officer, purchase=purchase)
        if returned:
            code, comment = returned
            review_purchase_request(
                actor=reviewers[code],
                purchase=purchase,
                decision=ReviewDecision.RETURNED,
                comment=comment,
                department=departments[code],
            )
            submit_purchase_request(actor=officer, purchase=purchase)
        for code in ("finance", "health", "market_regulation", "industry"):
            review_purchase_request(
                actor=reviewers[code],
                purchase=purchase,
                decision=ReviewDecision.APPROVED,
                comment="同意",
                department=departments[code],
            )
        place_order(actor=officer, purchase=purchase, ordered_at=at(day, 15))
        results = []
        for line, (_n, _q, _p, accepted) in zip(purchase.lines.order_by("pk"), lines, strict=True):
            accepted = D(str(accepted))
            results.append(
                Acceptance(
                    line_id=line.pk,
                    delivered=line.quantity,
                    accepted=accepted,
                    rejection_reason="" if accepted == line.quantity else "缝线处渗漏，质量不合格",
                )
            )
        accept_delivery(
            actor=officer,
            purchase=purchase,
            results=results,
            acceptance_team="发改局、财政局、卫健局、市场监管局、工信局",
            received_at=at(day + timedelta(days=2), 16),
        )
        made.purchases += 1

    for number, day, kind, donor, anonymous, item, qty, value in DONATIONS:
        donation = record_donation(
            actor=officer,
            donor_kind=kind,
            donor_name=donor,
            anonymous=anonymous,
            location=reserve,
            lines=[Line(item=items[item], quantity=qty, price=value)],
            received_on=day,
            number=number,
        )
        accept_donation(
            actor=officer,
            donation=donation,
            acceptance_team="发改局、卫健局、市场监管局",
            accepted_at=at(day, 17),
        )
        made.donations += 1

    record_processing(
        actor=officer,
        location=reserve,
        processor="沃能集团",
        input_item=items["次氯酸钠浓缩制剂"],
        input_quantity=D("3"),
        output_item=items["次氯酸钠消毒液"],
        output_quantity=SOLUTION_JUGS,
        processed_at=at(PROCESSING_DATE, 14),
        note="县应急管理局、疾控中心协调，沃能集团配制为可直接使用的消毒液",
    )

    commander = _user("county")
    recipients = [
        create_recipient(name=name, kind=kind, division=townships.get(town, root) if town else root)
        for name, kind, town in RECIPIENTS
    ]
    enterprise = create_recipient(
        name=ENTERPRISE,
        kind=RecipientKind.ENTERPRISE,
        division=seat,
        contact="企业联络人",
        contact_account=_user("enterprise"),
    )
    orders = allocation(len(recipients))
    regular = BATCHES - ENTERPRISE_BATCHES
    per_order = [regular // len(recipients)] * len(recipients)
    for k in range(regular - sum(per_order)):
        per_order[k] += 1
    days = (ISSUE_END - ISSUE_START).days
    batch_no = 0
    for n, (recipient, wanted, batches) in enumerate(
        zip(recipients, orders, per_order, strict=True)
    ):
        order = create_dispatch_order(
            actor=commander,
            source=reserve,
            recipient=recipient,
            lines=[Line(item=items[name], quantity=qty) for name, qty in wanted.items()],
            ordered_on=ISSUE_START + timedelta(days=n * days // len(recipients)),
            number=f"DY-2020-{n + 1:03d}",
            note="县疫情防控领导组物资调用指令",
        )
        parts = {line.pk: split(line.quantity, batches) for line in order.lines.all()}
        for b in range(batches):
            quantities = {pk: p[b] for pk, p in parts.items() if b < len(p)}
            day = order.ordered_on + timedelta(days=b * 2)
            issue = issue_batch(
                actor=officer, order=order, quantities=quantities, issued_at=at(min(day, ISSUE_END))
            )
            sign_issue(actor=None, issue=issue, signed_name=f"{recipient.name}经办人")
            batch_no += 1

    # H8: an enterprise asks for surgical masks to resume work (met from stock, two batches) and
    # for disinfectant (met by a purchase on its behalf, still in draft). The enterprise's
    # contact enters its own requests (its home page lists them).
    contact = _user("enterprise") or officer
    req = create_enterprise_request(
        actor=contact,
        recipient=enterprise,
        item=items["医用外科口罩"],
        quantity=ENTERPRISE_MASKS,
        reason="复工复产员工防护",
        requested_on=date(2020, 2, 20),
    )
    order = meet_request_from_stock(actor=commander, req=req, source=reserve)
    line = order.lines.get()
    for b, part in enumerate(split(line.quantity, ENTERPRISE_BATCHES)):
        issue = issue_batch(
            actor=officer,
            order=order,
            quantities={line.pk: part},
            issued_at=at(date(2020, 2, 21) + timedelta(days=b * 3)),
        )
        sign_issue(actor=None, issue=issue, signed_name="企业联络人")
        batch_no += 1
    req2 = create_enterprise_request(
        actor=contact,
        recipient=enterprise,
        item=items["酒精"],
        quantity=D("20"),
        reason="厂区每日消毒",
        requested_on=date(2020, 2, 24),
    )
    meet_request_by_purchase(
        actor=officer,
        req=req2,
        location=reserve,
        supplier_name="曲沃县华康医药有限公司",
        estimated_price=D("60.00"),
    )

    # Grain and oil released to the market (a separate store: not among the 41 batches).
    outlet = create_recipient(name="县粮油应急保供网点", kind=RecipientKind.UNIT, division=root)
    grain_order = create_dispatch_order(
        actor=commander,
        source=granary,
        recipient=outlet,
        lines=[Line(item=items[n], quantity=r) for n, _u, _o, _d, r, _p in GRAIN_ITEMS],
        ordered_on=date(2020, 2, 10),
        number="DY-2020-LY1",
        note="投放储备粮油，保障市场供应",
    )
    issue = issue_batch(
        actor=officer,
        order=grain_order,
        quantities={line.pk: line.quantity for line in grain_order.lines.all()},
        issued_at=at(date(2020, 2, 10)),
    )
    sign_issue(actor=None, issue=issue, signed_name="县粮油应急保供网点经办人")
    made.batches = Issue.objects.filter(order__source=reserve).count()
    return made


@transaction.atomic
def remove_supplies() -> None:
    """Delete the demo's supplies ledger, dependants first (``load_demo --reset``). The
    ledger is append-only in use; the demo database is the one place it may be wiped, and
    only the demo loader calls this."""
    from . import models as m

    m.StockMove.objects.exclude(reverses=None).update(reverses=None)
    for model in (
        *(m.EnterpriseRequest, m.IssueLine, m.Issue, m.DispatchOrder, m.PurchaseReview),
        *(m.PurchaseRequest, m.Donation, m.ProcessingRun, m.StockMove, m.StockBalance),
        *(m.StockDay, m.Recipient, m.Location, m.Budget, m.Item, m.Category),
    ):
        model.objects.all().delete()  # lines, conversions cascade with their parents

"""Concurrent issues on PostgreSQL (H6): 200 issues of one item, each in its own thread and
database connection, from a store holding 150. Exactly 150 succeed, the others are told
"库存不足", no balance is negative, the ledger sums to the balance, and no deadlock (or any
other database error) reaches a user."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from shuangying.supplies.choices import LocationKind, RecipientKind
from shuangying.supplies.ledger import InsufficientStock, reconcile
from shuangying.supplies.models import (
    Category,
    Issue,
    IssueLine,
    Item,
    Location,
    StockBalance,
    StockMove,
)
from shuangying.supplies.services import (
    Line,
    create_dispatch_order,
    create_recipient,
    issue_batch,
    record_opening_balance,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

REQUESTS = 200
STOCK = 150


def _max_workers() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    # Each worker holds one connection; leave room for the test's own and the server's.
    return min(REQUESTS, limit - 10)


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_issues_of_150_in_stock(county):
    category = Category.objects.create(name="并发")
    masks = Item.objects.create(category=category, name="并发口罩", unit="个")
    gloves = Item.objects.create(category=category, name="并发手套", unit="双")
    store = Location.objects.create(
        kind=LocationKind.COUNTY_RESERVE, name="并发库", division=county.county
    )
    record_opening_balance(
        location=store,
        lines=[
            Line(item=masks, quantity=Decimal(STOCK)),
            Line(item=gloves, quantity=Decimal(1000)),
        ],
    )
    orders = []
    for n in range(REQUESTS):
        recipient = create_recipient(
            name=f"并发单位{n}", kind=RecipientKind.UNIT, division=county.town1
        )
        # Half the orders name the two items in one order, half in the other, so that the
        # locks are asked for in both orders of the lines: the fixed lock order must hold.
        lines = [Line(item=masks, quantity=Decimal(1)), Line(item=gloves, quantity=Decimal(1))]
        orders.append(
            create_dispatch_order(
                source=store, recipient=recipient, lines=lines if n % 2 else lines[::-1]
            )
        )
    workers = _max_workers()
    barrier = threading.Barrier(workers)
    results: list[str] = []
    lock = threading.Lock()
    queue = list(orders)

    def work():
        try:
            barrier.wait(timeout=60)
            while True:
                with lock:
                    if not queue:
                        return
                    order = queue.pop()
                try:
                    issue_batch(
                        order=order,
                        quantities={line.pk: line.quantity for line in order.lines.all()},
                    )
                    outcome = "ok"
                except InsufficientStock as exc:
                    assert "库存不足" in exc.text
                    outcome = "short"
                except Exception as exc:  # a deadlock or any other error is a failure
                    outcome = f"error: {exc!r}"
                with lock:
                    results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    errors = [r for r in results if r.startswith("error")]
    assert not errors, errors[:3]
    assert len(results) == REQUESTS
    assert results.count("ok") == STOCK
    assert results.count("short") == REQUESTS - STOCK
    assert StockBalance.objects.get(location=store, item=masks).quantity == 0
    assert StockBalance.objects.get(location=store, item=gloves).quantity == 1000 - STOCK
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    assert Issue.objects.count() == STOCK
    assert StockMove.objects.filter(kind="issue").count() == 2 * STOCK
    assert reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_issues_cancellations_and_transfers_both_ways_at_once(county):
    """Writers that take the same rows in different document orders: issues, cancellations
    of issued batches, and transfers A→B and B→A of two items. None may deadlock or fail
    other than with "库存不足"; the ledger still equals the balances."""
    from shuangying.supplies.services import cancel_issue, transfer_stock

    category = Category.objects.create(name="混合")
    x = Item.objects.create(category=category, name="混合甲", unit="个")
    y = Item.objects.create(category=category, name="混合乙", unit="个")
    a = Location.objects.create(
        kind=LocationKind.COUNTY_RESERVE, name="甲库", division=county.county
    )
    b = Location.objects.create(
        kind=LocationKind.TOWNSHIP_STORE, name="乙库", division=county.town1
    )
    for store in (a, b):
        record_opening_balance(
            location=store,
            lines=[Line(item=x, quantity=Decimal(100)), Line(item=y, quantity=Decimal(100))],
        )
    recipient = create_recipient(name="混合单位", kind=RecipientKind.UNIT, division=county.town1)
    # Twenty orders of 2 + 2, each half issued: one thread cancels that batch while another
    # issues the rest of the same order (the dispatch order and the balances, locked by both).
    jobs = []
    for _ in range(20):
        order = create_dispatch_order(
            source=a,
            recipient=recipient,
            lines=[Line(item=x, quantity=Decimal(2)), Line(item=y, quantity=Decimal(2))],
        )
        half = {line.pk: Decimal(1) for line in order.lines.all()}
        batch = issue_batch(order=order, quantities=half)
        jobs.append(lambda batch=batch: cancel_issue(issue=batch, reason="并发撤销"))
        jobs.append(lambda order=order, half=half: issue_batch(order=order, quantities=half))
    for n in range(20):
        source, target = (a, b) if n % 2 else (b, a)
        lines = [Line(item=x, quantity=Decimal(3)), Line(item=y, quantity=Decimal(3))]
        lines = lines if n % 3 else lines[::-1]
        jobs.append(
            lambda s=source, t=target, lines=lines: transfer_stock(
                from_location=s, to_location=t, lines=lines
            )
        )
    barrier = threading.Barrier(len(jobs))
    errors: list[str] = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=60)
            job()
        except InsufficientStock:
            pass
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:3]
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    assert reconcile() == []
    total = sum(StockBalance.objects.filter(item=x).values_list("quantity", flat=True), Decimal(0))
    issued_x = sum(
        IssueLine.objects.filter(item=x, issue__status="issued").values_list("quantity", flat=True),
        Decimal(0),
    )
    assert total + issued_x == 200  # nothing lost: what is not in a store was issued

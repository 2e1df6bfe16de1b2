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
from shuangying.supplies.models import Category, Issue, Item, Location, StockBalance, StockMove
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

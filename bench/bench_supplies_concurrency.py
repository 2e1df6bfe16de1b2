"""100 concurrent issue requests against the same items (H5, H6): every request answered (201
issued or 409 "库存不足"), none lost, no deadlock or other error, no negative balance, and the
ledger equal to the balances afterwards.

Each request is POST /api/supplies/dispatch-orders/{id}/issues through the whole Django stack
(middleware, session auth, the service), from its own thread and database connection. Each of
the 100 dispatch orders names the same two items, half of them in the opposite order, and the
store holds enough of the first for 70. Baseline, same run: the same 100 requests one after
another (wall time of the batch; the ratio is concurrent / sequential)."""

import logging
import statistics
import threading
import time
from decimal import Decimal

from common import report, setup_django

# The 409 answers expected here are counted below, not logged one by one.
logging.getLogger("django.request").setLevel(logging.ERROR)

setup_django()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from shuangying.accounts.models import User  # noqa: E402
from shuangying.divisions.models import Division  # noqa: E402
from shuangying.supplies.ledger import reconcile  # noqa: E402
from shuangying.supplies.models import Category, Item, StockBalance  # noqa: E402
from shuangying.supplies.services import (  # noqa: E402
    Line,
    create_dispatch_order,
    create_location,
    create_recipient,
    record_opening_balance,
)
from shuangying.testing import login  # noqa: E402

REQUESTS = 100
STOCK = 70


def setup(tag: str):
    root = Division.objects.filter(level=1).order_by("path").first()
    category, _ = Category.objects.get_or_create(name="并发压测")
    masks = Item.objects.create(category=category, name=f"并发口罩{tag}", unit="个")
    gloves = Item.objects.create(category=category, name=f"并发手套{tag}", unit="双")
    store = create_location(name=f"并发库{tag}", kind="county_reserve", division=root)
    record_opening_balance(
        location=store,
        lines=[
            Line(item=masks, quantity=Decimal(STOCK)),
            Line(item=gloves, quantity=Decimal(10**6)),
        ],
    )
    user, created = User.objects.get_or_create(
        username="bench_supplies", defaults={"full_name": "压测"}
    )
    if created:
        user.groups.add(Group.objects.get(name="supplies_officer"))
        user.divisions.add(root)
    orders = []
    for n in range(REQUESTS):
        recipient = create_recipient(name=f"并发单位{tag}-{n}", kind="unit", division=root)
        lines = [Line(item=masks, quantity=Decimal(1)), Line(item=gloves, quantity=Decimal(3))]
        orders.append(
            create_dispatch_order(
                source=store, recipient=recipient, lines=lines[:: 1 if n % 2 else -1]
            )
        )
    bodies = [
        {"lines": [{"line": line.pk, "quantity": str(line.quantity)} for line in order.lines.all()]}
        for order in orders
    ]
    return user, store, masks, gloves, list(zip(orders, bodies, strict=True))


def post(client, order, body):
    start = time.perf_counter()
    response = client.post(
        f"/api/supplies/dispatch-orders/{order.pk}/issues", body, content_type="application/json"
    )
    return response.status_code, time.perf_counter() - start


def run(tag: str, concurrent: bool):
    user, store, masks, gloves, work = setup(tag)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    started = time.perf_counter()
    if concurrent:
        barrier = threading.Barrier(REQUESTS)

        def one(order, body):
            client = Client()
            login(client, user)
            barrier.wait(timeout=60)
            try:
                outcome = post(client, order, body)
            finally:
                connections.close_all()
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=one, args=job) for job in work]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        hung = sum(t.is_alive() for t in threads)
    else:
        client = Client()
        login(client, user)
        results = [post(client, order, body) for order, body in work]
        hung = 0
    wall = time.perf_counter() - started
    codes = [code for code, _ in results]
    balance = {b.item_id: b.quantity for b in StockBalance.objects.filter(location=store)}
    ok = (
        hung == 0
        and len(results) == REQUESTS
        and codes.count(201) == STOCK
        and codes.count(409) == REQUESTS - STOCK
        and balance[masks.pk] == 0
        and balance[gloves.pk] == 10**6 - 3 * STOCK
        and not StockBalance.objects.filter(quantity__lt=0).exists()
        and reconcile() == []
    )
    latencies = sorted(t for _, t in results)
    return ok, wall, latencies, codes


def main() -> None:
    tag = str(int(time.time()))
    ok, wall, latencies, codes = run(f"c{tag}", concurrent=True)
    base_ok, base_wall, _lat, _codes = run(f"s{tag}", concurrent=False)
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0
    report(
        f"{REQUESTS} concurrent issue requests ({codes.count(201)} issued, "
        f"{codes.count(409)} insufficient, other {len(codes) - codes.count(201) - codes.count(409)}; "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms)",
        f"{wall * 1000:.0f} ms for all",
        f"{base_wall * 1000:.0f} ms one after another",
        wall / base_wall,
        "all answered, none lost, no deadlock",
        ok and base_ok,
    )


if __name__ == "__main__":
    main()

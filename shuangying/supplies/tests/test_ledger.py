"""The stock ledger's invariants (H6) under random sequences of receive, issue, transfer,
process and cancel (a hypothesis state machine): quantities are conserved, no balance is ever
negative, every balance equals the sum of its moves, and cancelling only adds moves."""

from decimal import Decimal
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from shuangying.supplies.choices import LocationKind, MoveKind
from shuangying.supplies.ledger import InsufficientStock, Move, post_moves, reconcile, reverse_moves
from shuangying.supplies.models import Category, Item, Location, StockBalance, StockMove
from shuangying.supplies.services import Line, record_processing, transfer_stock

pytestmark = pytest.mark.django_db
D = Decimal
SERIAL = count()
quantities = st.integers(min_value=1, max_value=50).map(D)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.n = next(SERIAL)
        self.expected: dict[tuple[int, int], Decimal] = {}
        self.seen: dict[int, tuple] = {}
        self.moves_before = StockMove.objects.count()

    @initialize()
    def setup(self):
        from shuangying.divisions.models import Division

        division = Division.objects.order_by("path").first()
        category, _ = Category.objects.get_or_create(name="测试")
        self.items = [
            Item.objects.create(category=category, name=f"物资{self.n}-{i}", unit="个")
            for i in range(2)
        ]

        def loc(kind, name):
            return Location.objects.create(kind=kind, name=f"{name}{self.n}", division=division)

        self.stores = [
            loc(LocationKind.COUNTY_RESERVE, "县库"),
            loc(LocationKind.TOWNSHIP_STORE, "镇库"),
        ]
        self.supplier = loc(LocationKind.SUPPLIER, "供应商")
        self.consumer = loc(LocationKind.CONSUMPTION, "领用")
        self.external = {self.supplier.pk, self.consumer.pk}

    def have(self, store, item) -> Decimal:
        return self.expected.get((store.pk, item.pk), D(0))

    def add(self, store, item, qty):
        key = (store.pk, item.pk)
        self.expected[key] = self.expected.get(key, D(0)) + qty

    @rule(s=st.integers(0, 1), i=st.integers(0, 1), qty=quantities)
    def receive(self, s, i, qty):
        store, item = self.stores[s], self.items[i]
        post_moves([Move(item, qty, self.supplier, store, MoveKind.PURCHASE, amount=qty * 2)])
        self.add(store, item, qty)

    @rule(s=st.integers(0, 1), i=st.integers(0, 1), qty=quantities)
    def issue(self, s, i, qty):
        store, item = self.stores[s], self.items[i]
        if qty > self.have(store, item):
            with pytest.raises(InsufficientStock, match="库存不足"):
                post_moves([Move(item, qty, store, self.consumer, MoveKind.ISSUE)])
            return
        post_moves([Move(item, qty, store, self.consumer, MoveKind.ISSUE)])
        self.add(store, item, -qty)

    @rule(s=st.integers(0, 1), i=st.integers(0, 1), qty=quantities)
    def transfer(self, s, i, qty):
        source, target, item = self.stores[s], self.stores[1 - s], self.items[i]
        call = lambda: transfer_stock(  # noqa: E731
            from_location=source, to_location=target, lines=[Line(item=item, quantity=qty)]
        )
        if qty > self.have(source, item):
            with pytest.raises(InsufficientStock):
                call()
            return
        call()
        self.add(source, item, -qty)
        self.add(target, item, qty)

    @rule(s=st.integers(0, 1), qty=quantities, out=quantities)
    def process(self, s, qty, out):
        store, source, product = self.stores[s], self.items[0], self.items[1]
        call = lambda: record_processing(  # noqa: E731
            location=store,
            processor=f"加工厂{self.n}",
            input_item=source,
            input_quantity=qty,
            output_item=product,
            output_quantity=out,
        )
        if qty > self.have(store, source):
            with pytest.raises(InsufficientStock):
                call()
            return
        call()
        self.add(store, source, -qty)
        self.add(store, product, out)

    @rule(data=st.data())
    def cancel(self, data):
        mine = list(
            StockMove.objects.filter(item__in=self.items, reverses__isnull=True)
            .exclude(reversed_by__isnull=False)
            .select_related("item", "from_location", "to_location")
            .order_by("pk")
        )
        if not mine:
            return
        move = data.draw(st.sampled_from(mine))
        before = StockMove.objects.count()
        needs = (
            move.to_location
            if move.to_location.kind in ("county_reserve", "township_store")
            else None
        )
        short = needs is not None and self.have(needs, move.item) < move.quantity
        if short:
            with pytest.raises(InsufficientStock):
                reverse_moves([move])
            assert StockMove.objects.count() == before
            return
        (reversal,) = reverse_moves([move])
        assert StockMove.objects.count() == before + 1
        assert reversal.reverses_id == move.pk and reversal.quantity == move.quantity
        for location, sign in ((move.to_location, -1), (move.from_location, 1)):
            if location.pk not in self.external and location.kind != LocationKind.PROCESSING:
                self.add(location, move.item, sign * move.quantity)
        with pytest.raises(ValidationError):
            reverse_moves([move])  # a move is reversed once

    @invariant()
    def balances_match_the_model_and_are_never_negative(self):
        if not hasattr(self, "items"):
            return
        actual = {
            (b.location_id, b.item_id): b.quantity
            for b in StockBalance.objects.filter(item__in=self.items)
        }
        for key, qty in self.expected.items():
            assert qty >= 0
            assert actual.get(key, D(0)) == qty, key
        assert all(q >= 0 for q in actual.values())

    @invariant()
    def ledger_sums_equal_balances(self):
        assert reconcile() == []

    @invariant()
    def moves_are_only_ever_added(self):
        rows = {
            pk: (qty, f, t, k)
            for pk, qty, f, t, k in StockMove.objects.values_list(
                "pk", "quantity", "from_location_id", "to_location_id", "kind"
            )
        }
        for pk, row in self.seen.items():
            assert rows.get(pk) == row, "a move was changed or deleted"
        self.seen = rows

    @invariant()
    def quantities_are_conserved(self):
        # Everything in the stores came in from the supplier (net of what went to consumption
        # and processing): the stores' total per item equals the outside world's net loss.
        if not hasattr(self, "items"):
            return
        for item in self.items:
            stores = sum(
                StockBalance.objects.filter(item=item).values_list("quantity", flat=True), D(0)
            )
            outside = D(0)
            for qty, f, t in StockMove.objects.filter(item=item).values_list(
                "quantity", "from_location__kind", "to_location__kind"
            ):
                store_kinds = ("county_reserve", "township_store")
                if f not in store_kinds:
                    outside -= qty
                if t not in store_kinds:
                    outside += qty
            assert stores == -outside


def test_ledger_state_machine(county):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_the_database_refuses_a_negative_balance(county):
    category = Category.objects.create(name="约束")
    item = Item.objects.create(category=category, name="约束物资", unit="个")
    store = Location.objects.create(kind="county_reserve", name="约束库", division=county.county)
    balance = StockBalance.objects.create(location=store, item=item, quantity=D(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=balance.pk).update(quantity=D(-1))


def test_reconcile_command_fails_when_a_balance_is_off(county, capsys):
    from django.core.management import CommandError, call_command
    from django.db.models import F

    from shuangying.supplies.services import record_opening_balance

    category = Category.objects.create(name="核对")
    item = Item.objects.create(category=category, name="核对物资", unit="个")
    store = Location.objects.create(kind="county_reserve", name="核对库", division=county.county)
    record_opening_balance(location=store, lines=[Line(item=item, quantity=D(10))])
    call_command("reconcile_supplies")
    assert "账实相符" in capsys.readouterr().out
    StockBalance.objects.filter(location=store).update(quantity=F("quantity") + 1)
    with pytest.raises(CommandError, match="账实不符：1处"):
        call_command("reconcile_supplies")
    assert "核对库 核对物资：库存 11，出入库合计 10" in capsys.readouterr().err

"""The stock ledger (H6): the one place where StockMove rows are written and StockBalance rows
change.

``post_moves`` runs inside the caller's transaction and, before writing anything, locks the
balance row of every (store, item) the moves touch, in ascending (location_id, item_id) order.
Two transactions that touch overlapping rows therefore wait for each other in the same order
and can never deadlock. With the locks held it checks that no balance would go below zero
(``InsufficientStock``, "库存不足", before anything is written), then adds the moves and
changes the balances with ``F()`` expressions. The CHECK constraint on StockBalance is the
last guard (on SQLite, whose writers are serialised, it is the only one needed).

Cancelling never deletes: ``reverse_moves`` adds, for each move, one the other way that points
back at it; a move can be reversed once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from .choices import STORE_KINDS
from .models import Item, Location, StockBalance, StockDay, StockMove

ZERO = Decimal("0")


class InsufficientStock(ValidationError):
    """A move would take a store below zero. The message names the store, the item, what is
    on hand and what was asked for."""

    def __init__(self, message: str, *, field: str = "quantity"):
        super().__init__({field: [message]})
        self.text = message


@dataclass
class Move:
    """A move to post. ``quantity`` is in the item's base unit and must be positive."""

    item: Item
    quantity: Decimal
    from_location: Location
    to_location: Location
    kind: str
    amount: Decimal = ZERO
    moved_at: datetime | None = None
    document: str = ""
    note: str = ""
    reverses: StockMove | None = None
    label: str = field(default="", compare=False)  # names the row in error messages


def fmt(quantity: Decimal) -> str:
    """1840.000 → 1840, 0.750 → 0.75 (for messages and screens)."""
    text = f"{quantity.normalize():f}"
    return text


def _is_store(location: Location) -> bool:
    return location.kind in STORE_KINDS


def post_moves(moves: Iterable[Move], *, actor=None) -> list[StockMove]:
    """Write ``moves`` and change the balances of the stores they touch, all or nothing."""
    moves = list(moves)
    if not moves:
        return []
    with transaction.atomic():
        delta: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        names: dict[tuple[int, int], tuple[Move, Location]] = {}
        for move in moves:
            quantity = Decimal(move.quantity)
            prefix = f"{move.label}" if move.label else ""
            if quantity <= 0:
                raise ValidationError({"quantity": [f"{prefix}数量：应大于0"]})
            if move.from_location.pk == move.to_location.pk:
                raise ValidationError({"to_location": [f"{prefix}去向：不能与来源相同"]})
            if _is_store(move.from_location):
                key = (move.from_location.pk, move.item.pk)
                delta[key] -= quantity
                names.setdefault(key, (move, move.from_location))
            if _is_store(move.to_location):
                key = (move.to_location.pk, move.item.pk)
                delta[key] += quantity
                names.setdefault(key, (move, move.to_location))
        keys = sorted(delta)
        # Make sure every balance row exists (a concurrent creator loses quietly), then lock
        # them all in one statement, ordered: the fixed order is what rules out deadlocks.
        StockBalance.objects.bulk_create(
            [StockBalance(location_id=loc, item_id=item) for loc, item in keys],
            ignore_conflicts=True,
        )
        where = Q(pk__in=[])
        for loc, item in keys:
            where |= Q(location_id=loc, item_id=item)
        locked = {
            (b.location_id, b.item_id): b
            for b in StockBalance.objects.select_for_update()
            .filter(where)
            .order_by("location_id", "item_id")
        }
        for key in keys:
            balance = locked[key]
            if balance.quantity + delta[key] < 0:
                move, location = names[key]
                unit = move.item.unit
                prefix = f"{move.label}" if move.label else ""
                raise InsufficientStock(
                    f"{prefix}库存不足：{location.name}的{move.item.name}现有"
                    f"{fmt(balance.quantity)}{unit}，需要{fmt(-delta[key])}{unit}"
                )
        now = timezone.now()
        created = StockMove.objects.bulk_create(
            [
                StockMove(
                    item=move.item,
                    quantity=Decimal(move.quantity),
                    from_location=move.from_location,
                    to_location=move.to_location,
                    kind=move.kind,
                    amount=move.amount,
                    moved_at=move.moved_at or now,
                    document=move.document[:40],
                    note=move.note[:200],
                    reverses=move.reverses,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
                for move in moves
            ]
        )
        _add_to_days(moves, now)
        try:
            with transaction.atomic():
                for key in keys:
                    if delta[key]:
                        StockBalance.objects.filter(pk=locked[key].pk).update(
                            quantity=F("quantity") + delta[key]
                        )
        except IntegrityError:
            # Only reachable if a writer bypassed the locks: the CHECK constraint said no.
            raise InsufficientStock("库存不足：库存已被其他操作占用，请刷新后重试") from None
        if created and created[0].pk is None:  # backends that do not return ids (none today)
            created = list(StockMove.objects.order_by("-pk")[: len(moves)])[::-1]
        return created


def _add_to_days(moves: list[Move], now: datetime) -> None:
    """Add the moves to the daily summary (StockDay). Every row touched belongs to a (store,
    item) whose balance row this transaction has locked, so no other writer can touch it:
    plain read-free increments, no deadlock."""
    rows: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for move in moves:
        day = timezone.localdate(move.moved_at or now)
        quantity, amount = Decimal(move.quantity), Decimal(move.amount)
        if _is_store(move.to_location):
            other = move.from_location.pk if _is_store(move.from_location) else 0
            row = rows[(move.to_location.pk, move.item.pk, day, move.kind, other)]
            row[0] += quantity
            row[2] += amount
        if _is_store(move.from_location):
            other = move.to_location.pk if _is_store(move.to_location) else 0
            row = rows[(move.from_location.pk, move.item.pk, day, move.kind, other)]
            row[1] += quantity
            row[3] += amount
    keys = sorted(rows)
    StockDay.objects.bulk_create(
        [
            StockDay(location_id=loc, item_id=item, day=day, kind=kind, counterpart=other)
            for loc, item, day, kind, other in keys
        ],
        ignore_conflicts=True,
    )
    for loc, item, day, kind, other in keys:
        qty_in, qty_out, amount_in, amount_out = rows[(loc, item, day, kind, other)]
        StockDay.objects.filter(
            location_id=loc, item_id=item, day=day, kind=kind, counterpart=other
        ).update(
            qty_in=F("qty_in") + qty_in,
            qty_out=F("qty_out") + qty_out,
            amount_in=F("amount_in") + amount_in,
            amount_out=F("amount_out") + amount_out,
        )


def reverse_moves(
    moves: Iterable[StockMove], *, actor=None, note: str = "", moved_at=None
) -> list[StockMove]:
    """Cancel ``moves`` by adding one reversing move each (nothing is deleted). A move that has
    already been reversed, or is itself a reversal, is refused."""
    moves = list(moves)
    ids = [m.pk for m in moves]
    if StockMove.objects.filter(Q(reverses_id__in=ids) | Q(pk__in=ids, reverses__isnull=False)):
        raise ValidationError("该记录已冲销或本身是冲销记录，不能再次冲销")
    return post_moves(
        [
            Move(
                item=m.item,
                quantity=m.quantity,
                from_location=m.to_location,
                to_location=m.from_location,
                kind=m.kind,
                amount=m.amount,
                moved_at=moved_at,
                document=m.document,
                note=note or f"冲销 #{m.pk}",
                reverses=m,
            )
            for m in moves
        ],
        actor=actor,
    )


def on_hand(location: Location, item: Item) -> Decimal:
    row = StockBalance.objects.filter(location=location, item=item).first()
    return row.quantity if row else ZERO


@dataclass
class Discrepancy:
    location_id: int
    item_id: int
    balance: Decimal
    ledger: Decimal
    what: str = "库存"


def reconcile() -> list[Discrepancy]:
    """Every store balance, and its daily summary, against the sum of its moves; the
    differences (none, normally)."""
    ledger: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    stores = set(Location.objects.filter(kind__in=STORE_KINDS).values_list("pk", flat=True))
    for loc, item, total in (
        StockMove.objects.filter(to_location_id__in=stores)
        .values_list("to_location_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    ):
        ledger[(loc, item)] += total
    for loc, item, total in (
        StockMove.objects.filter(from_location_id__in=stores)
        .values_list("from_location_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    ):
        ledger[(loc, item)] -= total
    balances = {
        (loc, item): qty
        for loc, item, qty in StockBalance.objects.values_list("location_id", "item_id", "quantity")
    }
    days: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for loc, item, qty_in, qty_out in (
        StockDay.objects.values_list("location_id", "item_id")
        .annotate(i=Sum("qty_in"), o=Sum("qty_out"))
        .order_by()
    ):
        days[(loc, item)] += qty_in - qty_out
    out = []
    for key in sorted(set(ledger) | set(balances) | set(days)):
        expected = ledger.get(key, ZERO)
        if balances.get(key, ZERO) != expected:
            out.append(Discrepancy(*key, balances.get(key, ZERO), expected))
        elif days.get(key, ZERO) != expected:
            out.append(Discrepancy(*key, days.get(key, ZERO), expected, "日汇总"))
    return out

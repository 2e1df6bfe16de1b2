"""Opening balances and transfers between stores (H6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from ..choices import LocationKind, MoveKind
from ..ledger import Move, post_moves
from ..models import Location, StockMove
from .common import CENT, Line, base_lines, next_number, outside_location, require_store, row_label


def log_moves(actor, object_id, summary: str, detail: dict | None = None) -> None:
    """The audit row of a batch of moves: there is no one row to log on, so it names the store
    (opening reserves) or the transfer's document instead."""
    record_event(
        user=actor,
        action=AuditAction.CREATE,
        object_type=StockMove.audit_object_type(),
        object_id=object_id,
        summary=summary,
        detail=detail,
    )


@transaction.atomic
def record_opening_balance(
    *,
    actor=None,
    location: Location,
    lines: Sequence[Line],
    moved_at: datetime | None = None,
    note: str = "期初储备",
) -> list[StockMove]:
    """Reserves held before the ledger began (Quwo's 100 cotton tents, 791 cotton coats): moves
    from the opening location into the store; ``price`` is the value per base unit."""
    require_store(location)
    lines = base_lines(lines, price_label="单价")
    opening = outside_location(LocationKind.OPENING, "期初储备", location.division)
    moves = post_moves(
        [
            Move(
                item=line.item,
                quantity=line.quantity,
                from_location=opening,
                to_location=location,
                kind=MoveKind.OPENING,
                amount=(line.quantity * (line.price or 0)).quantize(CENT),
                moved_at=moved_at,
                note=note,
                label=row_label(line.row),
            )
            for line in lines
        ],
        actor=actor,
    )
    log_moves(actor, location.pk, f"登记期初储备 {location.name}", {"rows": len(moves)})
    return moves


@transaction.atomic
def transfer_stock(
    *,
    actor=None,
    from_location: Location,
    to_location: Location,
    lines: Sequence[Line],
    moved_at: datetime | None = None,
    note: str = "",
) -> list[StockMove]:
    """Move stock between two stores (调拨)."""
    require_store(from_location, "调出库点")
    require_store(to_location, "调入库点")
    if from_location.pk == to_location.pk:
        raise ValidationError({"to_location": ["调入库点：不能与调出库点相同"]})
    lines = base_lines(lines)
    document = next_number(StockMove, "DB", "document")
    moves = post_moves(
        [
            Move(
                item=line.item,
                quantity=line.quantity,
                from_location=from_location,
                to_location=to_location,
                kind=MoveKind.TRANSFER,
                moved_at=moved_at,
                document=document,
                note=note,
                label=row_label(line.row),
            )
            for line in lines
        ],
        actor=actor,
    )
    log_moves(actor, document, f"调拨 {from_location.name}→{to_location.name} {len(moves)}项")
    return moves

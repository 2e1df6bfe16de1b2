"""Processing (H4): input stock made into output stock at a processor."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import LocationKind, MoveKind
from ..ledger import Move, fmt, post_moves
from ..models import Item, Location, ProcessingRun, StockMove
from .common import CENT, decimal_of, next_number, outside_location, require_store, to_base


def average_cost(item: Item, location: Location | None = None) -> Decimal:
    """Value per base unit of what came in (weighted average of receipts)."""
    from ..reports import unit_costs

    return unit_costs([item.pk]).get(item.pk, Decimal(0))


@transaction.atomic
def record_processing(
    *,
    actor=None,
    location: Location,
    processor: str,
    input_item: Item,
    input_quantity: Decimal,
    output_item: Item,
    output_quantity: Decimal,
    input_unit: str = "",
    output_unit: str = "",
    processed_at: datetime | None = None,
    note: str = "",
) -> ProcessingRun:
    """Turn input stock into output stock at ``processor`` (3 t concentrate → ~6.3 t of
    solution in 10 L jugs). Both sides are moves through the processing location; the output
    carries the input's value; the yield is the output in the input's unit over the input."""
    require_store(location)
    if not processor.strip():
        raise ValidationError({"processor": ["加工单位：必填"]})
    if input_item.pk == output_item.pk:
        raise ValidationError({"output_item": ["产出物资：不能与投入物资相同"]})
    qty_in = to_base(input_item, decimal_of(input_quantity, label="投入数量"), input_unit)
    qty_out = to_base(output_item, decimal_of(output_quantity, label="产出数量"), output_unit)
    yield_ratio = None
    if output_item.unit == input_item.unit:
        yield_ratio = (qty_out / qty_in).quantize(Decimal("0.0001"))
    else:
        conversion = output_item.conversions.filter(unit=input_item.unit).first()
        if conversion is not None:
            yield_ratio = (qty_out / conversion.factor / qty_in).quantize(Decimal("0.0001"))
    site = outside_location(LocationKind.PROCESSING, processor, location.division)
    value = (qty_in * average_cost(input_item)).quantize(CENT)
    document = next_number(StockMove, "JG", "document")
    out_move, in_move = post_moves(
        [
            Move(
                item=input_item,
                quantity=qty_in,
                from_location=location,
                to_location=site,
                kind=MoveKind.PROCESSING_OUT,
                amount=value,
                moved_at=processed_at,
                document=document,
                note=note,
            ),
            Move(
                item=output_item,
                quantity=qty_out,
                from_location=site,
                to_location=location,
                kind=MoveKind.PROCESSING_IN,
                amount=value,
                moved_at=processed_at,
                document=document,
                note=note,
            ),
        ],
        actor=actor,
    )
    run = ProcessingRun.objects.create(
        location=location,
        processor=processor.strip()[:100],
        input_item=input_item,
        input_quantity=qty_in,
        output_item=output_item,
        output_quantity=qty_out,
        yield_ratio=yield_ratio,
        processed_at=processed_at or timezone.now(),
        note=note.strip()[:300],
        input_move=out_move,
        output_move=in_move,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    run.log_action(
        AuditAction.CREATE,
        summary=f"加工 {input_item.name}{fmt(qty_in)}{input_item.unit}→"
        f"{output_item.name}{fmt(qty_out)}{output_item.unit}",
        user=actor,
    )
    return run

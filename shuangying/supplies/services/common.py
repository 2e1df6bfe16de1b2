"""What every supplies workflow shares: numbers typed by a user (with the field and row in
the error), base units, document numbers, the store check and the rows of a document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from ..choices import STORE_KINDS
from ..models import Item, Location, UnitConversion

CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("1e12")


def row_label(n: int | None) -> str:
    return f"第{n}行 " if n else ""


def decimal_of(value, *, label: str, row: int | None = None, positive=True) -> Decimal:
    """A Decimal from user input, or ValidationError naming the field (and row)."""
    try:
        # "1,000" as typed or pasted from Excel is 1000.
        text = str(value).strip().replace(",", "").replace("\uff0c", "")
        number = value if isinstance(value, Decimal) else Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(f"{row_label(row)}{label}：应为数字") from None
    if not number.is_finite():
        raise ValidationError(f"{row_label(row)}{label}：应为数字")
    if positive and number <= 0:
        raise ValidationError(f"{row_label(row)}{label}：应大于0")
    if number < 0:
        raise ValidationError(f"{row_label(row)}{label}：不能为负数")
    if abs(number) >= MAX_QUANTITY:
        raise ValidationError(f"{row_label(row)}{label}：数值过大")
    return number


def to_base(item: Item, quantity: Decimal, unit: str = "", *, row: int | None = None) -> Decimal:
    """``quantity`` in ``unit`` as the item's base unit (1 桶 of alcohol = 2 kg; 1 t = 1000 kg).
    At most three decimal places are kept, as the ledger does."""
    unit = (unit or "").strip()
    if unit and unit != item.unit:
        conversion = UnitConversion.objects.filter(item=item, unit=unit).first()
        if conversion is None:
            known = "、".join([item.unit, *item.conversions.values_list("unit", flat=True)])
            raise ValidationError(
                f"{row_label(row)}单位：{item.name}没有“{unit}”这一单位（可用：{known}）"
            )
        quantity = quantity * conversion.factor
    base = quantity.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if base <= 0:
        raise ValidationError(f"{row_label(row)}数量：折合{item.unit}后应大于0")
    return base


def next_number(model, prefix: str, field: str = "number") -> str:
    """PREFIX-YYYYMMDD-NNN, the day's next number."""
    day = timezone.localdate().strftime("%Y%m%d")
    stem = f"{prefix}-{day}-"
    last = model.objects.filter(**{f"{field}__startswith": stem}).aggregate(m=Max(field))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:03d}"


def require_store(location: Location, label: str = "库点") -> None:
    if location.kind not in STORE_KINDS:
        raise ValidationError({"location": [f"{label}：应为储备库（县级储备库、部门库或乡镇库）"]})


def outside_location(kind: str, name: str, division) -> Location:
    """The supplier, donor, processing or consumption location of that name, made on first
    use (these are the ledger's other ends, not stores)."""
    name = name.strip()[:60]
    location, _ = Location.objects.get_or_create(
        kind=kind, name=name, defaults={"division": division}
    )
    return location


@dataclass
class Line:
    """One row of a document as typed: the item, a quantity in ``unit`` (the item's base unit
    when empty) and a price or value where the document has one."""

    item: Item
    quantity: Decimal
    unit: str = ""
    price: Decimal | None = None
    row: int | None = None


def base_lines(lines: Sequence[Line], *, price_label: str | None = None) -> list[Line]:
    if not lines:
        raise ValidationError({"lines": ["明细：至少填写一行物资"]})
    out = []
    seen = set()
    for n, line in enumerate(lines, start=1):
        row = line.row or n
        if line.item.pk in seen:
            raise ValidationError(
                {"lines": [f"第{row}行 物资：{line.item.name}重复，请合并为一行"]}
            )
        seen.add(line.item.pk)
        quantity = decimal_of(line.quantity, label="数量", row=row)
        base = to_base(line.item, quantity, line.unit, row=row)
        price = None
        if price_label is not None:
            price = decimal_of(
                line.price if line.price is not None else "0",
                label=price_label,
                row=row,
                positive=False,
            )
            if line.unit and line.unit != line.item.unit:
                # A price per 桶 becomes a price per kg.
                price = (price * quantity / base).quantize(Decimal("0.000001"))
        out.append(Line(item=line.item, quantity=base, unit=line.item.unit, price=price, row=row))
    return out

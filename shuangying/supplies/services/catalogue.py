"""The catalogue and locations (H1): categories, items with their unit conversions, stores,
recipients."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangying.audit.models import AuditAction

from ..choices import LocationKind, RecipientKind
from ..models import Category, Item, Location, Recipient, StockMove, UnitConversion
from .common import decimal_of, outside_location


@transaction.atomic
def create_category(*, actor=None, name: str, sort_order: int = 0) -> Category:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称：必填"]})
    if Category.objects.filter(name=name).exists():
        raise ValidationError({"name": ["名称：该类别已存在"]})
    category = Category.objects.create(name=name, sort_order=sort_order)
    category.log_action(AuditAction.CREATE, summary=f"新增物资类别 {name}", user=actor)
    return category


def _conversions(item: Item, conversions: Sequence[tuple[str, Decimal]]) -> None:
    seen = set()
    for n, (unit, factor) in enumerate(conversions, start=1):
        unit = unit.strip()
        if not unit:
            continue
        if unit == item.unit or unit in seen:
            raise ValidationError({"conversions": [f"单位换算第{n}项：单位“{unit}”重复"]})
        seen.add(unit)
        factor = decimal_of(factor, label=f"单位换算第{n}项 折合数量")
        UnitConversion.objects.update_or_create(item=item, unit=unit, defaults={"factor": factor})
    item.conversions.exclude(unit__in=seen).delete()


@transaction.atomic
def save_item(
    *,
    actor=None,
    item: Item | None = None,
    category: Category,
    name: str,
    unit: str,
    specification: str = "",
    min_stock: Decimal = Decimal("0"),
    daily_consumption: Decimal | None = None,
    conversions: Sequence[tuple[str, Decimal]] = (),
) -> Item:
    """Create or change a catalogue item with its unit conversions (H1)."""
    name, unit = name.strip(), unit.strip()
    if not name:
        raise ValidationError({"name": ["名称：必填"]})
    if not unit:
        raise ValidationError({"unit": ["计量单位：必填"]})
    clash = Item.objects.filter(name=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
        if item.unit != unit and StockMove.objects.filter(item=item).exists():
            raise ValidationError({"unit": ["计量单位：已有出入库记录，不能更改基本单位"]})
    if clash.exists():
        raise ValidationError({"name": ["名称：该物资已在目录中"]})
    min_stock = decimal_of(min_stock, label="最低库存", positive=False)
    if daily_consumption is not None:
        daily_consumption = decimal_of(daily_consumption, label="日消耗量")
    created = item is None
    item = item or Item()
    item.category = category
    item.name = name
    item.unit = unit
    item.specification = specification.strip()
    item.min_stock = min_stock
    item.daily_consumption = daily_consumption
    item.save()
    _conversions(item, conversions)
    item.log_action(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        summary=f"{'新增' if created else '修改'}物资 {name}",
        user=actor,
    )
    return item


@transaction.atomic
def create_location(*, actor=None, name: str, kind: str, division, department=None) -> Location:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称：必填"]})
    if kind not in LocationKind.values:
        raise ValidationError({"kind": ["类型：无效"]})
    if Location.objects.filter(kind=kind, name=name).exists():
        raise ValidationError({"name": ["名称：同类库点名称已存在"]})
    location = Location.objects.create(
        name=name, kind=kind, division=division, department=department
    )
    location.log_action(AuditAction.CREATE, summary=f"新增库点 {name}", user=actor)
    return location


@transaction.atomic
def create_recipient(
    *,
    actor=None,
    name: str,
    kind: str,
    division,
    department=None,
    credit_code: str = "",
    contact: str = "",
    contact_account=None,
) -> Recipient:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["名称：必填"]})
    if kind not in RecipientKind.values:
        raise ValidationError({"kind": ["类型：无效"]})
    credit_code = credit_code.strip().upper()
    if credit_code and len(credit_code) != 18:
        raise ValidationError({"credit_code": ["统一社会信用代码：应为18位"]})
    if contact_account is not None and kind != RecipientKind.ENTERPRISE:
        raise ValidationError({"contact_account": ["联络人账户：只有企业设联络人账户"]})
    if Recipient.objects.filter(kind=kind, name=name).exists():
        raise ValidationError({"name": ["名称：该领用单位已存在"]})
    recipient = Recipient.objects.create(
        name=name,
        kind=kind,
        division=division,
        department=department,
        credit_code=credit_code,
        contact=contact.strip()[:30],
        contact_account=contact_account,
        consumption=outside_location(LocationKind.CONSUMPTION, name, division),
    )
    recipient.log_action(AuditAction.CREATE, summary=f"新增领用单位 {name}", user=actor)
    return recipient

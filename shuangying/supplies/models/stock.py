"""Locations and the ledger (H6): stores and the other ends of a move, the append-only moves,
the balances they keep and the daily summary the reports read; the base of a line checked on
arrival."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..choices import STORE_KINDS, LocationKind, MoveKind
from ..querysets import BalanceQuerySet, LocationQuerySet, MoveQuerySet
from .base import MONEY, QUANTITY, ZERO, user_fk
from .catalogue import Item


class Location(Audited, models.Model):
    """A store (county reserve, department or township store) or an outside party a move comes
    from or goes to (supplier, donor, processing, consumption, opening reserves)."""

    audit_type = "supply_location"

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=LocationKind.choices)
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="supply_locations",
        verbose_name=_("所属区划"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("管理部门"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("库点")
        verbose_name_plural = _("库点")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="location_kind_name_unique",
                violation_error_message=_("同类库点名称已存在"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_store(self) -> bool:
        return self.kind in STORE_KINDS


class StockMove(Audited, models.Model):
    """One entry of the ledger: ``quantity`` of ``item`` from one location to another. Never
    changed, never deleted; a cancellation is a new move the other way (``reverses``)."""

    audit_type = "stock_move"

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="moves", verbose_name=_("物资")
    )
    quantity = models.DecimalField(_("数量"), **QUANTITY)
    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="moves_out", verbose_name=_("来源")
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="moves_in", verbose_name=_("去向")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MoveKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY, default=ZERO)
    moved_at = models.DateTimeField(_("时间"))
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲销"),
    )
    document = models.CharField(_("单据"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = user_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MoveQuerySet.as_manager()

    class Meta:
        ordering = ["moved_at", "pk"]
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        indexes = [
            models.Index(fields=["item", "moved_at"], name="move_item_time"),
            models.Index(fields=["from_location", "item"], name="move_from_item"),
            models.Index(fields=["to_location", "item"], name="move_to_item"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="move_quantity_positive",
                violation_error_message=_("数量应大于0"),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_location=models.F("to_location")),
                name="move_between_two_locations",
                violation_error_message=_("来源和去向不能相同"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity.normalize():f} {self.from_location}→{self.to_location}"


class StockBalance(Audited, models.Model):
    """What one store holds of one item: the sum of its moves, kept in the same transaction.
    Never negative: the CHECK constraint is the last guard behind the row locks."""

    audit_type = "stock_balance"

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="balances", verbose_name=_("库点")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="balances", verbose_name=_("物资")
    )
    quantity = models.DecimalField(_("库存"), **QUANTITY, default=ZERO)

    objects = BalanceQuerySet.as_manager()

    class Meta:
        ordering = ["location", "item"]
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        permissions = [("export_stockbalance", "Can export supplies ledgers and reports")]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "item"],
                name="one_balance_per_location_item",
                violation_error_message=_("该库点已有此物资的库存记录"),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="stock_balance_not_negative",
                violation_error_message=_("库存不足"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.item} {self.quantity.normalize():f}"


class StockDay(models.Model):
    """The moves of one store, item, local day and kind (and, for a transfer, the other store),
    summed: what the reports read instead of the moves. Kept by ``ledger.post_moves`` in the
    same transaction as the moves, under the (store, item) balance lock, so it never drifts
    and never deadlocks; ``reconcile_supplies`` checks it against the moves too."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=MoveKind.choices)
    # The other store of a transfer (its pk), 0 when the other end is not a store.
    counterpart = models.BigIntegerField(default=0)
    qty_in = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    qty_out = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    amount_in = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    amount_out = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("出入库日汇总")
        verbose_name_plural = _("出入库日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "item", "day", "kind", "counterpart"],
                name="one_stock_day_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.item_id} {self.day} {self.kind}"


class AcceptedLine(models.Model):
    """A line of goods checked on arrival (purchases and donations alike): what was accepted
    of it, why the rest was refused, and the stock move that took the accepted part in."""

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("物资")
    )
    accepted = models.DecimalField(_("验收合格"), **QUANTITY, default=ZERO)
    rejection_reason = models.CharField(_("拒收原因"), max_length=200, blank=True)
    move = models.OneToOneField(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity.normalize():f}"

"""Emergency supplies (H1–H8): catalogue, locations, the append-only stock ledger and its
balances, procurement with joint pre-review and joint acceptance, donations, processing,
dispatch orders issued in batches and signed for, and enterprise requests.

The ledger (H6): a StockMove takes a quantity of one item from one location to another and is
never changed or deleted; cancelling adds a reversing move (``reverses``). StockBalance holds
the quantity of each item in each store, changed only by ``ledger.post_moves`` in the same
transaction as the moves, under row locks taken in (location_id, item_id) order, and a CHECK
constraint keeps it from ever going below zero. Quantities are in the item's base unit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import (
    STORE_KINDS,
    DispatchStatus,
    DonationStatus,
    DonorKind,
    IssueStatus,
    LocationKind,
    MoveKind,
    PurchaseStatus,
    RecipientKind,
    RequestStatus,
    ReviewDecision,
)
from .querysets import (
    BalanceQuerySet,
    CatalogueQuerySet,
    DispatchQuerySet,
    DonationQuerySet,
    EnterpriseRequestQuerySet,
    IssueQuerySet,
    LocationQuerySet,
    MoveQuerySet,
    ProcessingQuerySet,
    PurchaseQuerySet,
    RecipientQuerySet,
)

QUANTITY = {"max_digits": 16, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


def _user_fk(**extra):
    return models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **extra,
    )


# --- catalogue (H1) -------------------------------------------------------------------------


class Category(models.Model):
    """A category of the catalogue (the seed's three: 医疗防护, 消杀, 生活保障)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("物资类别")
        verbose_name_plural = _("物资类别")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One kind of supply. Quantities are kept in ``unit`` (the base unit); other units convert
    to it (a 桶 of alcohol is 2 kg, a 壶 of solution is 10 L)."""

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("类别")
    )
    name = models.CharField(_("名称"), max_length=60, unique=True)
    specification = models.CharField(_("规格"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=8)
    min_stock = models.DecimalField(
        _("最低库存"), **QUANTITY, default=ZERO, help_text=_("低于此数量时预警")
    )
    daily_consumption = models.DecimalField(
        _("日消耗量"),
        **QUANTITY,
        null=True,
        blank=True,
        help_text=_("粮油等储备:按此折算可供应天数"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["category__sort_order", "pk"]
        verbose_name = _("物资")
        verbose_name_plural = _("物资")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_stock__gte=0),
                name="item_min_stock_not_negative",
                violation_error_message=_("最低库存不能为负数"),
            ),
            models.CheckConstraint(
                condition=models.Q(daily_consumption__isnull=True)
                | models.Q(daily_consumption__gt=0),
                name="item_daily_consumption_positive",
                violation_error_message=_("日消耗量应大于0"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supplies:item_update", args=[self.pk])


class UnitConversion(models.Model):
    """1 ``unit`` = ``factor`` of the item's base unit."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("物资")
    )
    unit = models.CharField(_("单位"), max_length=8)
    factor = models.DecimalField(_("折合基本单位"), max_digits=16, decimal_places=6)

    class Meta:
        ordering = ["item", "unit"]
        verbose_name = _("单位换算")
        verbose_name_plural = _("单位换算")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit"],
                name="one_conversion_per_unit",
                violation_error_message=_("该物资已有此单位的换算"),
            ),
            models.CheckConstraint(
                condition=models.Q(factor__gt=0),
                name="conversion_factor_positive",
                violation_error_message=_("换算系数应大于0"),
            ),
        ]

    def __str__(self) -> str:
        return f"1{self.unit} = {self.factor.normalize():f}{self.item.unit}"


class Budget(models.Model):
    """A fund purchases are charged to; the amount used is what was accepted into stock."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    amount = models.DecimalField(_("预算金额(元)"), **MONEY)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("采购预算")
        verbose_name_plural = _("采购预算")

    def __str__(self) -> str:
        return self.name


# --- locations and the ledger (H6) ------------------------------------------------------------


class Location(models.Model):
    """A store (county reserve, department or township store) or an outside party a move comes
    from or goes to (supplier, donor, processing, consumption, opening reserves)."""

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


class StockMove(models.Model):
    """One entry of the ledger: ``quantity`` of ``item`` from one location to another. Never
    changed, never deleted; a cancellation is a new move the other way (``reverses``)."""

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
    amount = models.DecimalField(_("金额(元)"), **MONEY, default=ZERO)
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
    created_by = _user_fk()
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


class StockBalance(models.Model):
    """What one store holds of one item: the sum of its moves, kept in the same transaction.
    Never negative: the CHECK constraint is the last guard behind the row locks."""

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


# --- procurement (H2) ---------------------------------------------------------------------------


class PurchaseRequest(models.Model):
    """A purchase: request → joint pre-review (four departments) → order → joint acceptance
    on arrival → stock."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("入库库点")
    )
    supplier = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="supplied_purchases",
        verbose_name=_("供应商"),
    )
    budget = models.ForeignKey(
        Budget,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
        verbose_name=_("预算"),
    )
    reason = models.CharField(_("采购理由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT
    )
    review_round = models.PositiveSmallIntegerField(_("预审轮次"), default=0)
    order_number = models.CharField(_("订单号"), max_length=40, blank=True)
    ordered_at = models.DateTimeField(_("订购时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_team = models.CharField(_("验收人员"), max_length=200, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("采购申请")
        verbose_name_plural = _("采购申请")
        permissions = [("review_purchaserequest", "Can take part in the joint pre-review")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supplies:purchase_detail", args=[self.pk])

    @property
    def estimated_total(self) -> Decimal:
        return sum((line.estimated_amount for line in self.lines.all()), ZERO)

    @property
    def accepted_total(self) -> Decimal:
        return sum((line.accepted_amount for line in self.lines.all()), ZERO)


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


class PurchaseLine(AcceptedLine):
    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("采购申请")
    )
    quantity = models.DecimalField(_("申请数量"), **QUANTITY)
    estimated_price = models.DecimalField(_("预估单价(元)"), **MONEY)
    unit_price = models.DecimalField(_("成交单价(元)"), **MONEY, null=True, blank=True)
    delivered = models.DecimalField(_("到货数量"), **QUANTITY, default=ZERO)

    class Meta(AcceptedLine.Meta):
        verbose_name = _("采购明细")
        verbose_name_plural = _("采购明细")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="purchase_quantity_positive",
                violation_error_message=_("申请数量应大于0"),
            ),
            models.CheckConstraint(
                condition=models.Q(accepted__lte=models.F("delivered")),
                name="purchase_accepted_within_delivered",
                violation_error_message=_("验收合格数量不能超过到货数量"),
            ),
        ]

    @property
    def price(self) -> Decimal:
        return self.unit_price if self.unit_price is not None else self.estimated_price

    @property
    def estimated_amount(self) -> Decimal:
        return (self.quantity * self.estimated_price).quantize(Decimal("0.01"))

    @property
    def accepted_amount(self) -> Decimal:
        return (self.accepted * self.price).quantize(Decimal("0.01"))

    @property
    def rejected(self) -> Decimal:
        return self.delivered - self.accepted


class PurchaseReview(models.Model):
    """One department's decision in one round of the joint pre-review (订购前联合预审)."""

    request = models.ForeignKey(
        PurchaseRequest,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("采购申请"),
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    decision = models.CharField(
        _("意见"), max_length=10, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    comment = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewer = _user_fk(verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["round", "department__code"]
        verbose_name = _("联合预审")
        verbose_name_plural = _("联合预审")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round", "department"],
                name="one_review_per_department_per_round",
                violation_error_message=_("该部门本轮已有审核记录"),
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="returned") | ~models.Q(comment=""),
                name="returned_review_has_comment",
                violation_error_message=_("退回须填写意见"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.department} {self.get_decision_display()}"


# --- donations (H3) -------------------------------------------------------------------------------


class Donation(models.Model):
    """A donation: donor, items, declared value; accepted like a delivery, into stock."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    donor_kind = models.CharField(_("捐赠方类型"), max_length=12, choices=DonorKind.choices)
    donor_name = models.CharField(_("捐赠方"), max_length=100, blank=True)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    donor_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="donations_made", verbose_name=_("捐赠方")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="donations", verbose_name=_("入库库点")
    )
    received_on = models.DateField(_("接收日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    acceptance_team = models.CharField(_("验收人员"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    created_by = _user_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=True) | ~models.Q(donor_name=""),
                name="donation_named_or_anonymous",
                violation_error_message=_("捐赠方:非匿名捐赠须填写捐赠方名称"),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supplies:donation_detail", args=[self.pk])

    @property
    def public_name(self) -> str:
        return str(_("匿名捐赠者")) if self.anonymous else self.donor_name

    @property
    def declared_total(self) -> Decimal:
        return sum((line.declared_value for line in self.lines.all()), ZERO)


class DonationLine(AcceptedLine):
    donation = models.ForeignKey(
        Donation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("捐赠")
    )
    quantity = models.DecimalField(_("捐赠数量"), **QUANTITY)
    declared_value = models.DecimalField(_("申报价值(元)"), **MONEY, default=ZERO)

    class Meta(AcceptedLine.Meta):
        verbose_name = _("捐赠明细")
        verbose_name_plural = _("捐赠明细")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="donation_quantity_positive",
                violation_error_message=_("捐赠数量应大于0"),
            ),
            models.CheckConstraint(
                condition=models.Q(accepted__lte=models.F("quantity")),
                name="donation_accepted_within_quantity",
                violation_error_message=_("验收合格数量不能超过捐赠数量"),
            ),
        ]


# --- processing (H4) ------------------------------------------------------------------------------


class ProcessingRun(models.Model):
    """Input stock made into output stock (3 t of concentrate into ~6.3 t of solution), with
    the yield recorded; the ledger shows both sides."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="processing_runs", verbose_name=_("库点")
    )
    processor = models.CharField(_("加工单位"), max_length=100)
    input_item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("投入物资")
    )
    input_quantity = models.DecimalField(_("投入数量"), **QUANTITY)
    output_item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("产出物资")
    )
    output_quantity = models.DecimalField(_("产出数量"), **QUANTITY)
    yield_ratio = models.DecimalField(
        _("产出率"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("产出折合投入单位后与投入之比"),
    )
    processed_at = models.DateTimeField(_("加工时间"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    input_move = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="+")
    output_move = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="+")
    created_by = _user_fk()

    objects = ProcessingQuerySet.as_manager()

    class Meta:
        ordering = ["-processed_at", "-pk"]
        verbose_name = _("加工")
        verbose_name_plural = _("加工")

    def __str__(self) -> str:
        return f"{self.input_item}→{self.output_item}"


# --- dispatch (H5, H8) ----------------------------------------------------------------------------


class Recipient(models.Model):
    """Who receives supplies: a unit, a township, a checkpoint, a quarantine site or an
    enterprise (H8)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=RecipientKind.choices)
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="supply_recipients",
        verbose_name=_("所在区划"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对应部门"),
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact = models.CharField(_("联系人"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    consumption = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("发放去向")
    )

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("领用单位")
        verbose_name_plural = _("领用单位")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="recipient_kind_name_unique",
                violation_error_message=_("同类领用单位名称已存在"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class DispatchOrder(models.Model):
    """A dispatch order (调用指令) of the command: a recipient, quantities, the store it is
    issued from; issued in one or more batches."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    source = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="dispatch_orders",
        verbose_name=_("发放库点"),
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="orders", verbose_name=_("领用单位")
    )
    ordered_on = models.DateField(_("指令日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.OPEN
    )
    created_by = _user_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("调用指令")
        verbose_name_plural = _("调用指令")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supplies:dispatch_detail", args=[self.pk])


class DispatchLine(models.Model):
    order = models.ForeignKey(
        DispatchOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("调用指令")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("物资")
    )
    quantity = models.DecimalField(_("指令数量"), **QUANTITY)
    issued = models.DecimalField(_("已发放"), **QUANTITY, default=ZERO)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("调用明细")
        verbose_name_plural = _("调用明细")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="dispatch_quantity_positive",
                violation_error_message=_("指令数量应大于0"),
            ),
            models.CheckConstraint(
                condition=models.Q(issued__gte=0) & models.Q(issued__lte=models.F("quantity")),
                name="dispatch_issued_within_order",
                violation_error_message=_("发放数量不能超过指令数量"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity.normalize():f}"

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.issued


class Issue(models.Model):
    """One issue batch (发放批次) of a dispatch order; the recipient signs for it."""

    order = models.ForeignKey(
        DispatchOrder, on_delete=models.PROTECT, related_name="issues", verbose_name=_("调用指令")
    )
    number = models.CharField(_("批次号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("出库时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.ISSUED
    )
    handled_by = _user_fk(verbose_name=_("经办人"))
    signed_name = models.CharField(_("签收人"), max_length=30, blank=True)
    signed_by = _user_fk(verbose_name=_("签收账号"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        permissions = [("sign_issue", "Can sign for an issue batch as its recipient")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="signed") | ~models.Q(signed_name=""),
                name="signed_issue_has_signer",
                violation_error_message=_("签收须有签收人"),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supplies:issue_detail", args=[self.pk])


class IssueLine(models.Model):
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="lines", verbose_name=_("发放批次")
    )
    dispatch_line = models.ForeignKey(
        DispatchLine, on_delete=models.PROTECT, related_name="issue_lines"
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("物资")
    )
    quantity = models.DecimalField(_("发放数量"), **QUANTITY)
    move = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="issue_line")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")

    def __str__(self) -> str:
        return f"{self.item} {self.quantity.normalize():f}"


class EnterpriseRequest(models.Model):
    """An enterprise asking for masks or disinfectant (H8): met from stock (a dispatch order
    to it) or by a purchase on its behalf."""

    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="requests", verbose_name=_("企业")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("物资")
    )
    quantity = models.DecimalField(_("需求数量"), **QUANTITY)
    reason = models.CharField(_("用途"), max_length=200, blank=True)
    requested_on = models.DateField(_("提出日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    dispatch_order = models.ForeignKey(
        DispatchOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purchase = models.ForeignKey(
        PurchaseRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = _user_fk()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnterpriseRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("企业物资需求")
        verbose_name_plural = _("企业物资需求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="request_quantity_positive",
                violation_error_message=_("需求数量应大于0"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.item}"

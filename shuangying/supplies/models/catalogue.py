"""The catalogue (H1): categories, items with their base unit, unit conversions, budgets."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..querysets import CatalogueQuerySet
from .base import MONEY, QUANTITY, ZERO


class Category(Audited, models.Model):
    """A category of the catalogue (the seed's three: 医疗防护, 消杀, 生活保障)."""

    audit_type = "supply_category"

    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("物资类别")
        verbose_name_plural = _("物资类别")

    def __str__(self) -> str:
        return self.name


class Item(Audited, models.Model):
    """One kind of supply. Quantities are kept in ``unit`` (the base unit); other units convert
    to it (a 桶 of alcohol is 2 kg, a 壶 of solution is 10 L)."""

    audit_type = "supply_item"

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
        help_text=_("粮油等储备：按此折算可供应天数"),
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
    amount = models.DecimalField(_("预算金额（元）"), **MONEY)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("采购预算")
        verbose_name_plural = _("采购预算")

    def __str__(self) -> str:
        return self.name

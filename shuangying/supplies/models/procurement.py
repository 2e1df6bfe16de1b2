"""Procurement (H2): purchase requests, their lines and the joint pre-review."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..choices import PurchaseStatus, ReviewDecision
from ..querysets import PurchaseQuerySet
from .base import MONEY, QUANTITY, ZERO, user_fk
from .catalogue import Budget
from .stock import AcceptedLine, Location


class PurchaseRequest(Audited, models.Model):
    """A purchase: request → joint pre-review (four departments) → order → joint acceptance
    on arrival → stock."""

    audit_type = "purchase_request"

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
    created_by = user_fk()
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


class PurchaseLine(AcceptedLine):
    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("采购申请")
    )
    quantity = models.DecimalField(_("申请数量"), **QUANTITY)
    estimated_price = models.DecimalField(_("预估单价（元）"), **MONEY)
    unit_price = models.DecimalField(_("成交单价（元）"), **MONEY, null=True, blank=True)
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
    reviewer = user_fk(verbose_name=_("审核人"))
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

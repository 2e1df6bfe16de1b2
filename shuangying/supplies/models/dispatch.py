"""Dispatch (H5, H8): recipients, dispatch orders, their issue batches signed for, and
enterprise requests."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..choices import DispatchStatus, IssueStatus, RecipientKind, RequestStatus
from ..querysets import (
    DispatchQuerySet,
    EnterpriseRequestQuerySet,
    IssueQuerySet,
    RecipientQuerySet,
)
from .base import QUANTITY, ZERO, user_fk
from .catalogue import Item
from .procurement import PurchaseRequest
from .stock import Location, StockMove


class Recipient(Audited, models.Model):
    """Who receives supplies: a unit, a township, a checkpoint, a quarantine site or an
    enterprise (H8)."""

    audit_type = "supply_recipient"

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
    # An enterprise's own account (role enterprise_contact): it asks for supplies for this
    # enterprise and sees its requests, and nothing else of the county's.
    contact_account = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("联络人账户"),
    )
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


class DispatchOrder(Audited, models.Model):
    """A dispatch order (调用指令) of the command: a recipient, quantities, the store it is
    issued from; issued in one or more batches."""

    audit_type = "dispatch_order"

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
    created_by = user_fk()
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


class Issue(Audited, models.Model):
    """One issue batch (发放批次) of a dispatch order; the recipient signs for it."""

    audit_type = "issue"

    order = models.ForeignKey(
        DispatchOrder, on_delete=models.PROTECT, related_name="issues", verbose_name=_("调用指令")
    )
    number = models.CharField(_("批次号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("出库时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.ISSUED
    )
    handled_by = user_fk(verbose_name=_("经办人"))
    signed_name = models.CharField(_("签收人"), max_length=30, blank=True)
    signed_by = user_fk(verbose_name=_("签收账号"))
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


class EnterpriseRequest(Audited, models.Model):
    """An enterprise asking for masks or disinfectant (H8): met from stock (a dispatch order
    to it) or by a purchase on its behalf."""

    audit_type = "enterprise_request"

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
    created_by = user_fk()
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

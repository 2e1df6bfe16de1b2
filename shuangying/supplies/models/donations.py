"""Donations (H3): what a donor gives, accepted like a delivery."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..choices import DonationStatus, DonorKind
from ..querysets import DonationQuerySet
from .base import MONEY, QUANTITY, ZERO, user_fk
from .stock import AcceptedLine, Location


class Donation(Audited, models.Model):
    """A donation: donor, items, declared value; accepted like a delivery, into stock."""

    audit_type = "donation"

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
    created_by = user_fk()
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
                violation_error_message=_("捐赠方：非匿名捐赠须填写捐赠方名称"),
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
    declared_value = models.DecimalField(_("申报价值（元）"), **MONEY, default=ZERO)

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

"""Processing (H4): input stock made into output stock, with its yield."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from ..querysets import ProcessingQuerySet
from .base import QUANTITY, user_fk
from .catalogue import Item
from .stock import Location, StockMove


class ProcessingRun(Audited, models.Model):
    """Input stock made into output stock (3 t of concentrate into ~6.3 t of solution), with
    the yield recorded; the ledger shows both sides."""

    audit_type = "processing_run"

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
    created_by = user_fk()

    objects = ProcessingQuerySet.as_manager()

    class Meta:
        ordering = ["-processed_at", "-pk"]
        verbose_name = _("加工")
        verbose_name_plural = _("加工")

    def __str__(self) -> str:
        return f"{self.input_item}→{self.output_item}"

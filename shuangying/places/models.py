"""Places and their place codes (C1).

A place code's QR holds a URL with a signed, unguessable token (``tokens.py``), never the
place's id. Revoking a code and issuing a new one makes old posters stop working.
"""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import PlaceType
from .querysets import PlaceQuerySet


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Place(Audited, models.Model):
    audit_type = "place"

    type = models.CharField(_("场所类型"), max_length=24, choices=PlaceType.choices)
    name = models.CharField(_("名称"), max_length=100)
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name=_("所在区划"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    responsible_unit = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name=_("责任单位"),
    )
    contact_name = models.CharField(_("负责人"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["division__path", "name"]
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        indexes = [models.Index(fields=["division", "type"], name="place_division_type")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:place_detail", args=[self.pk])


class PlaceCode(models.Model):
    """One issued place code. At most one active code per place; revoked codes stay for the
    record (a poster scanned after revocation gets a clear page and writes nothing)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="codes")
    nonce = models.CharField(max_length=32, unique=True, default=new_nonce, editable=False)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("场所码")
        verbose_name_plural = _("场所码")
        constraints = [
            models.UniqueConstraint(
                fields=["place"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_code_per_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.issued_at:%Y-%m-%d}"


class PosterBatch(models.Model):
    """A township's posters in one PDF, built on the task queue (C1). Only its requester
    sees it; the PDF is kept in the row (a few hundred KB for a township)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    division = models.ForeignKey(
        "divisions.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("区划")
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    place_count = models.PositiveIntegerField(_("场所数"), default=0)
    pdf = models.BinaryField(null=True, editable=False)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    # Where the posters' QR points: the public base URL when the batch was asked for.
    base_url = models.CharField(_("登记网址前缀"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量海报")
        verbose_name_plural = _("批量海报")

    def __str__(self) -> str:
        return f"{self.division} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("places:poster_batch", args=[self.pk])

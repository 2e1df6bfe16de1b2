"""Public identities (issue 17): who a phone at a place-code poster may speak for.

A document number typed into the public check-in proves nothing: anyone can read one off a
form. A person's identity is *bound* (``PublicIdentity``) only when the typed name is the
registry's and the phone is either the one a verified registry entry holds or one that
answered a one-time code (``OneTimeCode``). Only a bound identity has a ``ref``: the opaque
value a device's cookie keeps, which is what later one-tap check-ins, health codes and
``issue/mine`` trust."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited


def new_ref() -> str:
    return secrets.token_urlsafe(18)


class BindingMethod(models.TextChoices):
    REGISTRY = "registry", _("与登记电话一致")
    OTP = "otp", _("短信验证码")


class PublicIdentity(Audited, models.Model):
    """A person's bound public identity: the phone that proved it and the device reference."""

    audit_type = "public_identity"

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="public_identity"
    )
    ref = models.CharField(max_length=32, unique=True, default=new_ref, editable=False)
    # The keyed hash of the phone that proved the binding (never the number itself).
    phone_hash = models.CharField(max_length=64, editable=False)
    method = models.CharField(_("绑定方式"), max_length=8, choices=BindingMethod.choices)
    bound_at = models.DateTimeField(_("绑定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公众身份绑定")
        verbose_name_plural = _("公众身份绑定")

    def __str__(self) -> str:
        return f"identity {self.person_id}"


class OneTimeCode(models.Model):
    """A one-time SMS code sent to a phone to bind a person to it. Only its keyed hash is
    stored; it dies when used, when it expires, or after too many wrong tries."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="one_time_codes"
    )
    phone_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["person", "created_at"], name="otp_person_time")]

    def __str__(self) -> str:
        return f"otp {self.person_id} {self.created_at:%Y-%m-%d %H:%M}"


class OutboxNotice(models.Model):
    """What the development notice channel "sent": the text kept here (and written to the
    console) instead of reaching a phone. Production configures a real SMS channel."""

    phone_masked = models.CharField(_("手机号"), max_length=20)
    phone_hash = models.CharField(max_length=64, db_index=True)
    text = models.CharField(_("内容"), max_length=200)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.created_at:%Y-%m-%d %H:%M}"

"""Binding a public identity (issue 17): the one place that decides whether what a phone
typed may be trusted. The public check-in page and API both ask ``bind_identity``.

The rules:
- the typed name must be the registry's, compared as the registry stores it; a mismatch is
  answered "信息不符" only, never which part;
- the phone then binds at once when it is the phone of a *verified* registry entry (an entry a
  check-in created holds whatever phone was typed, so it proves nothing) or the phone this
  person already bound; any other phone gets a one-time code through the notice channel, and
  binds when the code comes back;
- a code lives ``OTP_TTL``, is used once, dies after ``OTP_MAX_ATTEMPTS`` wrong tries, and at
  most ``OTP_MAX_SENDS`` are sent to one person an hour (at most one a minute)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.core import crypto
from shuangying.people.models import Person, phone_hash

from .models import BindingMethod, OneTimeCode, PublicIdentity
from .notice import channel

MISMATCH = "信息不符"
OTP_TTL = timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5
OTP_MAX_SENDS = 5
OTP_RESEND_AFTER = timedelta(seconds=60)
OTP_CONTEXT = "identity.otp"
MAX_REFS = 6


class IdentityMismatch(Exception):
    """The typed name is not the registry's for this document number."""

    message = MISMATCH


@dataclass(frozen=True)
class Binding:
    """What ``bind_identity`` decided: ``ref`` when bound; ``otp_sent`` when a code went out."""

    person: Person
    ref: str = ""
    otp_sent: bool = False

    @property
    def bound(self) -> bool:
        return bool(self.ref)


def name_matches(person: Person, name: str) -> bool:
    # As register_person stores it: stripped, at most 50 characters.
    typed = (name or "").strip()[:50].encode()
    return hmac.compare_digest(typed, (person.name or "").encode())


def _code_hash(person_pk: int, phone_digest: str, code: str) -> str:
    return crypto.lookup_hash(f"{person_pk}:{phone_digest}:{code}", context=OTP_CONTEXT)


def bind_identity(
    *, person: Person, name: str, phone: str, otp: str = "", bound: tuple[str, str] | None = None
) -> Binding:
    """Bind ``person`` (the registry's entry for the typed document number) to the phone that
    typed ``name`` and ``phone`` (normalised). ``bound``: the person's (ref, phone hash) when
    the caller read them with the person (``binding_join``; ("", "") for none). Raises
    IdentityMismatch for a wrong name and ValidationError (field ``otp``) for a wrong, used or
    expired code."""
    if not name_matches(person, name):
        raise IdentityMismatch
    digest = phone_hash(phone)
    if bound is None:
        found = PublicIdentity.objects.filter(person_id=person.pk).first()
        bound = (found.ref, found.phone_hash) if found else ("", "")
    if bound[0] and hmac.compare_digest(bound[1], digest):
        return Binding(person, bound[0])
    if person.is_verified and person.phone_hash and hmac.compare_digest(person.phone_hash, digest):
        return Binding(person, _bind(person, digest, BindingMethod.REGISTRY))
    if otp:
        check_code(person=person, phone_digest=digest, code=otp)
        return Binding(person, _bind(person, digest, BindingMethod.OTP))
    return Binding(person, otp_sent=send_code(person=person, phone=phone))


def _bind(person: Person, digest: str, method: str) -> str:
    """Bind (or re-bind to a new phone, with a new reference: devices that remembered the old
    one are forgotten) and audit it."""
    with transaction.atomic():
        identity, created = PublicIdentity.objects.select_for_update().get_or_create(
            person_id=person.pk, defaults={"phone_hash": digest, "method": method}
        )
        if not created:
            identity.phone_hash, identity.method = digest, method
            identity.ref, identity.bound_at = (
                PublicIdentity._meta.get_field("ref").default(),
                (timezone.now()),
            )
            identity.save()
        identity.log_action(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            summary=f"公众身份绑定 人员{person.pk}（{BindingMethod(method).label}）",
            detail={"person": person.pk, "method": method},
        )
    return identity.ref


def send_code(*, person: Person, phone: str) -> bool:
    """Send a one-time code to ``phone``; False when this person was sent one too recently or
    too often (the earlier code still works until it expires)."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(
        person_id=person.pk, created_at__gte=now - timedelta(hours=1)
    )
    if (
        recent.count() >= OTP_MAX_SENDS
        or recent.filter(created_at__gte=now - OTP_RESEND_AFTER).exists()
    ):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    digest = phone_hash(phone)
    OneTimeCode.objects.create(
        person_id=person.pk,
        phone_hash=digest,
        code_hash=_code_hash(person.pk, digest, code),
        created_at=now,
        expires_at=now + OTP_TTL,
    )
    channel().send(
        phone=phone, text=f"【双赢】您的扫码登记验证码为{code},5分钟内有效。如非本人操作请忽略。"
    )
    return True


def check_code(*, person: Person, phone_digest: str, code: str) -> None:
    """Use the person's latest live code for this phone; ValidationError on ``otp`` unless
    ``code`` is it. Each wrong try counts (committed before the error is raised: a rollback
    must not undo it); the last allowed one burns the code."""
    outcome = _try_code(person, phone_digest, code)
    if outcome == "dead":
        raise ValidationError({"otp": "验证码：已失效，请重新获取"})
    if outcome == "wrong":
        raise ValidationError({"otp": "验证码：不正确"})


@transaction.atomic
def _try_code(person: Person, phone_digest: str, code: str) -> str:
    now = timezone.now()
    live = (
        OneTimeCode.objects.select_for_update()
        .filter(
            person_id=person.pk,
            phone_hash=phone_digest,
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if live is None:
        return "dead"
    if not hmac.compare_digest(live.code_hash, _code_hash(person.pk, phone_digest, code.strip())):
        live.attempts += 1
        if live.attempts >= OTP_MAX_ATTEMPTS:
            live.used_at = now
        live.save(update_fields=["attempts", "used_at"])
        return "wrong"
    live.used_at = now
    live.save(update_fields=["used_at"])
    return "ok"


def ref_of(person: Person) -> str:
    """The person's device reference when their identity is bound, else ""."""
    return (
        PublicIdentity.objects.filter(person_id=person.pk).values_list("ref", flat=True).first()
        or ""
    )


def persons_for_refs(refs: list[str]) -> list[Person]:
    """The bound persons a device remembers, in the cookie's order; unknown refs dropped."""
    if not refs:
        return []
    found = {
        i.ref: i.person
        for i in PublicIdentity.objects.filter(ref__in=refs[:MAX_REFS]).select_related("person")
    }
    return [found[r] for r in refs if r in found]


def refs_of(persons) -> list[str]:
    return list(
        PublicIdentity.objects.filter(person__in=[p.pk for p in persons]).values_list(
            "ref", flat=True
        )
    )


def binding_join(person_column: str, alias: str = "b", *, left: bool = False) -> tuple[str, str]:
    """(columns, JOIN clause) reading a bound identity's reference and proven phone hash
    beside a statement that selects ``person_column`` (``left``: persons without one too, as
    NULLs). For the public check-in's statements; names come from the model, so a rename here
    changes those statements with it."""
    opts = PublicIdentity._meta
    ref = opts.get_field("ref").column
    phone = opts.get_field("phone_hash").column
    person = opts.get_field("person").column
    kind = "LEFT JOIN" if left else "JOIN"
    return (
        f"{alias}.{ref} AS bound_ref, {alias}.{phone} AS bound_phone",
        f"{kind} {opts.db_table} {alias} ON {alias}.{person} = {person_column}",
    )

"""Two-factor authentication (TOTP, RFC 6238) for one's own account: enrolment, the second
step of a login, the replay guard and the lockout after wrong codes (login security). The
security administrator's reset of another user's authenticator is in services.py."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

import pyotp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.core.crypto import decrypt, encrypt

from .models import User

TOTP_CONTEXT = "user.totp"
TOTP_ISSUER = "双赢指挥系统"


@transaction.atomic
def remove_own_totp(*, user: User, password: str) -> User:
    """Unbind one's own authenticator after confirming the password. Roles that need
    two-factor must enrol again before going on."""
    if not user.check_password(password):
        raise ValidationError({"password": "密码不正确。"})
    clear_totp(user)
    user.rotate_security_stamp()
    user.save()
    user.log_action(
        AuditAction.SECURITY,
        user=user,
        summary="解除本人的两步验证绑定",
    )
    return user


@dataclass(frozen=True)
class TotpResult:
    ok: bool
    message: str = ""
    locked_until: datetime | None = None


def clear_totp(user: User) -> None:
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.totp_failed_count = 0
    user.totp_locked_until = None


def totp_failure_limit() -> int:
    return getattr(settings, "TOTP_FAILURE_LIMIT", settings.AXES_FAILURE_LIMIT)


def totp_lockout():
    return getattr(settings, "TOTP_LOCKOUT", settings.AXES_COOLOFF_TIME)


def start_totp_enrolment(*, user: User, renew: bool = False) -> str:
    """The pending secret for enrolment, generated (and stored encrypted) when there is none
    or ``renew`` asks for a new one. An enrolled user must unbind first."""
    if user.totp_confirmed_at:
        raise ValidationError("已绑定两步验证。")
    if user.totp_secret and not renew:
        return decrypt(user.totp_secret, context=TOTP_CONTEXT)
    secret = pyotp.random_base32()
    user.totp_secret = encrypt(secret, context=TOTP_CONTEXT)
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return secret


def totp_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _normalize_code(code: str) -> str:
    return re.sub(r"\s+", "", code or "")


def _check_code(*, user: User, code: str) -> TotpResult:
    """Check ``code`` against the user's secret under a row lock: locked → refused unchecked;
    a code of an already used (or earlier) time step is refused; wrong codes count towards
    the lockout."""
    row = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if row.totp_locked_until and row.totp_locked_until > now:
        return TotpResult(False, _locked_message(row.totp_locked_until), row.totp_locked_until)
    code = _normalize_code(code)
    matched = None
    replayed = False
    if row.totp_secret and re.fullmatch(r"\d{6}", code):
        totp = pyotp.TOTP(decrypt(row.totp_secret, context=TOTP_CONTEXT))
        step = totp.timecode(time.time())
        # One step either side tolerates a phone clock 30 seconds off.
        for candidate in (step - 1, step, step + 1):
            if pyotp.utils.strings_equal(code, totp.generate_otp(candidate)):
                matched = candidate
        if matched is not None and row.totp_last_step is not None:
            replayed = matched <= row.totp_last_step
    if matched is not None and not replayed:
        row.totp_last_step = matched
        row.totp_failed_count = 0
        row.totp_locked_until = None
        row.save(update_fields=["totp_last_step", "totp_failed_count", "totp_locked_until"])
        _copy_totp_state(row, user)
        return TotpResult(True)

    row.totp_failed_count += 1
    message = "该验证码已经使用过，请等待验证器显示新的验证码。" if replayed else "验证码不正确。"
    locked_until = None
    if row.totp_failed_count >= totp_failure_limit():
        locked_until = now + totp_lockout()
        row.totp_locked_until = locked_until
        row.totp_failed_count = 0
        message = _locked_message(locked_until)
    row.save(update_fields=["totp_failed_count", "totp_locked_until"])
    _copy_totp_state(row, user)
    user.log_action(
        AuditAction.LOGIN_FAILED,
        user=user,
        summary="两步验证码重复使用" if replayed else "两步验证码错误",
        detail={"locked": bool(locked_until)},
    )
    if locked_until:
        user.log_action(
            AuditAction.SECURITY,
            user=user,
            summary="两步验证错误次数过多，已锁定",
        )
    return TotpResult(False, message, locked_until)


def _copy_totp_state(row: User, user: User) -> None:
    user.totp_last_step = row.totp_last_step
    user.totp_failed_count = row.totp_failed_count
    user.totp_locked_until = row.totp_locked_until


def _locked_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return f"验证码错误次数过多，两步验证已锁定至 {local:%H:%M}。请稍后再试，或联系安全管理员解锁。"


@transaction.atomic
def confirm_totp(*, user: User, code: str) -> TotpResult:
    """Finish enrolment with the first code from the authenticator."""
    if user.totp_confirmed_at:
        return TotpResult(False, "已绑定两步验证。")
    if not user.totp_secret:
        return TotpResult(False, "请先生成密钥。")
    result = _check_code(user=user, code=code)
    if result.ok:
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        user.log_action(
            AuditAction.SECURITY,
            user=user,
            summary="绑定两步验证",
        )
    return result


@transaction.atomic
def verify_totp(*, user: User, code: str) -> TotpResult:
    """The second step of a login."""
    if not user.totp_confirmed_at:
        return TotpResult(False, "尚未绑定两步验证。")
    result = _check_code(user=user, code=code)
    if result.ok:
        user.log_action(
            AuditAction.LOGIN,
            user=user,
            summary="两步验证通过",
        )
    return result

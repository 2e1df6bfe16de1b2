"""Writes on user accounts: creation, jurisdiction, roles, activation, passwords and
two-factor authentication (A4, login security).

Separation of duties (三权分立) is enforced here as well as in the views: the system
administrator (accounts.add_user / change_user) manages accounts and jurisdiction, only the
security administrator (accounts.manage_roles) assigns roles and lifts lockouts, and no one
holds two of the three administrative roles.

Every change that alters what a user may see or do (roles, divisions, department, the active
flag, a two-factor reset) rotates the user's security stamp. The stamp is part of the session
hash (User.get_session_auth_hash), so the user's live sessions end at their next request.
Every write is audited.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.crypto import decrypt, encrypt

from .models import Department, User
from .roles import ROLES, role_label

# 三权分立: one person never holds two of these.
SEPARATED_ROLES = ("system_admin", "security_admin", "auditor")
TOTP_CONTEXT = "user.totp"
TOTP_ISSUER = "双赢指挥系统"


def _require(actor: User | None, perm: str) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(perm):
        raise PermissionDenied("您没有权限执行此操作。")


def _guard_target(actor: User, user: User) -> None:
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("超级管理员账户不能在此修改。")


def _division_names(divisions: Iterable) -> list[str]:
    return sorted(f"{d.name}({d.code})" for d in divisions)


# --- accounts (system administrator) -------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User,
    request: HttpRequest | None = None,
    username: str,
    password: str,
    full_name: str = "",
    department: Department | None = None,
    divisions: Iterable = (),
) -> User:
    """Create an account without roles (roles are the security administrator's to give) and
    never a superuser or staff member."""
    _require(actor, "accounts.add_user")
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "请填写用户名。"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user = User(username=username, full_name=full_name.strip(), department=department)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.is_superuser = False
    user.is_staff = False
    user.save()
    divisions = list(divisions)
    if divisions:
        user.divisions.set(divisions)
    record_event(
        request=request,
        user=actor,
        action=AuditAction.CREATE,
        object_type="user",
        object_id=user.pk,
        summary=f"新增用户 {user.username}",
        detail={
            "full_name": user.full_name,
            "department": department.name if department else "",
            "divisions": _division_names(divisions),
        },
    )
    return user


@transaction.atomic
def update_user(
    *,
    actor: User,
    request: HttpRequest | None = None,
    user: User,
    full_name: str,
    department: Department | None,
) -> User:
    """Change name and department. A new department changes what a department officer sees,
    so it ends the user's sessions."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    before = {"full_name": user.full_name, "department": str(user.department or "")}
    user.full_name = full_name.strip()
    department_changed = user.department_id != (department.pk if department else None)
    user.department = department
    if department_changed:
        user.rotate_security_stamp()
    user.save(update_fields=["full_name", "department", "security_stamp"])
    after = {"full_name": user.full_name, "department": str(department or "")}
    if before != after:
        record_event(
            request=request,
            user=actor,
            action=AuditAction.UPDATE,
            object_type="user",
            object_id=user.pk,
            summary=f"修改用户 {user.username} 的资料",
            detail={"before": before, "after": after},
        )
    return user


@transaction.atomic
def set_user_divisions(
    *, actor: User, request: HttpRequest | None = None, user: User, divisions: Iterable
) -> User:
    """Set the divisions a user holds (their jurisdiction)."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    divisions = list(divisions)
    before = list(user.divisions.all())
    if {d.pk for d in before} == {d.pk for d in divisions}:
        return user
    user.divisions.set(divisions)
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    user._division_paths = None
    user._holds_every_root = None
    record_event(
        request=request,
        user=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"调整用户 {user.username} 的管辖区划",
        detail={"before": _division_names(before), "after": _division_names(divisions)},
    )
    return user


@transaction.atomic
def deactivate_user(
    *, actor: User, request: HttpRequest | None = None, user: User, reason: str = ""
) -> User:
    """Disable an account; its sessions end at their next request."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账户。")
    if not user.is_active:
        return user
    user.is_active = False
    user.rotate_security_stamp()
    user.save(update_fields=["is_active", "security_stamp"])
    user.api_tokens.all().delete()
    record_event(
        request=request,
        user=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"停用用户 {user.username}",
        reason=reason,
    )
    return user


@transaction.atomic
def reactivate_user(
    *, actor: User, request: HttpRequest | None = None, user: User, reason: str = ""
) -> User:
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    if user.is_active:
        return user
    user.is_active = True
    user.rotate_security_stamp()
    user.save(update_fields=["is_active", "security_stamp"])
    record_event(
        request=request,
        user=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"启用用户 {user.username}",
        reason=reason,
    )
    return user


# --- roles and lockouts (security administrator) -------------------------------------------


@transaction.atomic
def set_user_roles(
    *,
    actor: User,
    request: HttpRequest | None = None,
    user: User,
    roles: Iterable[str],
    reason: str = "",
) -> User:
    """Give ``user`` exactly ``roles`` (names in ROLES). Only the security administrator may;
    no one changes their own roles; no one holds two of the separated roles."""
    _require(actor, "accounts.manage_roles")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied("不能修改自己的角色。")
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": f"未知角色:{'、'.join(unknown)}"})
    separated = [r for r in roles if r in SEPARATED_ROLES]
    if len(separated) > 1:
        raise ValidationError(
            {"roles": "三权分立:系统管理员、安全管理员、审计员不能由同一人兼任。"}
        )
    before = user.role_names()
    if before == roles:
        return user
    user.groups.set(Group.objects.filter(name__in=roles))
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    # Permissions are cached on the instance; drop the cache so the new roles apply.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    record_event(
        request=request,
        user=actor,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=user.pk,
        summary=f"调整用户 {user.username} 的角色",
        detail={
            "before": [role_label(r) for r in before],
            "after": [role_label(r) for r in roles],
        },
        reason=reason,
    )
    return user


@transaction.atomic
def unlock_user(*, actor: User, request: HttpRequest | None = None, username: str) -> int:
    """Lift the login lockout (every address) and the two-factor lockout of ``username``.
    Returns the number of lockout records removed."""
    from axes.utils import reset

    _require(actor, "accounts.manage_roles")
    username = (username or "").strip()
    if not username:
        raise ValidationError("请指定用户名。")
    removed = reset(username=username)
    removed += (
        User.objects.filter(username=username)
        .exclude(totp_locked_until=None, totp_failed_count=0)
        .update(totp_locked_until=None, totp_failed_count=0)
    )
    record_event(
        request=request,
        user=actor,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=User.objects.filter(username=username).values_list("pk", flat=True).first() or "",
        summary=f"解除 {username} 的登录锁定",
        detail={"records": removed},
    )
    return removed


@transaction.atomic
def reset_user_totp(
    *, actor: User, request: HttpRequest | None = None, user: User, reason: str = ""
) -> User:
    """Unbind a user's authenticator (a lost phone). Their sessions end; a role that needs
    two-factor makes them enrol again at the next login."""
    _require(actor, "accounts.manage_roles")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied("请在“我的账户”中管理自己的两步验证。")
    _clear_totp(user)
    user.rotate_security_stamp()
    user.save()
    record_event(
        request=request,
        user=actor,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=user.pk,
        summary=f"重置用户 {user.username} 的两步验证",
        reason=reason,
    )
    return user


# --- one's own account ---------------------------------------------------------------------


@transaction.atomic
def change_own_password(
    *, user: User, request: HttpRequest | None = None, new_password: str
) -> User:
    """Set a new password (already validated by the form). Other sessions end because the
    password is part of the session hash; the view keeps the current one."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_event(
        request=request,
        user=user,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=user.pk,
        summary="修改本人密码",
    )
    return user


@transaction.atomic
def remove_own_totp(*, user: User, request: HttpRequest | None = None, password: str) -> User:
    """Unbind one's own authenticator after confirming the password. Roles that need
    two-factor must enrol again before going on."""
    if not user.check_password(password):
        raise ValidationError({"password": "密码不正确。"})
    _clear_totp(user)
    user.rotate_security_stamp()
    user.save()
    record_event(
        request=request,
        user=user,
        action=AuditAction.SECURITY,
        object_type="user",
        object_id=user.pk,
        summary="解除本人的两步验证绑定",
    )
    return user


# --- two-factor (TOTP, RFC 6238) -----------------------------------------------------------


@dataclass(frozen=True)
class TotpResult:
    ok: bool
    message: str = ""
    locked_until: datetime | None = None


def _clear_totp(user: User) -> None:
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


def _check_code(*, user: User, request: HttpRequest | None, code: str) -> TotpResult:
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
    message = "该验证码已经使用过,请等待验证器显示新的验证码。" if replayed else "验证码不正确。"
    locked_until = None
    if row.totp_failed_count >= totp_failure_limit():
        locked_until = now + totp_lockout()
        row.totp_locked_until = locked_until
        row.totp_failed_count = 0
        message = _locked_message(locked_until)
    row.save(update_fields=["totp_failed_count", "totp_locked_until"])
    _copy_totp_state(row, user)
    record_event(
        request=request,
        user=user,
        action=AuditAction.LOGIN_FAILED,
        object_type="user",
        object_id=user.pk,
        summary="两步验证码重复使用" if replayed else "两步验证码错误",
        detail={"locked": bool(locked_until)},
    )
    if locked_until:
        record_event(
            request=request,
            user=user,
            action=AuditAction.SECURITY,
            object_type="user",
            object_id=user.pk,
            summary="两步验证错误次数过多,已锁定",
        )
    return TotpResult(False, message, locked_until)


def _copy_totp_state(row: User, user: User) -> None:
    user.totp_last_step = row.totp_last_step
    user.totp_failed_count = row.totp_failed_count
    user.totp_locked_until = row.totp_locked_until


def _locked_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return f"验证码错误次数过多,两步验证已锁定至 {local:%H:%M}。请稍后再试,或联系安全管理员解锁。"


@transaction.atomic
def confirm_totp(*, user: User, request: HttpRequest | None = None, code: str) -> TotpResult:
    """Finish enrolment with the first code from the authenticator."""
    if user.totp_confirmed_at:
        return TotpResult(False, "已绑定两步验证。")
    if not user.totp_secret:
        return TotpResult(False, "请先生成密钥。")
    result = _check_code(user=user, request=request, code=code)
    if result.ok:
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        record_event(
            request=request,
            user=user,
            action=AuditAction.SECURITY,
            object_type="user",
            object_id=user.pk,
            summary="绑定两步验证",
        )
    return result


@transaction.atomic
def verify_totp(*, user: User, request: HttpRequest | None = None, code: str) -> TotpResult:
    """The second step of a login."""
    if not user.totp_confirmed_at:
        return TotpResult(False, "尚未绑定两步验证。")
    result = _check_code(user=user, request=request, code=code)
    if result.ok:
        record_event(
            request=request,
            user=user,
            action=AuditAction.LOGIN,
            object_type="user",
            object_id=user.pk,
            summary="两步验证通过",
        )
    return result

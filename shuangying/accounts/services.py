"""Writes on user accounts: creation, jurisdiction, roles, activation, passwords (A4, login
security). Two-factor enrolment and the second step of a login are in two_factor.py.

Separation of duties (三权分立) is enforced here as well as in the views: the system
administrator (accounts.add_user / change_user) manages accounts and jurisdiction, only the
security administrator (accounts.manage_roles) assigns roles and lifts lockouts, and no one
holds two of the three administrative roles.

The accounts of the security administrators and auditors are *protected*: the people who
watch the system administrator cannot be disabled or reshaped by them, nor by one security
administrator alone. A change to a protected account (activation, profile, divisions, roles,
a two-factor reset) needs a reason and becomes an ``AccountChange`` that waits for a security
administrator other than the one who asked (``approve_change``); it is applied and audited
only then. Those services return the pending ``AccountChange`` instead of the user.

Every change that alters what a user may see or do (roles, divisions, department, the active
flag, a two-factor reset) rotates the user's security stamp. The stamp is part of the session
hash (User.get_session_auth_hash), so the user's live sessions end at their next request.
Every write is audited. Services take the actor and their data; the audit context supplies
the address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.divisions.models import Division

from . import throttle
from .choices import ChangeKind, ChangeStatus
from .models import AccountChange, Department, User
from .roles import ROLES, role_label
from .two_factor import clear_totp

# 三权分立: one person never holds two of these.
SEPARATED_ROLES = ("system_admin", "security_admin", "auditor")
# Accounts whose changes wait for a second security administrator.
PROTECTED_ROLES = ("security_admin", "auditor")
# The codename the requester must (still) hold for each kind of change.
CHANGE_PERMS = {
    ChangeKind.DEACTIVATE: "accounts.change_user",
    ChangeKind.REACTIVATE: "accounts.change_user",
    ChangeKind.PROFILE: "accounts.change_user",
    ChangeKind.DIVISIONS: "accounts.change_user",
    ChangeKind.ROLES: "accounts.manage_roles",
    ChangeKind.TOTP_RESET: "accounts.manage_roles",
}


def _require(actor: User | None, perm: str) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(perm):
        raise PermissionDenied("您没有权限执行此操作。")


def _guard_target(actor: User, user: User) -> None:
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("超级管理员账户不能在此修改。")


def _division_names(divisions: Iterable) -> list[str]:
    return sorted(f"{d.name}（{d.code}）" for d in divisions)


def is_protected(user: User) -> bool:
    """Whether changes to ``user`` need a second security administrator's approval."""
    return user.pk is not None and user.groups.filter(name__in=PROTECTED_ROLES).exists()


# --- changes to protected accounts ---------------------------------------------------------


def _request_change(
    *, actor: User, user: User, kind: ChangeKind, summary: str, reason: str, payload=None
) -> AccountChange:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "原因：该账户是安全管理员或审计员，变更须填写原因并经安全管理员审批。"}
        )
    if AccountChange.objects.filter(target=user, kind=kind, status=ChangeStatus.PENDING).exists():
        raise ValidationError(f"{user.username} 已有一项“{kind.label}”申请待审批。")
    try:
        with transaction.atomic():
            change = AccountChange.objects.create(
                target=user,
                kind=kind,
                payload=payload or {},
                summary=summary[:300],
                reason=reason[:200],
                requested_by=actor,
            )
    except IntegrityError:  # the same request from another window in the meantime
        raise ValidationError(f"{user.username} 已有一项“{kind.label}”申请待审批。") from None
    change.log_action(
        AuditAction.SECURITY,
        user=actor,
        summary=f"提请审批：{summary}",
        detail={"target": user.username, "kind": kind.value, "payload": payload or {}},
        reason=reason,
    )
    return change


@transaction.atomic
def approve_change(*, actor: User, change: AccountChange, note: str = "") -> AccountChange:
    """Apply a pending change to a protected account: by a security administrator who neither
    asked for it nor is its subject, while the requester still holds the right to ask."""
    _require(actor, "accounts.manage_roles")
    change = (
        AccountChange.objects.select_for_update()
        .select_related("target", "requested_by")
        .get(pk=change.pk)
    )
    if change.status != ChangeStatus.PENDING:
        raise ValidationError("该申请已处理。")
    if change.requested_by_id == actor.pk:
        raise PermissionDenied("不能审批本人提出的申请，须由另一位安全管理员审批。")
    if change.target_id == actor.pk:
        raise PermissionDenied("不能审批针对本人账户的申请。")
    requester, user = change.requested_by, change.target
    if not requester.is_active or not requester.has_perm(CHANGE_PERMS[change.kind]):
        raise ValidationError("申请人已无权提出此项变更，不能批准，请驳回。")
    _guard_target(actor, user)
    change.status = ChangeStatus.APPROVED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_note = (note or "").strip()[:200]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    context = {"change": change.pk, "requested_by": requester.username, "approved_by": actor}
    _apply_change(change, context)
    change.log_action(
        AuditAction.SECURITY,
        user=actor,
        summary=f"批准：{change.summary}",
        detail={"target": user.username, "requested_by": requester.username},
        reason=change.decision_note or change.reason,
    )
    return change


def _apply_change(change: AccountChange, context: dict[str, Any]) -> None:
    user, reason, data = change.target, change.reason, change.payload
    actor = context.pop("approved_by")
    if change.kind == ChangeKind.DEACTIVATE:
        _deactivate(actor=actor, user=user, reason=reason, context=context)
    elif change.kind == ChangeKind.REACTIVATE:
        _reactivate(actor=actor, user=user, reason=reason, context=context)
    elif change.kind == ChangeKind.PROFILE:
        department = Department.objects.filter(pk=data.get("department_id")).first()
        _update_profile(
            actor=actor,
            user=user,
            full_name=data.get("full_name", ""),
            department=department,
            reason=reason,
            context=context,
        )
    elif change.kind == ChangeKind.DIVISIONS:
        divisions = list(Division.objects.filter(pk__in=data.get("division_ids", [])))
        _set_divisions(actor=actor, user=user, divisions=divisions, reason=reason, context=context)
    elif change.kind == ChangeKind.ROLES:
        _set_roles(
            actor=actor, user=user, roles=data.get("roles", []), reason=reason, context=context
        )
    elif change.kind == ChangeKind.TOTP_RESET:
        _reset_totp(actor=actor, user=user, reason=reason, context=context)


@transaction.atomic
def reject_change(*, actor: User, change: AccountChange, note: str = "") -> AccountChange:
    """Turn a pending change down (or withdraw one's own); nothing is applied."""
    _require(actor, "accounts.manage_roles")
    change = AccountChange.objects.select_for_update().select_related("target").get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError("该申请已处理。")
    change.status = ChangeStatus.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_note = (note or "").strip()[:200]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    change.log_action(
        AuditAction.SECURITY,
        user=actor,
        summary=f"驳回：{change.summary}",
        detail={"target": change.target.username},
        reason=change.decision_note,
    )
    return change


def pending_changes():
    return AccountChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "target", "requested_by"
    )


# --- accounts (system administrator) -------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User,
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
    user.log_action(
        AuditAction.CREATE,
        user=actor,
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
    user: User,
    full_name: str,
    department: Department | None,
    reason: str = "",
) -> User | AccountChange:
    """Change name and department. A new department changes what a department officer sees,
    so it ends the user's sessions."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    full_name = full_name.strip()
    if user.full_name == full_name and user.department_id == (
        department.pk if department else None
    ):
        return user
    if is_protected(user):
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.PROFILE,
            summary=f"修改用户 {user.username} 的资料：{full_name or '—'}，{department or '无部门'}",
            reason=reason,
            payload={
                "full_name": full_name,
                "department_id": department.pk if department else None,
            },
        )
    return _update_profile(
        actor=actor, user=user, full_name=full_name, department=department, reason=reason
    )


def _update_profile(*, actor, user, full_name, department, reason="", context=None) -> User:
    before = {"full_name": user.full_name, "department": str(user.department or "")}
    department_changed = user.department_id != (department.pk if department else None)
    user.full_name = full_name
    user.department = department
    if department_changed:
        user.rotate_security_stamp()
    user.save(update_fields=["full_name", "department", "security_stamp"])
    after = {"full_name": user.full_name, "department": str(department or "")}
    if before != after:
        user.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"修改用户 {user.username} 的资料",
            detail={"before": before, "after": after, **(context or {})},
            reason=reason,
        )
    return user


@transaction.atomic
def set_user_divisions(
    *, actor: User, user: User, divisions: Iterable, reason: str = ""
) -> User | AccountChange:
    """Set the divisions a user holds (their jurisdiction)."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    divisions = list(divisions)
    if set(user.divisions.values_list("pk", flat=True)) == {d.pk for d in divisions}:
        return user
    if is_protected(user):
        names = _division_names(divisions)
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.DIVISIONS,
            summary=f"调整用户 {user.username} 的管辖区划为：{'、'.join(names) or '无'}",
            reason=reason,
            payload={"division_ids": sorted(d.pk for d in divisions)},
        )
    return _set_divisions(actor=actor, user=user, divisions=divisions, reason=reason)


def _set_divisions(*, actor, user, divisions, reason="", context=None) -> User:
    before = list(user.divisions.all())
    user.divisions.set(divisions)
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    user._division_paths = None
    user._holds_every_root = None
    user.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"调整用户 {user.username} 的管辖区划",
        detail={
            "before": _division_names(before),
            "after": _division_names(divisions),
            **(context or {}),
        },
        reason=reason,
    )
    return user


@transaction.atomic
def deactivate_user(*, actor: User, user: User, reason: str = "") -> User | AccountChange:
    """Disable an account; its sessions end at their next request."""
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账户。")
    if not user.is_active:
        return user
    if is_protected(user):
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.DEACTIVATE,
            summary=f"停用用户 {user.username}",
            reason=reason,
        )
    return _deactivate(actor=actor, user=user, reason=reason)


def _deactivate(*, actor, user, reason="", context=None) -> User:
    user.is_active = False
    user.rotate_security_stamp()
    user.save(update_fields=["is_active", "security_stamp"])
    user.api_tokens.all().delete()
    user.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"停用用户 {user.username}",
        detail=context,
        reason=reason,
    )
    return user


@transaction.atomic
def reactivate_user(*, actor: User, user: User, reason: str = "") -> User | AccountChange:
    _require(actor, "accounts.change_user")
    _guard_target(actor, user)
    if user.is_active:
        return user
    if is_protected(user):
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.REACTIVATE,
            summary=f"启用用户 {user.username}",
            reason=reason,
        )
    return _reactivate(actor=actor, user=user, reason=reason)


def _reactivate(*, actor, user, reason="", context=None) -> User:
    user.is_active = True
    user.rotate_security_stamp()
    user.save(update_fields=["is_active", "security_stamp"])
    user.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"启用用户 {user.username}",
        detail=context,
        reason=reason,
    )
    return user


# --- roles and lockouts (security administrator) -------------------------------------------


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": f"未知角色：{'、'.join(unknown)}"})
    if len([r for r in roles if r in SEPARATED_ROLES]) > 1:
        raise ValidationError(
            {"roles": "三权分立：系统管理员、安全管理员、审计员不能由同一人兼任。"}
        )
    return roles


@transaction.atomic
def set_user_roles(
    *, actor: User, user: User, roles: Iterable[str], reason: str = ""
) -> User | AccountChange:
    """Give ``user`` exactly ``roles`` (names in ROLES). Only the security administrator may;
    no one changes their own roles; no one holds two of the separated roles."""
    _require(actor, "accounts.manage_roles")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied("不能修改自己的角色。")
    roles = _check_roles(roles)
    if user.role_names() == roles:
        return user
    if is_protected(user):
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.ROLES,
            summary=f"调整用户 {user.username} 的角色为："
            + ("、".join(str(role_label(r)) for r in roles) or "无"),
            reason=reason,
            payload={"roles": roles},
        )
    return _set_roles(actor=actor, user=user, roles=roles, reason=reason)


def _set_roles(*, actor, user, roles, reason="", context=None) -> User:
    roles = _check_roles(roles)
    before = user.role_names()
    user.groups.set(Group.objects.filter(name__in=roles))
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    # Permissions are cached on the instance; drop the cache so the new roles apply.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    user.log_action(
        AuditAction.SECURITY,
        user=actor,
        summary=f"调整用户 {user.username} 的角色",
        detail={
            "before": [str(role_label(r)) for r in before],
            "after": [str(role_label(r)) for r in roles],
            **(context or {}),
        },
        reason=reason,
    )
    return user


@transaction.atomic
def unlock_user(*, actor: User, username: str) -> int:
    """Lift the login lockout (every address), the per-account delay and the two-factor
    lockout of ``username``. Returns the number of records removed."""
    from axes.utils import reset

    _require(actor, "accounts.manage_roles")
    username = (username or "").strip()
    if not username:
        raise ValidationError("请指定用户名。")
    removed = reset(username=username) + throttle.clear(username)
    removed += (
        User.objects.filter(username=username)
        .exclude(totp_locked_until=None, totp_failed_count=0)
        .update(totp_locked_until=None, totp_failed_count=0)
    )
    target = User.objects.filter(username=username).first()
    summary = f"解除 {username} 的登录锁定"
    if target is not None:
        target.log_action(
            AuditAction.SECURITY, user=actor, summary=summary, detail={"records": removed}
        )
    else:
        record_event(
            user=actor,
            action=AuditAction.SECURITY,
            object_type=User.audit_object_type(),
            summary=summary,
            detail={"records": removed},
        )
    return removed


@transaction.atomic
def reset_user_totp(*, actor: User, user: User, reason: str = "") -> User | AccountChange:
    """Unbind a user's authenticator (a lost phone). Their sessions end; a role that needs
    two-factor makes them enrol again at the next login."""
    _require(actor, "accounts.manage_roles")
    _guard_target(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied("请在“我的账户”中管理自己的两步验证。")
    if is_protected(user):
        return _request_change(
            actor=actor,
            user=user,
            kind=ChangeKind.TOTP_RESET,
            summary=f"重置用户 {user.username} 的两步验证",
            reason=reason,
        )
    return _reset_totp(actor=actor, user=user, reason=reason)


def _reset_totp(*, actor, user, reason="", context=None) -> User:
    clear_totp(user)
    user.rotate_security_stamp()
    user.save()
    user.log_action(
        AuditAction.SECURITY,
        user=actor,
        summary=f"重置用户 {user.username} 的两步验证",
        detail=context,
        reason=reason,
    )
    return user


# --- one's own account ---------------------------------------------------------------------


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form). Other sessions end because the
    password is part of the session hash; the view keeps the current one."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user.log_action(AuditAction.SECURITY, user=user, summary="修改本人密码")
    return user

"""API authentication and the caller's own account (A4).

Two ways in, tried in this order on every route but ``POST /api/auth/token``:

* a bearer token (``Authorization: Bearer <token>``) from ``POST /api/auth/token``, for
  machine clients. The token is ``<random>.<seal>``: 32 random bytes (urlsafe base64) and an
  HMAC binding them to the user's session hash (password + security stamp). Only the SHA-256
  of the whole token is stored (``ApiToken.key_hash``). Tokens expire after ``TOKEN_TTL``.
  Changing the password, roles, divisions, department or the active flag rotates the
  security stamp (accounts.services), which breaks the seal: every token of that user stops
  working at once, like their sessions. A disabled user is refused as well. The endpoint
  calls ``authenticate(request=...)`` so that django-axes counts failures and locks out, and
  accounts that use two-factor must add a TOTP code, checked by the pages' own
  ``verify_totp`` (replay guard, lockout, audit).
* the page session, for the browser and /api/docs. Unsafe methods need the CSRF token in the
  ``X-CSRFToken`` header, and a user who still owes a TOTP code in this session is refused
  just as the pages refuse them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from ninja import Field, Router, Schema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from shuangying.apibase import ApiError, ErrorOut
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from . import throttle
from .middleware import OTP_VERIFIED
from .models import ApiToken, User
from .roles import role_label
from .two_factor import verify_totp
from .validators import has_control_characters

TOKEN_TTL = timedelta(hours=12)
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seal(random_part: str, user: User) -> str:
    return salted_hmac(
        "shuangying.api_token",
        f"{random_part}|{user.get_session_auth_hash()}",
        algorithm="sha256",
    ).hexdigest()[:32]


def issue_token(*, user: User) -> tuple[str, ApiToken]:
    """A new bearer token for ``user`` (shown once) and its stored record; audited."""
    now = timezone.now()
    random_part = secrets.token_urlsafe(32)
    token = f"{random_part}.{_seal(random_part, user)}"
    user.api_tokens.filter(expires_at__lte=now).delete()
    api_token = ApiToken.objects.create(
        user=user, key_hash=token_hash(token), expires_at=now + TOKEN_TTL
    )
    api_token.log_action(AuditAction.LOGIN, user=user, summary="签发API令牌")
    return token, api_token


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    """The active user a token belongs to, or None when it is unknown, expired, revoked by a
    changed password or security stamp, or its user is disabled."""
    random_part, sep, seal = token.strip().rpartition(".")
    if not sep or not random_part:
        return None
    api_token = (
        ApiToken.objects.select_related("user").filter(key_hash=token_hash(token.strip())).first()
    )
    now = timezone.now()
    if api_token is None or api_token.expires_at <= now:
        return None
    user = api_token.user
    if not user.is_active or not constant_time_compare(seal, _seal(random_part, user)):
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    return user, api_token


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request, token: str):
        found = user_for_token(token)
        if found is None:
            request.api_token_rejected = True
            return None
        user, api_token = found
        # Code that reads request.user (the audit log, services) sees the token's user.
        request.user = user
        request.api_token = api_token
        return user


def owes_totp(user: User) -> bool:
    return bool(user.totp_confirmed_at) or user.needs_two_factor


class SessionAuth(APIKeyCookie):
    """The page session. ninja's own ``django_auth`` checks CSRF before knowing whether there
    is a session at all (an anonymous POST would answer 403, not 401) and knows nothing of
    the two-factor step; this one does both in order."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if owes_totp(user) and not request.session.get(OTP_VERIFIED):
            raise ApiError(401, "two_factor_required", "请先在网页上输入两步验证码完成登录")
        unsafe = request.method not in SAFE_METHODS
        if unsafe and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403,
                "csrf_failed",
                "CSRF校验失败：使用网页登录状态调用接口时，"
                "请在请求头 X-CSRFToken 中携带页面的CSRF令牌",
            )
        return user


router = Router(tags=["账户与认证"])


def _no_control_characters(value: str | None) -> str | None:
    if value is not None and has_control_characters(value):
        raise PydanticCustomError("control_characters", "不能含有空字符或控制字符")
    return value


# NUL never reaches a query (PostgreSQL refuses it in text: an unauthenticated 500).
CleanText = Annotated[str, AfterValidator(_no_control_characters)]


class TokenIn(Schema):
    username: CleanText = Field(..., title="用户名", min_length=1, max_length=150)
    password: CleanText = Field(..., title="密码", min_length=1, max_length=200)
    otp: CleanText | None = Field(
        None,
        title="两步验证码",
        max_length=12,
        description="须两步验证的账户填写验证器上的6位数字",
    )


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


def _check_otp(request, user: User, otp: str | None) -> None:
    if not owes_totp(user):
        return
    if not (user.totp_secret and user.totp_confirmed_at):
        raise ApiError(
            401,
            "two_factor_setup_required",
            "该账户须使用两步验证，请先在网页上登录并完成验证器绑定",
        )
    if not (otp or "").strip():
        raise ApiError(401, "otp_required", "两步验证码：该账户须填写6位两步验证码", "otp")
    # The pages' own check: replay guard and the two-factor lockout, audited.
    result = verify_totp(user=user, code=otp)
    if not result.ok:
        if result.locked_until:
            raise ApiError(429, "otp_locked", f"两步验证码：{result.message}", "otp")
        raise ApiError(401, "invalid_otp", f"两步验证码：{result.message}", "otp")


def _raise_if_locked_out(request) -> None:
    """axes flags a locked-out request, and its middleware would then swap the answer for the
    HTML lockout page; the API takes the flag and answers in JSON itself."""
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        raise ApiError(429, "locked_out", f"登录失败次数过多，账户已锁定{minutes}分钟，请稍后再试")


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="用用户名、密码（及两步验证码）换取API令牌",
    description=(
        "返回的令牌只显示一次，12小时后过期；调用其他接口时放在请求头 "
        "`Authorization: Bearer <令牌>` 中。修改密码、角色、管辖区划或停用账户后，"
        "已签发的令牌全部失效。同一地址连续失败5次锁定15分钟（429）；"
        "同一账户在各地址累计失败过多时须等待数秒至2分钟再试（429）。"
    ),
)
def obtain_token(request, payload: TokenIn):
    # The per-account delay before the password, so a refused attempt is not a failure.
    wait = throttle.seconds_to_wait(payload.username)
    if wait:
        raise ApiError(429, "account_throttled", throttle.throttled_message(wait))
    # authenticate() with the request so that django-axes counts failures and locks out.
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        record_event(
            action=AuditAction.LOGIN_FAILED,
            object_type=ApiToken.audit_object_type(),
            summary=f"API令牌登录失败：{payload.username[:50]}" + ("，已锁定" if locked else ""),
            detail={"username": payload.username[:150], "locked": locked},
        )
        _raise_if_locked_out(request)
        raise ApiError(401, "invalid_credentials", "用户名或密码不正确")
    _check_otp(request, user, payload.otp)
    # What a page login does through user_logged_in, without the session axes would create
    # for its access log: clear this user's failures from this address, set last_login.
    if settings.AXES_RESET_ON_SUCCESS:
        axes_reset(ip=request.axes_ip_address, username=user.get_username())
    update_last_login(None, user)
    token, api_token = issue_token(user=user)
    return {"token": token, "expires_at": api_token.expires_at}


class RevokedOut(Schema):
    revoked: int


@router.delete(
    "/auth/tokens",
    response={200: RevokedOut, 401: ErrorOut, 403: ErrorOut},
    summary="作废本人的全部API令牌",
)
def revoke_tokens(request):
    user = request.auth
    revoked, _ = user.api_tokens.all().delete()
    record_event(
        user=user,
        action=AuditAction.SECURITY,
        object_type=ApiToken.audit_object_type(),
        summary="作废本人的全部API令牌",
        detail={"count": revoked},
    )
    return {"revoked": revoked}


class DepartmentOut(Schema):
    code: str
    name: str


class RoleOut(Schema):
    name: str
    label: str


class HeldDivisionOut(Schema):
    """A division the caller holds (the fields of the divisions API's own schema); declared
    here so that accounts does not import the divisions API module, a view layer."""

    id: int
    parent_id: int | None
    kind: str
    level: int
    code: str
    name: str
    path: str
    is_active: bool


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    department: DepartmentOut | None
    roles: list[RoleOut]
    divisions: list[HeldDivisionOut]
    permissions: list[str]
    two_factor: bool


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户、角色、管辖区划、部门")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "department": user.department,
        "roles": [{"name": name, "label": role_label(name)} for name in user.role_names()],
        "divisions": user.divisions.order_by("path"),
        "permissions": sorted(user.get_all_permissions()),
        "two_factor": bool(user.totp_confirmed_at),
    }

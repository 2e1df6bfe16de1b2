"""The REST API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

One NinjaAPI; each app adds its own Router from ``<app>/api.py``. Authentication is in
accounts/api.py; shared pieces (error shape, pagination) in apibase.py. Every error is JSON
``{"code", "message", "field"}`` with a Chinese message that names the field: this module
maps ninja's validation errors, the services' IdentityError / ValidationError,
PermissionDenied, Http404 and IntegrityError onto that shape, so invalid input is never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .accounts.api import BearerAuth, SessionAuth
from .accounts.api import router as accounts_router
from .apibase import ApiError, SafeParser, error_message, field_title
from .cases.api import router as cases_router
from .checkins.api import router as checkins_router
from .checkpoints.api import router as checkpoints_router
from .divisions.api import router as divisions_router
from .fevers.api import router as fevers_router
from .guards import database_unavailable, too_big
from .healthcodes.api import router as healthcodes_router
from .labs.api import router as labs_router
from .passes.api import router as passes_router
from .people.api import router as people_router
from .people.identity import IdentityError
from .places.api import router as places_router
from .quarantine.api import router as quarantine_router
from .quarantine.api_reports import router as quarantine_reports_router
from .supplies.api import router as supplies_router

DESCRIPTION = """
双赢指挥系统的数据接口。

**认证**:`POST /api/auth/token` 用用户名、密码（须两步验证的账户另加 `otp`）换取令牌，
此后在请求头加 `Authorization: Bearer <令牌>`；令牌12小时过期，修改密码、角色、管辖区划或停用账户后立即失效。
已在网页登录的浏览器也可直接调用（写操作须在请求头 `X-CSRFToken` 携带CSRF令牌）。

**管辖范围**:与网页相同。管辖范围外的对象一律 404；看得到但无权修改为 403；角色无此权限为 403。

**个人信息**:证件号码、电话只返回脱敏值；明文只能通过 `POST /api/persons/{id}/reveal` 填写原因后查看。
每次查看、查询人员都记入审计日志。

**一人一档**:登记已存在的证件号码不会新建，返回 200、已有记录和 `"created": false`;
已有记录不在您的管辖范围内时返回 409。

**分页**:列表接受 `limit`（1–200，默认50）和 `offset`，返回 `count`、`limit`、`offset`、`items`。

**错误**:一律为 `{"code": "...", "message": "中文说明", "field": "出错字段"}`,
参数校验错误（422）另有 `errors` 列出每个字段的问题。
参数或请求体含控制字符（如 NUL）为 400，请求体超过 5 MB 为 413，数据库暂时不可用为 503（带 `Retry-After`）。
"""


class ShuangyingAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        """Each pydantic error as {field, code, message}, the message Chinese and led by the
        field's title (the schemas' ``title``)."""
        errors = []
        for context in error_contexts:
            model = context.model
            source = model.__ninja_param_source__
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(error["loc"])
                flat = model.__ninja_flatten_map_reverse__.get(loc, loc)
                names = [part for part in flat if isinstance(part, str)]
                field = names[-1] if names else None
                label = field_title(model, loc) or (
                    "请求体" if source == "body" else field or "参数"
                )
                errors.append(
                    {
                        "field": field,
                        "code": error["type"],
                        "message": f"{label}：{error_message(error)}",
                    }
                )
        return ValidationError(errors)


api = ShuangyingAPI(
    title="双赢指挥系统 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    parser=SafeParser(),
)
api.add_router("", accounts_router)
api.add_router("", divisions_router)
api.add_router("", people_router)
api.add_router("", places_router)
api.add_router("", passes_router)
api.add_router("", healthcodes_router)
api.add_router("", checkins_router)
api.add_router("", checkpoints_router)
api.add_router("", fevers_router)
api.add_router("", supplies_router)
api.add_router("", labs_router)
api.add_router("", cases_router)
api.add_router("", quarantine_router)
api.add_router("", quarantine_reports_router)


def _error(request, status: int, code: str, message: str, field=None, errors=None):
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [e for e in exc.errors if isinstance(e, dict) and "message" in e]
    if not errors:  # raised by ninja itself in a shape we did not build
        errors = [{"field": None, "code": "invalid", "message": "请求参数格式不正确"}]
    return _error(
        request,
        422,
        "invalid_input",
        "；".join(e["message"] for e in errors),
        errors[0]["field"],
        errors,
    )


@api.exception_handler(IdentityError)
def on_identity_error(request, exc: IdentityError):
    return _error(request, 422, "invalid_identity", f"证件号码或电话：{exc}")


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return _error(request, 422, f"invalid_{field}", "；".join(messages), field)
    return _error(request, 422, "invalid", "；".join(exc.messages))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return _error(request, 403, "permission_denied", "您无权执行此操作")


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _error(request, 404, "not_found", "对象不存在或不在您的管辖范围内")


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc: IntegrityError):
    return _error(request, 409, "conflict", "数据冲突：相同的记录已经存在")


@api.exception_handler(AuthenticationError)
def on_not_authenticated(request, exc: AuthenticationError):
    if getattr(request, "api_token_rejected", False):
        return _error(request, 401, "invalid_token", "API令牌无效、已过期或已作废，请重新获取")
    return _error(request, 401, "not_authenticated", "请先登录，或提供有效的API令牌")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ApiError):  # SafeParser's refusal, wrapped by ninja
        return on_api_error(request, exc.__cause__)
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return _error(request, 400, "invalid_json", "请求体：不是有效的JSON")
    return _error(request, exc.status_code, "http_error", "请求无法处理")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc: RequestDataTooBig):
    return too_big(request)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    return database_unavailable(request)

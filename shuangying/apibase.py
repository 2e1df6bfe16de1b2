"""Shared pieces of the REST API: the error shape, the role check and pagination.

Kept apart from ``shuangying/api.py``, which imports every app's router, so that the routers
can import these without an import cycle.
"""

from __future__ import annotations

import functools
import inspect
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from ninja.parser import Parser
from pydantic import AfterValidator, BaseModel
from pydantic import ValidationError as PydanticValidationError

from .guards import CONTROL, CONTROL_MESSAGE


class ApiError(Exception):
    """An error answered as ``{"code", "message", "field"}``; ``message`` is Chinese and names
    the field when there is one."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class FieldErrorOut(Schema):
    field: str | None = None
    code: str
    message: str


class ErrorOut(Schema):
    """Every 4xx answer of the API."""

    code: str = Field(..., description="稳定的错误代码，如 invalid_id_number、not_found")
    message: str = Field(..., description="中文说明，含出错字段的名称")
    field: str | None = Field(None, description="出错的字段（如有）")
    errors: list[FieldErrorOut] | None = Field(None, description="逐个字段的错误（仅 422）")


# The error answers every authenticated operation may give, for the OpenAPI document.
COMMON_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def require_perm(user, perm: str) -> None:
    """The role check of a route (the same codenames as the pages): 403 without it."""
    if not user.has_perm(perm):
        raise ApiError(403, "permission_denied", "您的角色无权执行此操作")


def requires(*perms: str) -> Callable:
    """The role check of a route as a decorator, under ``@router.get(...)``: 403 unless the
    authenticated user (``request.auth``) holds every codename in ``perms``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            for perm in perms:
                require_perm(request.auth, perm)
            return view(request, *args, **kwargs)

        # ninja resolves string annotations (``from __future__ import annotations``) in the
        # globals of the function it is given, which would be this module's: hand it the
        # view's signature already evaluated in the view's own module.
        wrapper.__signature__ = inspect.signature(view, eval_str=True)
        return wrapper

    return decorator


def api_error(exc: ValidationError, *, status: int = 422, prefix: str = "invalid") -> ApiError:
    """A service's ValidationError as the API's error: the first field's messages, coded
    ``invalid_<field>``; a message without a field is ``invalid`` with no field."""
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        if field == "__all__":
            return ApiError(status, prefix, "；".join(messages))
        return ApiError(status, f"{prefix}_{field}", "；".join(messages), field)
    return ApiError(status, prefix, "；".join(exc.messages))


# Integers the database can hold: a bigint column (and PostgreSQL's parameter) is 64-bit
# signed. An id beyond it was a 500 from the driver; bounded here it is a 422 naming the field.
DB_INT_MAX = 2**63 - 1
DbInt = Annotated[int, Field(ge=-(2**63), le=DB_INT_MAX)]
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def _no_control(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


# Text without control characters, for a field that should say so in the OpenAPI document
# or outside a JSON body; JSON bodies as a whole are checked by SafeParser.
SafeStr = Annotated[str, AfterValidator(_no_control)]


def control_path(value: Any, path: str = "") -> str | None:
    """The JSON path of the first key or string holding a control character, else None."""
    if isinstance(value, str):
        return path or "请求体" if CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if CONTROL.search(str(key)):
                return where
            found = control_path(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = control_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


class SafeParser(Parser):
    """ninja's JSON body parser, refusing control characters in any key or string with a
    400 that names the field. Only operations with a body schema parse through it: an upload
    that reads its own body (the offline batch) answers such an item in its own slot."""

    def parse_body(self, request):
        data = json.loads(request.body)
        where = control_path(data)
        if where:
            field = where.rsplit(".", 1)[-1].split("[", 1)[0] or None
            raise ApiError(400, "invalid_characters", f"{where}：{CONTROL_MESSAGE}", field)
        return data


def _inner_model(annotation: Any):
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``, else None."""
    if hasattr(annotation, "model_fields"):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def field_title(model, loc: tuple) -> str | None:
    """The title (Chinese name) of the field at ``loc``, walking nested schemas; None if it
    has none."""
    current, title = model, None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        title = info.title
        current = _inner_model(info.annotation)
    return title


MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "最多{max_length}个字符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，格式 YYYY-MM-DD",
    "datetime_type": "应为时间，格式 YYYY-MM-DDTHH:MM:SS",
    "datetime_parsing": "应为时间，格式 YYYY-MM-DDTHH:MM:SS",
    "enum": "取值应为 {expected} 之一",
    "literal_error": "取值应为 {expected} 之一",
    "list_type": "应为列表",
    "dict_type": "应为JSON对象",
    "model_type": "应为JSON对象",
    "model_attributes_type": "应为JSON对象",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "json_invalid": "不是有效的JSON",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有限的数字",
    "uuid_parsing": "应为UUID",
    "uuid_type": "应为UUID",
}


def _listing(value: Any) -> str:
    """pydantic's "'M', 'F' or 'U'" as "'M'、'F'、'U'"."""
    return str(value).replace(" or ", "、").replace(", ", "、")


def error_message(error: Any) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] == "string_too_short" and ctx.get("min_length") == 1:
        return "不能为空"
    template = MESSAGES.get(error["type"])
    if template is None:
        return "格式不正确"
    try:
        return template.format(**{k: _listing(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template


def batch_items(raw: bytes, *, label: str, max_items: int) -> list:
    """An offline upload's ``items``, read by the route itself rather than a body schema, so
    that one bad item is answered in its own slot instead of failing the upload with a 422 (a
    device retrying it would be stuck forever). Only the envelope fails as a whole."""
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(422, "invalid_input", "请求体：不是有效的JSON") from None
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ApiError(422, "invalid_input", f"{label}：必填，应为列表", "items")
    if not 1 <= len(items) <= max_items:
        raise ApiError(422, "invalid_input", f"{label}：应为1–{max_items:,}条", "items")
    return items


@dataclass(frozen=True)
class ItemError:
    field: str | None
    message: str


def validate_item(model: type[BaseModel], item: Any) -> BaseModel | ItemError:
    """One item of an upload checked against ``model``: the model, or the first problem with
    the field's key and a Chinese message led by its title."""
    if not isinstance(item, dict):
        return ItemError(None, "条目：应为JSON对象")
    where = control_path(item)
    if where:
        key = where.split(".", 1)[0].split("[", 1)[0]
        if key not in model.model_fields:
            return ItemError(None, f"某个输入项：{CONTROL_MESSAGE}")
        return ItemError(key, f"{field_title(model, (key,)) or key}：{CONTROL_MESSAGE}")
    try:
        return model.model_validate(item)
    except PydanticValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        names = [part for part in loc if isinstance(part, str)]
        field = names[0] if names else None
        label = field_title(model, loc) or "条目"
        return ItemError(field, f"{label}：{error_message(error)}")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, title="每页条数")
    offset: int = Field(0, ge=0, le=DB_INT_MAX, title="起始位置")


def paginate(queryset, page: PageParams) -> dict:
    """One page and the total: a count and one query for the rows (plus the queryset's
    prefetches), whatever the page size. ninja's ``@paginate`` is not used because list
    routes write their audit row with the total before answering."""
    count = queryset.count()
    items = list(queryset[page.offset : page.offset + page.limit])
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}

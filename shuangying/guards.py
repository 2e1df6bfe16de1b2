"""The request's edge: what no view should have to think about.

- Control characters (NUL above all: PostgreSQL refuses it in text, so it became a 500) are
  refused in query parameters and form fields with a 400 naming the field (by its key in the
  API, whose clients are programs; by the form's Chinese label on a page); JSON bodies are
  checked by the API's parser (``apibase.SafeParser``), so that an upload which reads its
  own body (the offline batch) can answer a bad item in its own slot.
- A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413, a multipart body without a boundary
  a 400, not a 500 or an HTML 400 in the API.
- A database that cannot be reached is a 503 with ``Retry-After`` (the API's error shape
  under /api/, a Chinese page elsewhere), not a 500.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from functools import cache

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.forms import BaseForm
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

# C0 controls but tab, line feed and carriage return; DEL; lone surrogates (JSON "\ud800"
# decodes to one, and the database driver cannot encode it).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30
CONTROL_MESSAGE = "含有不允许的控制字符（如 NUL）"
UNKNOWN_FIELD = "某个输入项"
CJK = re.compile(r"[\u4e00-\u9fff]")
# A formset's field arrives as ``<prefix>-<index>-<name>``.
FORMSET_KEY = re.compile(r"^[\w]+-\d+-(?P<name>\w+)$")
# Keys that no form of ours labels: Django's own (the login form sets its username label
# only when instantiated) and the pages' paging and sorting.
KNOWN_KEYS = {
    "csrfmiddlewaretoken": "安全令牌",
    "username": "用户名",
    "password": "密码",
    "next": "跳转地址",
    "page": "页码",
    "sort": "排序",
    "per_page": "每页条数",
}


def has_control(value: str) -> bool:
    return CONTROL.search(value) is not None


def first_control_field(data) -> str | None:
    """The first key of a QueryDict whose name or any value holds a control character."""
    for key, values in data.lists():
        if has_control(key):
            return CONTROL.sub("?", key)
        for value in values:
            if isinstance(value, str) and has_control(value):
                return key
    return None


@cache
def _form_labels() -> dict[str, dict[str, set[str]]]:
    """Field key → module of the form → the Chinese labels it has there, over every form
    class defined in the project (all are imported once the URLconf is loaded)."""
    labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    seen: set[type] = set()
    pending = list(BaseForm.__subclasses__())
    while pending:
        form = pending.pop()
        if form in seen:
            continue
        seen.add(form)
        pending.extend(form.__subclasses__())
        if not form.__module__.startswith("shuangying."):
            continue
        for key, field in getattr(form, "base_fields", {}).items():
            label = str(field.label or "")
            if CJK.search(label):
                labels[key][form.__module__].add(label)
    return labels


def _app(module: str) -> str:
    return ".".join(module.split(".")[:2])


def field_label(request, key: str) -> str:
    """The Chinese name of a form field for a page's error: its label in the requested
    view's ``form_class``, else the one label the forms of the view's app give that key, else the one label all the project's forms agree
    on, else a fixed name for Django's own keys; a key none of these knows (or names
    differently) is "某个输入项", never the English key."""
    match = FORMSET_KEY.match(key)
    name = match["name"] if match else key
    by_module = _form_labels().get(name, {})
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        view = None
    if view is not None:
        view = getattr(view, "view_class", view)
        form = getattr(view, "form_class", None)
        fields = getattr(form, "base_fields", {}) if isinstance(form, type) else {}
        if issubclass(form or object, BaseForm) and name in fields:
            label = str(fields[name].label or "")
            if CJK.search(label):
                return label
        app = _app(view.__module__)
        here = set().union(*(v for m, v in by_module.items() if _app(m) == app))
        if len(here) == 1:
            return here.pop()
    everywhere = set().union(*by_module.values())
    if len(everywhere) == 1:
        return everywhere.pop()
    return KNOWN_KEYS.get(name, UNKNOWN_FIELD)


def control_refused(request, field: str) -> HttpResponse:
    """A 400 for a control character: the API names the key, a page the field's label."""
    name = field if request.path.startswith(API_PREFIX) else field_label(request, field)
    return error_response(request, 400, "invalid_characters", f"{name}：{CONTROL_MESSAGE}", field)


def error_response(request, status: int, code: str, message: str, field=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        body = {"code": code, "message": message, "field": field}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    else:
        template = {413: "413.html", 503: "503.html"}.get(status, "400_input.html")
        html = render_to_string(template, {"message": message}, request=None)
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_big(request) -> HttpResponse:
    return error_response(request, 413, "too_large", "请求体：超过允许的大小（5 MB）")


def database_unavailable(request) -> HttpResponse:
    return error_response(request, 503, "unavailable", "数据库暂时不可用，请稍后重试")


def _mark_database_failure(sender, request=None, **kwargs):
    """An exception escaped a view or middleware: remember whether the database was out of
    reach, so that ``EdgeMiddleware`` turns the 500 Django built into a 503."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, OperationalError | InterfaceError):
        request.database_unavailable = True


got_request_exception.connect(_mark_database_failure, dispatch_uid="shuangying.guards")


class EdgeMiddleware:
    """Placed first after SecurityMiddleware: it reads the body before anything else does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refuse(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            return database_unavailable(request)
        return response

    def refuse(self, request) -> HttpResponse | None:
        field = first_control_field(request.GET)
        if field is not None:
            return control_refused(request, field)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        try:
            if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                field = first_control_field(request.POST)
            else:
                request.body  # noqa: B018 - read now, so that its size is checked here
        except RequestDataTooBig:
            return too_big(request)
        except (TooManyFieldsSent, TooManyFilesSent):
            return error_response(request, 400, "too_many_fields", "请求体：字段或文件过多")
        except MultiPartParserError:
            return error_response(
                request, 400, "invalid_multipart", "请求体：multipart 格式不正确（缺少 boundary）"
            )
        if field is not None:
            return control_refused(request, field)
        return None

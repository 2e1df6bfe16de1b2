"""Shared page helpers: a ledger's page, its audit row and the query string its pager keeps."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

PAGE_SIZES = (20, 50, 100)
PHONE_PAGE_SIZE = 20  # on a phone each row is a card: 50 of them ran to ~10,000 px


def is_phone(request) -> bool:
    """A phone's browser says so: the Sec-CH-UA-Mobile client hint (Chromium, WeChat's X5),
    else "Mobile" in its User-Agent (Safari, Firefox)."""
    hint = request.headers.get("Sec-CH-UA-Mobile")
    if hint is not None:
        return hint.strip() == "?1"
    return "Mobile" in request.headers.get("User-Agent", "")


def page_size(request) -> int:
    default = PHONE_PAGE_SIZE if is_phone(request) else 50
    try:
        size = int(request.GET.get("size", default))
    except ValueError:
        return default
    return size if size in PAGE_SIZES else default


def paginate(request, queryset):
    return Paginator(queryset, page_size(request)).get_page(request.GET.get("page"))


def audited_page(
    request, queryset, *, object_type, title, object_id="", detail=None, action=AuditAction.LIST
):
    """One page of a ledger, the audit row that says it was seen (M2), and the query string
    the pager keeps."""
    page = paginate(request, queryset)
    record_event(
        request=request,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=f"{title} 第{page.number}页,共{page.paginator.count}条",
        detail=detail or {},
    )
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def apply_errors(form, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal shown on the form it came from: field errors beside their fields,
    the rest above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc) or "您没有权限执行此操作。")

"""Shared page helpers: a ledger's page, its audit row and the query string its pager keeps."""

from django.core.exceptions import PermissionDenied, ValidationError

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.paging import PAGE_SIZES, PHONE_PAGE_SIZE, is_phone, page_size, paginate

__all__ = [
    "PAGE_SIZES",
    "PHONE_PAGE_SIZE",
    "apply_errors",
    "audited_page",
    "is_phone",
    "page_size",
    "paginate",
]


def audited_page(
    request, queryset, *, object_type, title, object_id="", detail=None, action=AuditAction.LIST
):
    """One page of a ledger, the audit row that says it was seen (M2), and the query string
    the pager keeps."""
    page = paginate(request, queryset)
    record_event(
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=f"{title} 第{page.number}页，共{page.paginator.count}条",
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

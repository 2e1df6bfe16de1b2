"""One page of a list, the same size rule everywhere (shorter on phones): used by every ledger
page, the audit log and the account list alike."""

from django.core.paginator import Paginator

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

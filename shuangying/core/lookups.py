"""Search-as-you-type for a choice among many (a household of 6,000, a division of 900).

A form field keeps its queryset (and so its validation and its jurisdiction); its widget
becomes :class:`SearchSelect`, which sends only the chosen value, and the page asks
``/lookup/?field=<key>&term=…`` (htmx) for the matches. The endpoint builds the *same form*
for the requesting user and searches that field's queryset, so what one may pick from the list
is exactly what the form accepts — scoped through ``restrict`` as the form scopes it.

    # people/forms.py
    household = forms.ModelChoiceField(..., widget=SearchSelect("people.household"))
    register_lookup("people.household", PersonForm, "household",
                    search=("number", "address"), perm="people.add_person")

Fields over ~50 choices use it; below that a plain drop-down is quicker to use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

LIMIT = 20
# Up to this many choices the field stays a plain drop-down (a grid worker's one grid).
LIST_LIMIT = 50


@dataclass(frozen=True)
class Lookup:
    form_class: type[forms.BaseForm]
    field: str
    search: tuple[str, ...]
    perm: str | None
    label: Callable[[object], str] | None = None

    def label_of(self, field, obj) -> str:
        return self.label(obj) if self.label else field.label_from_instance(obj)

    def queryset(self, user):
        form = self.form_class(user=user)
        return form.fields[self.field].queryset

    def matches(self, user, term: str):
        qs = self.queryset(user)
        term = term.strip()
        if term:
            q = Q()
            for name in self.search:
                q |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(q)
        return list(qs[: LIMIT + 1])


REGISTRY: dict[str, Lookup] = {}


def register_lookup(key, form_class, field, *, search, perm=None, label=None) -> None:
    """``label`` names a choice in the list (default: the field's own label_from_instance);
    a division reads better by its full name (一镇东村一网格) than by its name (一网格)."""
    REGISTRY[key] = Lookup(form_class, field, tuple(search), perm, label)


def division_label(division) -> str:
    return division.full_name


class SearchSelect(forms.Widget):
    """A hidden input holding the value, a search box, and a list htmx fills as one types."""

    template_name = "core/widgets/search_select.html"

    def __init__(self, key: str, attrs=None):
        super().__init__(attrs)
        self.key = key
        self.choice_label = ""

    def format_value(self, value):
        return "" if value is None else str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            lookup_url=f"{reverse('core:lookup')}?field={self.key}",
            label=self.choice_label,
        )
        return context


def fits_a_list(field) -> bool:
    return field.queryset.count() <= LIST_LIMIT


def label_for(field, key_name: str, value) -> str:
    """The chosen object's name, read once (the list itself is never rendered)."""
    entry = REGISTRY.get(key_name)
    if value in (None, "") or entry is None:
        return ""
    key = getattr(field, "to_field_name", None) or "pk"
    try:
        obj = field.queryset.filter(**{key: value}).first()
    except (ValueError, TypeError):
        return ""
    return entry.label_of(field, obj) if obj is not None else ""


@login_required
def lookup(request):
    entry = REGISTRY.get(request.GET.get("field", ""))
    if entry is None:
        raise Http404
    if entry.perm and not request.user.has_perm(entry.perm):
        raise PermissionDenied
    found = entry.matches(request.user, request.GET.get("term", "")[:40])
    field = entry.form_class(user=request.user).fields[entry.field]
    key = getattr(field, "to_field_name", None) or "pk"
    options = [
        {"value": getattr(obj, key), "label": entry.label_of(field, obj)} for obj in found[:LIMIT]
    ]
    return render(
        request,
        "core/widgets/search_results.html",
        {"options": options, "more": len(found) > LIMIT},
    )

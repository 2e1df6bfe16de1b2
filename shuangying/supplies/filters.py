"""Filter forms of the supplies lists: one form per list reads the query string, keeps what
was chosen on the page, and narrows a queryset that ``restrict`` has already scoped. A value
that is not a choice is dropped with the field's Chinese error, never a 500."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DispatchStatus, MoveKind, PurchaseStatus
from .models import Category, Item
from .reports import period_bounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ALL = "全部"


class FilterForm(forms.Form):
    """Fields are optional; ``filter(qs)`` applies what is valid; ``chosen`` says what was
    applied (for the audit row's detail)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data else None, **kwargs)
        for field in self.fields.values():
            field.required = False

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}

    def chosen(self) -> dict[str, str]:
        return {k: str(getattr(v, "pk", v)) for k, v in self.values().items()}

    def filter(self, qs):
        return qs


class PeriodForm(FilterForm):
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", "开始日期：不能晚于结束日期")
        return data

    def period(self):
        """(start or None, end or today) of a valid form; the whole period to today otherwise."""
        values = self.values() if not self.errors else {}
        return values.get("start"), values.get("end") or timezone.localdate()


class StockFilter(FilterForm):
    location = forms.ModelChoiceField(label=_("库点"), queryset=None, empty_label=ALL)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.all(), empty_label=ALL
    )

    def __init__(self, data=None, *, locations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["location"].queryset = locations

    def filter(self, qs):
        values = self.values()
        if "location" in values:
            qs = qs.filter(location=values["location"])
        if "category" in values:
            qs = qs.filter(item__category=values["category"])
        return qs


class MoveFilter(PeriodForm):
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.all(), empty_label=ALL)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", ALL), *MoveKind.choices])
    location = forms.ModelChoiceField(label=_("库点"), queryset=None, empty_label=ALL)

    field_order = ["item", "kind", "location", "start", "end"]

    def __init__(self, data=None, *, locations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["location"].queryset = locations

    def filter(self, qs):
        values = self.values()
        if "item" in values:
            qs = qs.filter(item=values["item"])
        if "kind" in values:
            qs = qs.filter(kind=values["kind"])
        if "location" in values:
            location = values["location"]
            qs = qs.filter(Q(from_location=location) | Q(to_location=location))
        lo, hi = period_bounds(values.get("start"), values.get("end"))
        if lo:
            qs = qs.filter(moved_at__gte=lo)
        if hi:
            qs = qs.filter(moved_at__lt=hi)
        return qs


class StatusFilter(FilterForm):
    """A list narrowed by its documents' status."""

    choices: list = []

    status = forms.ChoiceField(label=_("状态"))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", ALL), *self.choices]

    def filter(self, qs):
        status = self.values().get("status")
        return qs.filter(status=status) if status else qs


class PurchaseFilter(StatusFilter):
    choices = PurchaseStatus.choices


class DispatchFilter(StatusFilter):
    choices = DispatchStatus.choices

"""One filter for the places list, its export and the API."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangying.core.lookups import SearchSelect, division_label, register_lookup
from shuangying.divisions.models import Division

from .choices import PlaceType


class PlaceFilter(forms.Form):
    q = forms.CharField(label=_("名称或地址"), required=False, max_length=40)
    type = forms.ChoiceField(
        label=_("场所类型"), required=False, choices=[("", "全部"), *PlaceType.choices]
    )
    division = forms.ModelChoiceField(
        label=_("区划"),
        queryset=Division.objects.none(),
        required=False,
        widget=SearchSelect("places.filter.division"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["division"].queryset = Division.objects.restrict(user).filter(level__lte=4)

    def filter_queryset(self, queryset):
        data = self.cleaned_data if self.is_valid() else {}
        q = (data.get("q") or "").strip()
        if q:
            queryset = queryset.filter(Q(name__contains=q) | Q(address__contains=q))
        if data.get("type"):
            queryset = queryset.filter(type=data["type"])
        if data.get("division"):
            queryset = queryset.within(data["division"])
        return queryset.order_by("division__path", "name", "pk")

    def audit_detail(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: str(v)[:40] for k, v in data.items() if v}


def place_list_queryset(user, params):
    from .models import Place

    form = PlaceFilter(params, user=user)
    qs = form.filter_queryset(Place.objects.restrict(user))
    return form, qs.select_related("division", "responsible_unit")


register_lookup(
    "places.filter.division",
    PlaceFilter,
    "division",
    search=("name", "code"),
    perm="places.view_place",
    label=division_label,
)

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.access import division_q
from shuangying.accounts.models import Department
from shuangying.core.lookups import SearchSelect, division_label, register_lookup
from shuangying.divisions.models import Division

from .choices import PlaceType


class PlaceForm(forms.Form):
    """Add or edit a place; the division must lie within the user's jurisdiction."""

    name = forms.CharField(label=_("名称"), max_length=100)
    type = forms.ChoiceField(label=_("场所类型"), choices=PlaceType.choices)
    division = forms.ModelChoiceField(
        label=_("所在区划"),
        queryset=Division.objects.none(),
        widget=SearchSelect("places.place.division"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Department.objects.order_by("name"), required=False
    )
    contact_name = forms.CharField(label=_("负责人"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        divisions = Division.objects.filter(level__gte=2)
        paths = user.division_paths()
        if paths is not None:
            divisions = divisions.filter(division_q(paths, field="path"))
        self.fields["division"].queryset = divisions.order_by("path")


class PosterBatchForm(forms.Form):
    division = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=Division.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.restrict(user).filter(level__lte=3)


register_lookup(
    "places.place.division",
    PlaceForm,
    "division",
    search=("name", "code"),
    perm="places.add_place",
    label=division_label,
)

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CaseClass
from .models import Ward


class ReclassifyForm(forms.Form):
    to_class = forms.ChoiceField(label=_("新分类"), choices=())
    reason = forms.CharField(
        label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, moves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].choices = [(m, CaseClass(m).label) for m in moves]


class AdmitForm(forms.Form):
    ward = forms.ModelChoiceField(label=_("病区"), queryset=Ward.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Ward.objects.restrict(user).select_related("hospital")


class DischargeForm(forms.Form):
    reason = forms.CharField(label=_("出院原因"), max_length=100)


class CaseFilter(forms.Form):
    case_class = forms.ChoiceField(
        label=_("分类"), required=False, choices=[("", _("全部"))] + list(CaseClass.choices)
    )

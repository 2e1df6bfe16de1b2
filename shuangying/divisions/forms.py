from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.accounts.models import Department, User


class AssignmentForm(forms.Form):
    """Name who answers for a division (A3): a leader, a unit, or both."""

    leader = forms.ModelChoiceField(
        label=_("责任领导"), queryset=User.objects.filter(is_active=True), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Department.objects.all(), required=False
    )
    duty = forms.CharField(label=_("职责"), max_length=60, initial="包联")
    start_date = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("leader") and not data.get("unit"):
            raise forms.ValidationError(_("请指定责任领导或责任单位"))
        return data

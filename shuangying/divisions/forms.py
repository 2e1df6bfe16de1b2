from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assignment

# What <input type="date"> accepts, whatever the language's own date format (issue 16: the
# Chinese "2026/12/05" left the browser's date field empty).
ISO_DATE = "%Y-%m-%d"


class AssignmentForm(forms.Form):
    """Name who answers for a division (A3): a leader, a unit, or both. The choices come from
    the models ``Assignment`` points to (the user model and the departments), so that this
    app does not import the accounts app above it."""

    leader = forms.ModelChoiceField(label=_("责任领导"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("责任单位"), queryset=None, required=False)
    duty = forms.CharField(label=_("职责"), max_length=60, initial="包联")
    start_date = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leader_model = Assignment._meta.get_field("leader").related_model
        unit_model = Assignment._meta.get_field("unit").related_model
        self.fields["leader"].queryset = leader_model._default_manager.filter(is_active=True)
        self.fields["unit"].queryset = unit_model._default_manager.all()

    def clean(self):
        data = super().clean()
        if not data.get("leader") and not data.get("unit"):
            raise forms.ValidationError(_("请指定责任领导或责任单位"))
        return data

from django import forms
from django.utils.translation import gettext_lazy as _


class CounterFilter(forms.Form):
    """The dashboard's filters (dates in the county's time zone, one checkpoint or all)."""

    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    checkpoint = forms.TypedChoiceField(
        label=_("卡口"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, checkpoints=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].choices = [("", _("全部卡口"))] + [
            (c.pk, c.name) for c in checkpoints
        ]

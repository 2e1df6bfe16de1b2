from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import POOL_SIZES, Result, SampleType
from .models import Lab, SamplingPoint


class SampleForm(forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    barcode = forms.CharField(label=_("样本条码"), max_length=40)
    sample_type = forms.ChoiceField(label=_("样本类型"), choices=SampleType.choices)
    point = forms.ModelChoiceField(
        label=_("采样点"), queryset=SamplingPoint.objects.none(), required=False
    )
    lab = forms.ModelChoiceField(label=_("送检实验室"), queryset=Lab.objects.none(), required=False)
    pool_barcode = forms.CharField(label=_("混采管条码"), max_length=40, required=False)
    pool_size = forms.TypedChoiceField(
        label=_("混采规格"),
        choices=[("", _("单采"))] + [(n, f"{n}合1") for n in POOL_SIZES],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = SamplingPoint.objects.restrict(user)
        self.fields["lab"].queryset = Lab.objects.restrict(user)


class ResultForm(forms.Form):
    barcode = forms.CharField(label=_("条码"), max_length=40)
    result = forms.ChoiceField(label=_("结果"), choices=Result.choices)
    resulted_at = forms.DateTimeField(
        label=_("出结果时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    correction = forms.BooleanField(label=_("更正已有结果"), required=False)
    reason = forms.CharField(label=_("更正原因"), max_length=200, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("结果表（Excel或CSV）"))
    commit = forms.BooleanField(label=_("确认导入（不勾选只检查）"), required=False)


class DayForm(forms.Form):
    date = forms.DateField(label=_("日期"), required=False)

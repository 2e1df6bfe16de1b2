from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import RiskLevel
from .models import PaletteColour


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"), min_length=2, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    colour = forms.ModelChoiceField(
        label=_("赋码颜色"), queryset=PaletteColour.objects.all(), to_field_name="code"
    )
    reason = forms.CharField(label=_("原因"), min_length=2, max_length=200)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=28, initial=7)


class DecisionForm(forms.Form):
    pk = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("意见"), max_length=200, required=False)


class AppealDecisionForm(DecisionForm):
    note = forms.CharField(label=_("处理意见"), min_length=2, max_length=200)
    colour = forms.ModelChoiceField(
        label=_("采纳后申请改为"),
        queryset=PaletteColour.objects.all(),
        to_field_name="code",
        required=False,
    )


class ArrivalReviewForm(forms.Form):
    arrival = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("同意返岗")), ("0", _("暂不返岗"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("审核意见"), min_length=2, max_length=200)


class RiskAreaForm(forms.Form):
    code = forms.RegexField(
        label=_("区划代码"), regex=r"^[0-9]{6}$", error_messages={"invalid": _("应为6位数字")}
    )
    name = forms.CharField(label=_("地区名称"), max_length=100)
    level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    start_date = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RiskAreaImportForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))


class VerifyForm(forms.Form):
    token = forms.CharField(
        label=_("健康码内容"), max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )

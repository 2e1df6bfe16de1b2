from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.people.choices import DocumentType
from shuangying.people.identity import IdentityError, normalize_document
from shuangying.people.models import Person, id_number_hash

from .choices import OrderKind, OrderState, Reason
from .models import Room


class OrderForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=24)
    kind = forms.ChoiceField(label=_("隔离方式"), choices=OrderKind.choices)
    reason = forms.ChoiceField(label=_("隔离原因"), choices=Reason.choices)
    reason_text = forms.CharField(label=_("原因说明"), max_length=100, required=False)
    start_date = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.IntegerField(
        label=_("天数"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("不填按隔离原因的规定天数"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        try:
            normalized = normalize_document(DocumentType.RESIDENT_ID, raw)
        except IdentityError as exc:
            raise forms.ValidationError(f"身份证号码：{exc}") from None
        person = (
            Person.objects.restrict(self.user)
            .filter(id_number_hash=id_number_hash(normalized))
            .first()
        )
        if person is None:
            raise forms.ValidationError("身份证号码：管辖范围内没有此人，请先登记人员")
        self.person = person
        return raw


class ChangeForm(forms.Form):
    days = forms.IntegerField(
        label=_("天数"), min_value=-60, max_value=60, help_text=_("正数延长，负数缩短")
    )
    reason = forms.CharField(label=_("原因"), max_length=200)


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("解除说明"), max_length=200, required=False)


class RoomForm(forms.Form):
    room = forms.ModelChoiceField(label=_("房间"), queryset=Room.objects.none())
    reason = forms.CharField(label=_("转移原因"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["room"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Room.objects.restrict(user).filter(state="free").select_related("site")


class OrderFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(OrderState.choices)
    )
    kind = forms.ChoiceField(
        label=_("隔离方式"), required=False, choices=[("", _("全部"))] + list(OrderKind.choices)
    )
    reason = forms.ChoiceField(
        label=_("隔离原因"), required=False, choices=[("", _("全部"))] + list(Reason.choices)
    )
    q = forms.CharField(label=_("姓名"), required=False, max_length=30)


class ReportForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.TypedChoiceField(
        label=_("时段"), coerce=int, choices=[(1, _("上午")), (2, _("下午"))]
    )
    temperature = forms.CharField(label=_("体温（℃）"), max_length=5)
    symptoms = forms.CharField(label=_("症状（没有请留空）"), max_length=100, required=False)
    correction_reason = forms.CharField(
        label=_("更正原因（更正已报数值时填写）"), max_length=200, required=False
    )

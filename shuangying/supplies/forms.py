"""Forms of supplies: one form per document head, and the line tables (物资, 数量, 单位, 单价;
到货, 合格, 拒收原因) as formsets (``lines.py``)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangying.accounts.models import User
from shuangying.divisions.models import Division

from .choices import STORE_KINDS, DonorKind, LocationKind, RecipientKind
from .models import Budget, Category, Item, Location, Recipient
from .services import decimal_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def stores_for(user):
    return Location.objects.restrict(user).filter(kind__in=STORE_KINDS, is_active=True)


class ItemForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.all())
    name = forms.CharField(label=_("名称"), max_length=60)
    unit = forms.CharField(
        label=_("计量单位"), max_length=8, help_text=_("如 个、双、套、桶、吨、壶")
    )
    specification = forms.CharField(label=_("规格"), max_length=100, required=False)
    min_stock = forms.DecimalField(label=_("最低库存"), min_value=0, initial=0, max_digits=16)
    daily_consumption = forms.DecimalField(
        label=_("日消耗量"), min_value=0, required=False, max_digits=16, help_text=_("粮油储备填写")
    )
    conversions = forms.CharField(
        label=_("单位换算"),
        required=False,
        max_length=200,
        help_text=_("每行一项，如“kg=0.5”表示1kg折合0.5个基本单位"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_conversions(self):
        pairs = []
        for n, raw in enumerate(self.cleaned_data["conversions"].splitlines(), start=1):
            raw = raw.strip()
            if not raw:
                continue
            unit, sep, factor = raw.partition("=")
            if not sep or not unit.strip():
                raise forms.ValidationError(f"第{n}项：格式应为“单位=折合数量”")
            pairs.append((unit.strip(), decimal_of(factor, label=f"第{n}项 折合数量")))
        return pairs


class LocationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[(k, LocationKind(k).label) for k in STORE_KINDS]
    )
    division = forms.ModelChoiceField(label=_("所属区划"), queryset=Division.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = (
            Division.objects.restrict(user).filter(level__lte=2).order_by("path")
        )


class RecipientForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=RecipientKind.choices)
    division = forms.ModelChoiceField(label=_("所在区划"), queryset=Division.objects.none())
    credit_code = forms.CharField(
        label=_("统一社会信用代码（企业）"), max_length=18, required=False
    )
    contact = forms.CharField(label=_("联系人"), max_length=30, required=False)
    contact_account = forms.ModelChoiceField(
        label=_("联络人账户（企业）"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("无"),
        help_text=_("企业联络人账户可为本企业申请物资、查看本企业的申请"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = (
            Division.objects.restrict(user).filter(level__lte=3).order_by("path")
        )
        self.fields["contact_account"].queryset = User.objects.filter(
            groups__name="enterprise_contact", is_active=True
        ).order_by("username")


class PurchaseForm(forms.Form):
    location = forms.ModelChoiceField(label=_("入库库点"), queryset=Location.objects.none())
    supplier = forms.CharField(label=_("供应商"), max_length=60)
    budget = forms.ModelChoiceField(label=_("预算"), queryset=Budget.objects.all(), required=False)
    reason = forms.CharField(label=_("采购理由"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = stores_for(user)


class DonationForm(forms.Form):
    donor_kind = forms.ChoiceField(label=_("捐赠方类型"), choices=DonorKind.choices)
    donor_name = forms.CharField(label=_("捐赠方"), max_length=100, required=False)
    anonymous = forms.BooleanField(label=_("匿名捐赠"), required=False)
    location = forms.ModelChoiceField(label=_("入库库点"), queryset=Location.objects.none())
    received_on = forms.DateField(label=_("接收日期"), widget=DATE, initial=date.today)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = stores_for(user)


class ProcessingForm(forms.Form):
    location = forms.ModelChoiceField(label=_("库点"), queryset=Location.objects.none())
    processor = forms.CharField(label=_("加工单位"), max_length=100)
    input_item = forms.ModelChoiceField(label=_("投入物资"), queryset=Item.objects.all())
    input_quantity = forms.DecimalField(label=_("投入数量"), min_value=0, max_digits=16)
    input_unit = forms.CharField(label=_("投入单位"), max_length=8, required=False)
    output_item = forms.ModelChoiceField(label=_("产出物资"), queryset=Item.objects.all())
    output_quantity = forms.DecimalField(label=_("产出数量"), min_value=0, max_digits=16)
    output_unit = forms.CharField(label=_("产出单位"), max_length=8, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = stores_for(user)


class TransferForm(forms.Form):
    from_location = forms.ModelChoiceField(label=_("调出库点"), queryset=Location.objects.none())
    to_location = forms.ModelChoiceField(label=_("调入库点"), queryset=Location.objects.none())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_location"].queryset = stores_for(user)
        self.fields["to_location"].queryset = Location.objects.filter(
            kind__in=STORE_KINDS, is_active=True
        )


class DispatchForm(forms.Form):
    source = forms.ModelChoiceField(label=_("发放库点"), queryset=Location.objects.none())
    recipient = forms.ModelChoiceField(label=_("领用单位"), queryset=Recipient.objects.none())
    ordered_on = forms.DateField(label=_("指令日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = stores_for(user)
        self.fields["recipient"].queryset = Recipient.objects.restrict(user).filter(is_active=True)


class EnterpriseRequestForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("企业"), queryset=Recipient.objects.none())
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.filter(is_active=True))
    quantity = forms.DecimalField(label=_("需求数量"), min_value=0, max_digits=16)
    unit = forms.CharField(label=_("单位"), max_length=8, required=False)
    reason = forms.CharField(label=_("用途"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Recipient.objects.restrict(user).filter(
            kind=RecipientKind.ENTERPRISE, is_active=True
        )


class AcceptanceTeamForm(forms.Form):
    """The head of a joint acceptance; its rows are ``lines.AcceptanceFormSet``."""

    acceptance_team = forms.CharField(
        label=_("验收人员（部门）"),
        max_length=200,
        error_messages={"required": "验收人员：请填写参加联合验收的部门和人员"},
    )

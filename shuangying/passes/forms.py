from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangying.accounts.models import Department
from shuangying.core.lookups import SearchSelect, division_label, register_lookup
from shuangying.divisions.models import Division
from shuangying.people.models import Household, Person
from shuangying.places.models import Place

from .choices import Direction, PassType

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PassForm(forms.Form):
    """Issue a pass. The household is named by its number in the division, the person by the
    document number (looked up through its keyed hash): no long select lists."""

    type = forms.ChoiceField(label=_("类型"), choices=PassType.choices)
    division = forms.ModelChoiceField(
        label=_("所属区划"),
        queryset=Division.objects.none(),
        widget=SearchSelect("passes.pass.division"),
    )
    household_number = forms.CharField(label=_("户编号"), max_length=30, required=False)
    id_number = forms.CharField(label=_("持证人证件号码"), max_length=24, required=False)
    holder_name = forms.CharField(
        label=_("持证人/单位"), max_length=100, required=False, help_text=_("留空则用户或人员")
    )
    plate = forms.CharField(label=_("车牌号"), max_length=12, required=False)
    route = forms.CharField(label=_("通行路线"), max_length=200, required=False)
    issuing_department = forms.ModelChoiceField(
        label=_("签发部门"), queryset=Department.objects.order_by("name"), required=False
    )
    purpose = forms.CharField(label=_("事由"), max_length=200, required=False)
    valid_from = forms.DateTimeField(label=_("生效时间"), widget=DATETIME)
    valid_until = forms.DateTimeField(label=_("有效期至"), widget=DATETIME)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["division"].queryset = Division.objects.restrict(user).order_by("path")

    def clean(self):
        data = super().clean()
        division = data.get("division")
        number = (data.get("household_number") or "").strip()
        data["household"] = None
        data["person"] = None
        if division and number:
            household = (
                Household.objects.restrict(self.user).within(division).filter(number=number).first()
            )
            if household is None:
                self.add_error("household_number", "该区划内没有此户编号（或不在您的管辖范围内）")
            data["household"] = household
        id_number = (data.get("id_number") or "").strip()
        if id_number:
            from shuangying.people.services import find_person_by_document

            person = find_person_by_document(id_number)
            if person is None or not Person.objects.restrict(self.user).filter(pk=person.pk):
                self.add_error("id_number", "未找到此证件号码的人员（或不在您的管辖范围内）")
            data["person"] = person
        return data


class RuleForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("封闭管理区域"),
        queryset=Division.objects.none(),
        widget=SearchSelect("passes.rule.division"),
    )
    opens_at = forms.TimeField(
        label=_("开放时间"), initial="07:30", widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=_("关闭时间"), initial="21:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    exit_interval_days = forms.IntegerField(
        label=_("每户外出间隔（天）"), min_value=1, max_value=30, required=False, initial=2
    )
    admit_outsiders = forms.BooleanField(label=_("允许外来人员进入"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = (
            Division.objects.restrict(user).filter(level__gte=3).order_by("path")
        )


class GateCheckForm(forms.Form):
    place = forms.ModelChoiceField(label=_("卡点"), queryset=Place.objects.none())
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices, initial=Direction.OUT)
    token = forms.CharField(
        label=_("通行证码"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    plate = forms.CharField(label=_("车牌号（运输通行证）"), max_length=12, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = (
            Place.objects.restrict(user).filter(is_active=True).order_by("name")
        )


class PassApplicationForm(forms.Form):
    """An enterprise asks for a transport pass. It holds no division of its own, so it names
    the township (street) where the vehicle is based: a short list, public information."""

    division = forms.ModelChoiceField(
        label=_("所在乡镇（街道）"),
        queryset=Division.objects.none(),
        empty_label=_("请选择"),
    )
    holder_name = forms.CharField(label=_("单位"), max_length=100)
    plate = forms.CharField(
        label=_("车牌号"), max_length=12, widget=forms.TextInput(attrs={"placeholder": "晋L12345"})
    )
    route = forms.CharField(label=_("通行路线"), max_length=200)
    purpose = forms.CharField(label=_("事由"), max_length=200, required=False)
    valid_from = forms.DateTimeField(label=_("生效时间"), widget=DATETIME)
    valid_until = forms.DateTimeField(label=_("有效期至"), widget=DATETIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(level=2).order_by("path")


def default_validity():
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"valid_from": now, "valid_until": now + timedelta(days=30)}


# Hundreds of divisions: chosen by typing (core/lookups.py).
register_lookup(
    "passes.pass.division",
    PassForm,
    "division",
    search=("name", "code"),
    perm="passes.add_pass",
    label=division_label,
)
register_lookup(
    "passes.rule.division",
    RuleForm,
    "division",
    search=("name", "code"),
    perm="passes.add_closedmanagementrule",
    label=division_label,
)

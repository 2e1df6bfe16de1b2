"""Forms of the fever loop: a report typed by staff (village, compound, clinic, home
quarantine, pharmacy), the public tip-off and pharmacy pages, the next step of an episode, the
resolution of an unresolved report, and the desk's filters."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.access import division_q
from shuangying.core.lookups import SearchSelect, division_label, register_lookup
from shuangying.divisions.models import Division
from shuangying.people.choices import DocumentType
from shuangying.people.models import Person
from shuangying.places.choices import PlaceType
from shuangying.places.models import Place

from .choices import Channel, IsolationPlace, Outcome, Step

STAFF_CHANNELS = [c for c in Channel.choices if c[0] not in (Channel.CHECKPOINT, Channel.TIPOFF)]


def person_label(person) -> str:
    return f"{person.name} {person.id_number_masked}"


def _divisions(user):
    divisions = Division.objects.filter(level__gte=3)
    paths = user.division_paths()
    if paths is not None:
        divisions = divisions.filter(division_q(paths, field="path"))
    return divisions.order_by("path")


class IdentityFields(forms.Form):
    """The reported person as typed, for one the registry may not know."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    document_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=DocumentType.choices,
        initial=DocumentType.RESIDENT_ID,
        required=False,
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    def clean_document_type(self):
        return self.cleaned_data.get("document_type") or DocumentType.RESIDENT_ID


class ReportForm(IdentityFields):
    """A fever found by staff. The person picked from the registry, or typed in."""

    channel = forms.ChoiceField(label=_("发现渠道"), choices=STAFF_CHANNELS)
    person = forms.ModelChoiceField(
        label=_("在册人员"),
        queryset=Person.objects.none(),
        required=False,
        widget=SearchSelect("fevers.report.person"),
        help_text=_("输入姓名或证件号后四位查找；不在册时填写下面的姓名、证件号码或手机号"),
    )
    temperature = forms.CharField(label=_("体温（℃）"), max_length=5, required=False)
    symptoms = forms.CharField(label=_("症状"), max_length=200, required=False)
    drug = forms.CharField(label=_("所购药品"), max_length=100, required=False)
    found_at = forms.DateTimeField(
        label=_("发现时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("不填为现在"),
    )
    place = forms.ModelChoiceField(label=_("场所"), queryset=Place.objects.none(), required=False)
    division = forms.ModelChoiceField(
        label=_("所在村（社区）"),
        queryset=Division.objects.none(),
        required=False,
        widget=SearchSelect("fevers.report.division"),
        help_text=_("人员不在册时必填"),
    )

    field_order = ["channel", "person", "name", "document_type", "id_number", "phone"]

    def __init__(self, *args, user, channel: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = Person.objects.restrict(user).order_by("name")
        person.label_from_instance = person_label  # type: ignore[assignment]
        cast(forms.ModelChoiceField, self.fields["division"]).queryset = _divisions(user)
        places = Place.objects.restrict(user).filter(is_active=True)
        if channel is not None:
            self.fields["channel"].initial = channel
            self.fields["channel"].widget = forms.HiddenInput()
        if channel == Channel.PHARMACY:
            places = places.filter(type=PlaceType.PHARMACY)
            self.fields["place"].required = True
            self.fields["place"].label = _("药店")
            self.fields["drug"].required = True
        elif channel == Channel.FEVER_CLINIC:
            places = places.filter(type=PlaceType.FEVER_CLINIC)
            self.fields["place"].label = _("发热门诊")
            del self.fields["drug"]
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = places.order_by("name")


class TipoffForm(IdentityFields):
    """The public tip-off: the reported person possibly only a name and an address."""

    division = forms.ModelChoiceField(
        label=_("所在村（社区）"),
        queryset=Division.objects.filter(level=3, is_active=True).order_by("path"),
    )
    symptoms = forms.CharField(
        label=_("情况说明"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tipster_phone = forms.CharField(
        label=_("您的电话（选填）"),
        max_length=20,
        required=False,
        help_text=_("便于核实，不会公开"),
    )

    field_order = ["name", "address", "division", "phone", "symptoms", "tipster_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["document_type"]
        del self.fields["id_number"]
        self.fields["name"].required = True
        self.fields["phone"].label = _("被举报人手机号（选填）")


class PharmacyBuyerForm(IdentityFields):
    """A pharmacy's register of buyers of fever and cough drugs (name, ID or phone, drug)."""

    drug = forms.CharField(label=_("所购药品"), max_length=100)
    temperature = forms.CharField(label=_("体温（℃，选填）"), max_length=5, required=False)
    symptoms = forms.CharField(label=_("症状（选填）"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        del self.fields["address"]

    def clean(self):
        data = super().clean() or {}
        if not (data.get("id_number") or "").strip() and not (data.get("phone") or "").strip():
            self.add_error("id_number", _("证件号码：请填写证件号码或手机号"))
        return data


class StepForm(forms.Form):
    """The next step of an episode, with what that step records."""

    at = forms.DateTimeField(
        label=_("时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("不填为现在"),
    )
    isolation_place = forms.ChoiceField(label=_("隔离方式"), choices=IsolationPlace.choices)
    isolation_note = forms.CharField(label=_("隔离地点"), max_length=100, required=False)
    barcode = forms.CharField(label=_("样本条码"), max_length=40, required=False)
    result = forms.CharField(label=_("检测结果"), max_length=100)
    outcome = forms.ChoiceField(label=_("结论"), choices=Outcome.choices)
    note = forms.CharField(label=_("结案说明"), max_length=200, required=False)

    FIELDS: dict[str, list[str]] = {
        Step.REGISTERED: [],
        Step.ISOLATED: ["isolation_place", "isolation_note"],
        Step.SAMPLED: ["barcode"],
        Step.RESULTED: ["result"],
        Step.CLOSED: ["outcome", "note"],
    }

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"at", *self.FIELDS[step]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class ResolveForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("在册人员"),
        queryset=Person.objects.none(),
        widget=SearchSelect("fevers.resolve.person"),
        help_text=_("输入姓名或证件号后四位查找"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = Person.objects.restrict(user).order_by("name")
        person.label_from_instance = person_label  # type: ignore[assignment]


class DeskFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("环节"), choices=[("", _("全部未结案")), *Step.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False
    )
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    q = forms.CharField(label=_("姓名"), max_length=30, required=False)

    def apply(self, qs):
        if not self.is_valid():
            return qs.open()
        d = self.cleaned_data
        qs = qs.filter(status=d["status"]) if d["status"] else qs.open()
        if d["channel"]:
            qs = qs.filter(channel=d["channel"])
        if d["overdue"]:
            qs = qs.overdue()
        if d["q"]:
            qs = qs.filter(person__name__contains=d["q"].strip())
        return qs

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


for key, form, field in (
    ("fevers.report.person", ReportForm, "person"),
    ("fevers.resolve.person", ResolveForm, "person"),
):
    register_lookup(
        key,
        form,
        field,
        search=("name", "id_last4"),
        perm="fevers.add_feverreport",
        label=person_label,
    )
register_lookup(
    "fevers.report.division",
    ReportForm,
    "division",
    search=("name", "code"),
    perm="fevers.add_feverreport",
    label=division_label,
)

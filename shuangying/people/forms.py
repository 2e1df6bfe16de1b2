from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.core.lookups import SearchSelect, division_label, register_lookup
from shuangying.divisions.models import Division

from .choices import DocumentType, HealthStatus, Relation, RevealPurpose, Sex
from .models import Household, Tag

# What <input type="date"> accepts, whatever the language's own date format (issue 16: the
# Chinese "2026/12/05" left the browser's date field empty).
ISO_DATE = "%Y-%m-%d"


class PersonForm(forms.Form):
    """Add or edit a person. Document number and phone are validated by the services."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=24)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    sex = forms.ChoiceField(
        label=_("性别"), choices=[("", "按证件号码"), *Sex.choices], required=False
    )
    division = forms.ModelChoiceField(
        label=_("所属网格"),
        queryset=Division.objects.none(),
        widget=SearchSelect("people.person.division"),
    )
    household = forms.ModelChoiceField(
        label=_("户"),
        queryset=Household.objects.none(),
        required=False,
        widget=SearchSelect("people.person.household"),
    )
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), choices=[("", "—"), *Relation.choices], required=False
    )
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    workplace = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("标签"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        divisions = Division.objects.in_jurisdiction(user).filter(level__gte=3)
        self.fields["division"].queryset = divisions.order_by("path")
        self.fields["household"].queryset = Household.objects.restrict(user).order_by("number")
        if editing:
            # The document identifies the person; it is not edited here.
            del self.fields["document_type"]
            del self.fields["id_number"]
            self.fields["phone"].help_text = _("留空则不修改；显示为脱敏值")


class RevealForm(forms.Form):
    """The purpose from a list and the reason in words (checked by ``clean_reveal_reason``)."""

    purpose = forms.ChoiceField(
        label=_("查看用途"), choices=[("", "请选择"), *RevealPurpose.choices]
    )
    reason = forms.CharField(label=_("查看原因"), max_length=200)


class StaffSurveyForm(forms.Form):
    """One staff member's first-day-back survey (B6)."""

    person = forms.ModelChoiceField(
        label=_("人员"), queryset=None, widget=SearchSelect("people.staffsurvey.person")
    )
    survey_date = forms.DateField(
        label=_("摸底日期"), widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"})
    )
    holiday_whereabouts = forms.CharField(label=_("假期行踪"), max_length=200)
    left_county = forms.BooleanField(label=_("假期曾离开本县"), required=False)
    health_status = forms.ChoiceField(label=_("返岗首日健康状况"), choices=HealthStatus.choices)
    temperature = forms.DecimalField(
        label=_("体温（℃）"),
        max_digits=3,
        decimal_places=1,
        min_value=34,
        max_value=43,
        required=False,
    )
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        from .models import Person

        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.restrict(user).filter(
            workplace_department_id=user.department_id
        )


# Thousands of divisions, households and persons: chosen by typing (core/lookups.py).
register_lookup(
    "people.person.division",
    PersonForm,
    "division",
    search=("name", "code"),
    perm="people.add_person",
    label=division_label,
)
register_lookup(
    "people.person.household",
    PersonForm,
    "household",
    search=("number", "address"),
    perm="people.add_person",
)
register_lookup(
    "people.staffsurvey.person",
    StaffSurveyForm,
    "person",
    search=("name",),
    perm="people.add_staffsurvey",
)

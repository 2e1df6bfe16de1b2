"""The public forms clean their fields without a BoundField each (share_fields): the outcome
must be Django's own, field for field, for good and bad input alike."""

import uuid

import pytest
from django import forms
from django.http import QueryDict

from shuangying.checkins.forms import CompanionForm, DeclarationForm, FirstCheckinForm
from shuangying.people.identity import make_resident_id

ID = make_resident_id("130682", __import__("datetime").date(1980, 1, 2), 101)
GOOD = {
    "name": "测试甲",
    "document_type": "resident_id",
    "id_number": ID,
    "phone": "13800000001",
    "temperature": "36.5",
    "travel": "none",
    "client_uuid": str(uuid.uuid4()),
}
CASES = [
    GOOD,
    {**GOOD, "name": ""},
    {**GOOD, "temperature": "45"},
    {**GOOD, "temperature": "abc", "client_uuid": "not-a-uuid"},
    {**GOOD, "symptoms": ["cough", "nonsense"]},
    {**GOOD, "fever": "on", "travel": "elsewhere"},
    {**GOOD, "id_number": "123", "phone": "1"},
    {},
]


def standard(form_class):
    return type(
        f"Standard{form_class.__name__}",
        (form_class,),
        {"_clean_fields": forms.BaseForm._clean_fields},
    )


def qd(data: dict, prefix: str = "") -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        key = f"{prefix}-{key}" if prefix else key
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("form_class", [FirstCheckinForm, DeclarationForm])
def test_same_outcome_as_django(form_class, data):
    ours, theirs = form_class(qd(data)), standard(form_class)(qd(data))
    assert ours.is_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    assert ours.cleaned_data == theirs.cleaned_data


@pytest.mark.parametrize(
    "data", [{"name": "乙", "id_number": ID}, {"name": "乙"}, {"id_number": "x"}, {}]
)
def test_same_outcome_for_companions(data):
    ours = CompanionForm(qd(data, "c0"), prefix="c0")
    theirs = standard(CompanionForm)(qd(data, "c0"), prefix="c0")
    assert ours.is_valid() == theirs.is_valid()
    assert ours.errors == theirs.errors
    assert ours.cleaned_data == theirs.cleaned_data


def test_a_form_that_needs_django_cleaning_is_refused():
    from shuangying.checkins.forms import share_fields

    class WithCleaner(forms.Form):
        name = forms.CharField()

        def clean_name(self):
            return self.cleaned_data["name"]

    with pytest.raises(TypeError):
        share_fields(WithCleaner)

"""Issue 17: names are NFKC-normalised, and invisible or text direction control characters
are refused with a message naming the field, on the page, in the API and in an import."""

from datetime import date

import pytest
from django.urls import reverse

from shuangying.imports.services import import_file
from shuangying.imports.tests.xlsx import PERSON_HEADERS, make_xlsx, person_row
from shuangying.people.identity import IdentityError, make_resident_id, normalize_name
from shuangying.people.models import Person
from shuangying.people.services import register_person, update_person
from shuangying.testing import login

pytestmark = pytest.mark.django_db

HIDDEN = [
    "张\u200b三",  # zero-width space
    "张\u200d三",  # zero-width joiner
    "\ufeff张三",  # byte-order mark
    "张三\u202e",  # right-to-left override
    "\u2066张三\u2069",  # isolate
    "张\u200f三",  # right-to-left mark
    "张\u3164三",  # Hangul filler, a letter that prints as nothing
    "张\x07三",  # control
]


@pytest.mark.parametrize("name", HIDDEN)
def test_invisible_and_bidi_characters_are_refused(name):
    with pytest.raises(IdentityError, match="不可见字符或文字方向控制字符"):
        normalize_name(name)


def test_names_are_nfkc_with_whitespace_collapsed():
    assert normalize_name("ＪＯＨＮ\u3000 SMITH ") == "JOHN SMITH"
    assert normalize_name("阿依古丽·买买提") == "阿依古丽·买买提"


def test_register_and_update_refuse_with_the_field_named(personas, county, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        register_person(
            actor=personas["county"],
            name="李\u202e四",
            id_number=make_resident_id("130682", date(1990, 1, 1), 41),
            division=county.grid1a,
        )
    assert "姓名" in refused.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        update_person(actor=personas["county"], person=people.in_grid1a, name="张\u200b一甲")
    person = update_person(actor=personas["county"], person=people.in_grid1a, name="张一甲２")
    assert Person.objects.get(pk=person.pk).name == "张一甲2"


def test_the_page_shows_the_error_on_the_name(client, personas, county):
    login(client, personas["county"])
    response = client.post(
        reverse("people:person_create"),
        {
            "name": "王\u200b五",
            "document_type": "resident_id",
            "id_number": make_resident_id("130682", date(1991, 1, 1), 42),
            "division": county.grid1a.pk,
        },
    )
    assert response.status_code == 400
    assert "不可见字符" in str(response.context["form"].errors["name"])
    assert not Person.objects.filter(name__contains="五").exists()


def test_the_api_answers_422_naming_the_name(client, personas, county):
    login(client, personas["county"])
    response = client.post(
        "/api/persons",
        {
            "name": "赵\u202e六",
            "id_number": make_resident_id("130682", date(1992, 1, 1), 43),
            "division": county.grid1a.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "name" and "姓名" in body["message"]


def test_an_import_refuses_the_row(personas, county):
    rows = [person_row(1, 姓名="孙\u200b七"), person_row(2, 姓名="ＬＥＥ")]
    report = import_file("persons", make_xlsx(PERSON_HEADERS, rows), personas["county"], "valid")
    assert report.error_rows == 1
    assert "不可见字符" in report.errors[0]["message"] and report.errors[0]["column"] == "姓名"
    assert Person.objects.filter(name="LEE").exists()

"""Issue 16 item 8: every date input of people, divisions and imports carries an ISO date
(YYYY-MM-DD), the only value <input type="date"> accepts, in the Chinese locale as well."""

import inspect
from datetime import date

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

import shuangying.divisions.forms
import shuangying.imports.forms
import shuangying.people.filters
import shuangying.people.forms
from shuangying.testing import login

MODULES = (
    shuangying.people.forms,
    shuangying.people.filters,
    shuangying.divisions.forms,
    shuangying.imports.forms,
)


def date_fields():
    for module in MODULES:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in cls.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield pytest.param(field, id=f"{name}.{field_name}")


@pytest.mark.parametrize("field", list(date_fields()))
def test_every_date_input_renders_iso(field):
    with translation.override("zh-hans"):
        html = field.widget.render("d", date(2026, 12, 5))
    assert 'type="date"' in html
    assert 'value="2026-12-05"' in html


def test_there_are_date_fields_to_check():
    assert len(list(date_fields())) >= 2


@pytest.mark.django_db
def test_staff_survey_form_prefills_today_as_iso(client, personas):
    login(client, personas["dept"])
    page = client.get(reverse("people:staff_survey_create")).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    assert f'value="{timezone.localdate():%Y/%m/%d}"' not in page

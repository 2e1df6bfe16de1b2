"""Empty choices: "全部" in a filter, "请选择" in a form; never Django's dashes."""

import pytest
from django import forms

from shuangying.divisions.models import Division

pytestmark = pytest.mark.django_db

COLOURS = [("", "---------"), ("red", "红"), ("green", "绿")]


class ColourForm(forms.Form):
    colour = forms.ChoiceField(choices=COLOURS)
    division = forms.ModelChoiceField(queryset=Division.objects.all())


class ColourFilter(ColourForm):
    pass


def test_a_form_says_please_choose():
    html = str(ColourForm())
    assert "---------" not in html
    assert html.count('<option value="" selected>请选择</option>') == 2


def test_a_filter_says_all():
    html = str(ColourFilter())
    assert "---------" not in html and html.count(">全部</option>") == 2


def test_relabelling_one_form_leaves_the_class_alone():
    str(ColourFilter())
    assert ColourForm.base_fields["colour"].choices[0] == ("", "---------")
    assert "请选择" in str(ColourForm())


def test_real_forms_of_the_site(personas):
    from shuangying.places.filters import PlaceFilter

    html = str(PlaceFilter(user=personas["county"]))
    assert "---------" not in html and ">全部</option>" in html


def test_labels_carry_no_colon():
    assert str(ColourForm()["colour"].label_tag()) == '<label for="id_colour">Colour</label>'

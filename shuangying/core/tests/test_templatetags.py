"""{% load ui %}: links shown only when they would open; counts with separators."""

import pytest
from django.template import Context, Template

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load ui %}" + source).render(Context(context))


def test_can_answers_as_the_page_would(personas, people, county):
    person = people.in_grid1a
    link = "{% if user|can:obj %}yes{% else %}no{% endif %}"
    assert render(link, user=personas["grid1a"], obj=person) == "yes"
    assert render(link, user=personas["grid1b"], obj=person) == "no"  # the page is a 404
    assert render(link, user=personas["dept"], obj=county.grid1a) == "no"
    change = '{% if user|can_do:"change"|of:obj %}yes{% else %}no{% endif %}'
    assert render(change, user=personas["grid1a"], obj=person) == "yes"
    assert render(change, user=personas["auditor"], obj=person) == "no"


def test_counts_have_thousands_separators():
    assert render("{{ n|count }}", n=20017) == "20,017"
    assert render("{{ n|count }}", n=7) == "7"

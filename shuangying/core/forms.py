"""How every form of the site reads, set once through the form renderer (FORM_RENDERER).

Labels carry no trailing colon (they sit above their fields).

An empty choice never reads Django's "---------": a filter says "全部" (no restriction), a
form to fill in says "请选择". Filters are the forms of an app's ``filters.py`` or whose class
name ends in ``Filter``/``FilterForm``; a form may also say ``empty_choice_label = "…"``."""

from django import forms
from django.forms.renderers import DjangoTemplates

DASHES = "---------"
FILTER_EMPTY = "全部"
FORM_EMPTY = "请选择"


def is_filter(form) -> bool:
    cls = type(form)
    return cls.__module__.endswith(".filters") or cls.__name__.endswith(("Filter", "FilterForm"))


def empty_label_for(form) -> str:
    return getattr(form, "empty_choice_label", None) or (
        FILTER_EMPTY if is_filter(form) else FORM_EMPTY
    )


def has_dashes(field) -> bool:
    return isinstance(field, forms.ChoiceField) and any(
        value == "" and label == DASHES for value, label in field.choices
    )


class BoundField(forms.BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Form fields are deep-copied per form instance: relabelling here changes this form only.
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = empty_label_for(form)
        elif has_dashes(field):
            label = empty_label_for(form)
            field.choices = [
                (value, label if value == "" and text == DASHES else text)
                for value, text in field.choices
            ]

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        # Labels sit above their fields: none carries a colon (Django would add ":").
        suffix = "" if label_suffix is None else label_suffix
        return super().label_tag(contents, attrs, label_suffix=suffix, tag=tag)

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        from .lookups import SearchSelect, fits_a_list, label_for

        widget = widget or self.field.widget
        if isinstance(widget, SearchSelect):
            if fits_a_list(self.field):
                # A short list is quicker to pick from than to search.
                widget = forms.Select(attrs=widget.attrs, choices=self.field.choices)
                widget.is_required = self.field.required
            else:
                widget.choice_label = label_for(self.field, widget.key, self.value())
        return super().as_widget(widget, attrs, only_initial)


class Renderer(DjangoTemplates):
    bound_field_class = BoundField

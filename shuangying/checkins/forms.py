"""The public check-in form (C2): plain HTML fields, no script needed."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangying.people.choices import DocumentType

from .choices import Symptom, Travel
from .services import Identity

COMPANION_SLOTS = 3


class SharedFields(dict):
    """A form's ``base_fields`` that every instance shares instead of deep-copying them.

    Django copies a form's fields per instance so that one instance may change its own
    (labels, choices, required); these public forms never do, and the copy (fields, widgets,
    choice lists) was a tenth of a check-in's time under load. Validation and rendering only
    read the fields."""

    def __deepcopy__(self, memo):
        return dict(self)


def share_fields(form_class):
    """Share the fields (above) and clean them straight from the submitted data.

    Django cleans each field through a BoundField made for it (label, id, initial value …),
    which only rendering needs; the scan validates far more often than it renders. The
    shortcut reads each value exactly as the BoundField would (the widget's
    ``value_from_datadict`` under the form's prefix) and so holds only for forms without
    disabled fields, file fields or ``clean_<name>`` methods: checked here, once."""
    for name, field in form_class.base_fields.items():
        if (
            field.disabled
            or isinstance(field, forms.FileField)
            or hasattr(form_class, f"clean_{name}")
        ):
            raise TypeError(f"{form_class.__name__}.{name}: needs Django's own field cleaning")
    form_class.base_fields = SharedFields(form_class.base_fields)
    form_class._clean_fields = _clean_fields_plainly
    return form_class


def _clean_fields_plainly(form) -> None:
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        try:
            form.cleaned_data[name] = field.clean(value)
        except forms.ValidationError as exc:
            form.add_error(name, exc)


@share_fields
class DeclarationForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    temperature = forms.DecimalField(
        label=_("体温（℃，可不填）"),
        required=False,
        min_value=34,
        max_value=43,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    fever = forms.BooleanField(label=_("发热（37.3℃及以上）"), required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("症状"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    travel = forms.ChoiceField(
        label=_("14天内行程"),
        choices=Travel.choices,
        initial=Travel.NONE,
        required=False,
        widget=forms.RadioSelect,
    )
    travel_from = forms.CharField(label=_("从哪里来（可不填）"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Generated when the page is made: resending this form (a double tap, a retry on
            # a bad network) carries the same UUID and is stored once.
            self.initial.setdefault("client_uuid", uuid.uuid4())


@share_fields
class FirstCheckinForm(DeclarationForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("证件号码"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    otp = forms.CharField(
        label=_("短信验证码（收到时填写）"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    field_order = ["name", "document_type", "id_number", "phone", "otp"]

    def clean(self):
        """The identity checked once (document number and phone normalised, the number
        hashed): ``cleaned_data["identity"]``; the service takes it as it is."""
        data = super().clean()
        if not self.errors:
            try:
                data["identity"] = Identity.parse(
                    data["name"], data["id_number"], data["document_type"], data["phone"]
                )
            except forms.ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
        return data


@share_fields
class CompanionForm(forms.Form):
    """A companion without a phone (an elderly person, a child)."""

    name = forms.CharField(label=_("同行人姓名"), max_length=50, required=False)
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("name")) != bool(data.get("id_number")):
            raise forms.ValidationError(_("同行人请同时填写姓名和证件号码"))
        if data.get("name") and not self.errors:
            try:
                data["identity"] = Identity.parse(
                    data["name"], data["id_number"], data["document_type"]
                )
            except forms.ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
        return data

    @property
    def filled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("name"))


def _typed(data, prefix: str) -> bool:
    return data is not None and any(
        (data.get(f"{prefix}-{name}") or "").strip() for name in ("name", "id_number")
    )


def companion_forms(data=None) -> list[CompanionForm]:
    """The companion slots to show; only those with a name or number typed in are bound."""
    return [
        CompanionForm(data if _typed(data, f"c{i}") else None, prefix=f"c{i}")
        for i in range(COMPANION_SLOTS)
    ]


def typed_companions(data) -> list[CompanionForm]:
    """The slots with a name or number typed in, bound, to validate: an empty slot is
    nothing to check, and most check-ins have no companion."""
    return [
        CompanionForm(data, prefix=f"c{i}") for i in range(COMPANION_SLOTS) if _typed(data, f"c{i}")
    ]

"""The line tables of supplies documents as Django formsets.

A document with items (purchase, donation, transfer, dispatch order) is typed as rows of
物资, 数量, 单位 and, where the document has one, a price or value; a delivery is accepted
row by row (到货, 合格, 拒收原因). Every error names its row ("第2行 数量:应为数字"), as the
services do. Row widgets carry ids ``item-1``, ``quantity-1`` …, so that a row's label and
its tests find it by number; the empty form (``__prefix__``/``__num__``) is the template the
"添加一行" button (``static/supplies/lines.js``) copies."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .models import Item
from .services import Acceptance, Line, decimal_of

LINE_ROWS = 3
MAX_ROWS = 200
EMPTY_NUM = "__num__"


def row_number(prefix: str) -> str:
    """``lines-0`` → "1"; the empty form's ``lines-__prefix__`` → ``__num__``."""
    index = prefix.rsplit("-", 1)[-1]
    return str(int(index) + 1) if index.isdigit() else EMPTY_NUM


class RowForm(forms.Form):
    """A row whose widgets are named ``<field>-<row>`` for its label and its tests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row_number(self.prefix or "")
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"{name}-{self.row}"
            field.widget.attrs["aria-label"] = f"第{self.row}行{field.label}"

    def row_error(self, field: str, exc: ValidationError) -> None:
        self.add_error(field, exc.messages)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.unit}）"


class LineForm(RowForm):
    item = ItemChoiceField(
        label=_("物资"),
        queryset=Item.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    quantity = forms.CharField(
        label=_("数量"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit = forms.CharField(label=_("单位"), max_length=8, required=False)
    price = forms.CharField(
        label=_("单价"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, price_label: str | None = None, item_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item_choices is not None:
            # The catalogue read once for all rows, not once per row's select.
            self.fields["item"].widget.choices = item_choices
        if price_label is None:
            del self.fields["price"]
        else:
            self.fields["price"].label = price_label
            self.fields["price"].widget.attrs["aria-label"] = f"第{self.row}行{price_label}"

    def clean(self):
        data = super().clean()
        item, quantity = data.get("item"), (data.get("quantity") or "").strip()
        if "item" in self.errors:
            return data
        if item is None:
            self.add_error("item", f"第{self.row}行 物资：请选择物资")
            return data
        try:
            data["quantity"] = decimal_of(quantity, label="数量", row=int(self.row))
        except ValidationError as exc:
            self.row_error("quantity", exc)
        if "price" in self.fields:
            try:
                data["price"] = decimal_of(
                    (data.get("price") or "").strip() or "0",
                    label=self.fields["price"].label,
                    row=int(self.row),
                    positive=False,
                )
            except ValidationError as exc:
                self.row_error("price", exc)
        return data

    def line(self) -> Line:
        d = self.cleaned_data
        return Line(
            item=d["item"],
            quantity=d["quantity"],
            unit=d.get("unit", "").strip(),
            price=d.get("price"),
            row=int(self.row),
        )


class BaseLineFormSet(forms.BaseFormSet):
    """Rows left empty are skipped; at least one filled row is needed."""

    def __init__(self, *args, price_label: str | None = None, **kwargs):
        self.price_label = price_label
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "price_label": self.price_label,
            "item_choices": self.item_choices,
        }

    @cached_property
    def item_choices(self) -> list[tuple]:
        field = LineForm.base_fields["item"]
        return [
            ("", field.empty_label),
            *((i.pk, field.label_from_instance(i)) for i in field.queryset.all()),
        ]

    def filled(self) -> list[LineForm]:
        return [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled():
            raise ValidationError("明细：至少填写一行物资")

    def lines(self) -> list[Line]:
        return [form.line() for form in self.filled()]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=LINE_ROWS,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


class AcceptanceForm(RowForm):
    """One purchase line at joint acceptance: what arrived, what passed, why the rest did not.
    The line itself is the form's ``line`` (not posted back)."""

    delivered = forms.CharField(
        label=_("到货数量"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    accepted = forms.CharField(
        label=_("合格数量"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    reason = forms.CharField(label=_("拒收原因"), max_length=200, required=False)

    LABELS = {"delivered": "到货数量", "accepted": "验收合格数量"}

    def __init__(self, *args, line=None, **kwargs):
        self.line = line
        super().__init__(*args, **kwargs)
        for field, label in self.LABELS.items():
            if field in self.fields:
                self.fields[field].error_messages["required"] = f"第{self.row}行 {label}：必填"

    def clean(self):
        data = super().clean()
        for field, label in self.LABELS.items():
            if field not in data:
                continue
            try:
                data[field] = decimal_of(
                    data[field], label=label, row=int(self.row), positive=False
                )
            except ValidationError as exc:
                self.row_error(field, exc)
        return data

    def acceptance(self) -> Acceptance:
        d = self.cleaned_data
        return Acceptance(
            line_id=self.line.pk,
            delivered=d["delivered"],
            accepted=d["accepted"],
            rejection_reason=d.get("reason", ""),
        )


class DonationAcceptanceForm(AcceptanceForm):
    """A donated line: what passed of what the donor declared (nothing is "ordered")."""

    delivered = None


class BaseAcceptanceFormSet(forms.BaseFormSet):
    """One form per line of the document, in the lines' order; the number of forms is the
    number of lines, whatever is posted. Each field starts at the line's full quantity."""

    def __init__(self, *args, lines, **kwargs):
        self.lines = list(lines)
        fields = [f for f in ("delivered", "accepted") if f in self.form.base_fields]
        kwargs.setdefault(
            "initial", [{f: _plain(line.quantity) for f in fields} for line in self.lines]
        )
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        return len(self.lines)

    def initial_form_count(self):
        return len(self.lines)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "line": self.lines[index]}

    def acceptances(self) -> list[Acceptance]:
        return [form.acceptance() for form in self.forms]

    def accepted(self) -> dict[int, object]:
        """Line id → accepted quantity (donations)."""
        return {form.line.pk: form.cleaned_data["accepted"] for form in self.forms}

    def reasons(self) -> dict[int, str]:
        return {form.line.pk: form.cleaned_data.get("reason", "") for form in self.forms}


def _plain(value) -> str:
    return format(value.normalize(), "f")


AcceptanceFormSet = forms.formset_factory(
    AcceptanceForm, formset=BaseAcceptanceFormSet, extra=0, max_num=MAX_ROWS
)
DonationAcceptanceFormSet = forms.formset_factory(
    DonationAcceptanceForm, formset=BaseAcceptanceFormSet, extra=0, max_num=MAX_ROWS
)

"""What the supplies pages share: a one-form page whose POST is one service call, the same
with a line table (a formset), a one-click action on one object, and the Excel answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from shuangying.access import get_restricted_or_404
from shuangying.audit.exports import ledger_response
from shuangying.pages import apply_errors

from .. import services
from ..lines import LineFormSet


def refusal_messages(request, exc: ValidationError) -> None:
    """A service's refusal of a one-click action, shown as messages above the page."""
    for error in exc.messages:
        messages.error(request, error)


def xlsx(request, *, title, columns, rows, object_type, filters=None):
    return ledger_response(
        request.user,
        title=title,
        columns=columns,
        rows=rows,
        object_type=object_type,
        filters=filters,
    )


class FormView(PermissionRequiredMixin, View):
    """A one-form page whose POST is one service call (``save``); the service's refusal is put
    on the form beside the field it names."""

    template_name = "supplies/form.html"
    form_class = None
    title = ""
    back = ""

    def form(self, data=None):
        return self.form_class(data, user=self.request.user)

    def context(self, form, **extra):
        return {"form": form, "title": self.title, "back": self.back, **extra}

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, self.context(self.form()))

    def valid(self, form) -> bool:
        return form.is_valid()

    def call(self, form):
        return self.save(form.cleaned_data)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if self.valid(form):
            try:
                return self.call(form)
            except ValidationError as exc:
                apply_errors(form, exc)
        return render(request, self.template_name, self.context(form), status=400)


class LinesFormView(FormView):
    """A document with item rows (purchase, donation, transfer, dispatch order): the head is a
    form, the rows a formset; ``save(data, lines)`` is the one service call."""

    template_name = "supplies/lines_form.html"
    price_label: str | None = None

    def get(self, request, *args, **kwargs):
        self.lines = LineFormSet(prefix="lines", price_label=self.price_label)
        return super().get(request)

    def post(self, request, *args, **kwargs):
        self.lines = LineFormSet(request.POST, prefix="lines", price_label=self.price_label)
        return super().post(request)

    def context(self, form, **extra):
        return super().context(form, lines=self.lines, price_label=self.price_label, **extra)

    def valid(self, form) -> bool:
        return all([form.is_valid(), self.lines.is_valid()])

    def call(self, form):
        return self.save(form.cleaned_data, self.lines.lines())


class ObjectActionView(PermissionRequiredMixin, View):
    """POST one action on one object in the user's jurisdiction: the service is called with
    the object and one typed-in field; its refusal is shown as messages, nothing changed."""

    model: type
    action = "change"
    service: str  # name in supplies.services
    object_arg: str  # the service's keyword for the object
    field: str  # the POST field passed on under the same keyword
    done_message: str
    done_level = messages.SUCCESS

    def post(self, request, pk):
        obj = get_restricted_or_404(self.model, request.user, self.action, pk=pk)
        try:
            getattr(services, self.service)(
                actor=request.user,
                **{self.object_arg: obj, self.field: request.POST.get(self.field, "")},
            )
        except ValidationError as exc:
            refusal_messages(request, exc)
        else:
            messages.add_message(request, self.done_level, self.done_message)
        return redirect(obj)

"""The catalogue, stores and recipients (H1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404

from .. import forms as f
from .. import services
from ..models import Item
from .base import FormView
from .stock import store_locations


class ItemListView(PermissionRequiredMixin, TemplateView):
    permission_required = "supplies.view_item"
    template_name = "supplies/item_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = Item.objects.select_related("category").prefetch_related("conversions")
        ctx["locations"] = store_locations(self.request.user)
        return ctx


class ItemCreateView(FormView):
    permission_required = "supplies.add_item"
    form_class = f.ItemForm
    title = "新增物资"
    back = "supplies:item_list"

    def item(self) -> Item | None:
        return None

    def initial(self, item: Item | None) -> dict | None:
        return None

    def form(self, data=None):
        self.object = self.item()
        return self.form_class(data, initial=self.initial(self.object))

    def save(self, d):
        services.save_item(actor=self.request.user, item=self.object, **d)
        messages.success(self.request, f"已保存物资 {d['name']}")
        return redirect("supplies:item_list")


class ItemUpdateView(ItemCreateView):
    permission_required = "supplies.change_item"
    title = "修改物资"

    def item(self) -> Item:
        return get_restricted_or_404(Item, self.request.user, "change", pk=self.kwargs["pk"])

    def initial(self, item: Item) -> dict:
        return {
            "category": item.category_id,
            "name": item.name,
            "unit": item.unit,
            "specification": item.specification,
            "min_stock": item.min_stock,
            "daily_consumption": item.daily_consumption,
            "conversions": "\n".join(
                f"{c.unit}={c.factor.normalize():f}" for c in item.conversions.all()
            ),
        }


class LocationCreateView(FormView):
    permission_required = "supplies.add_location"
    form_class = f.LocationForm
    title = "新增库点"
    back = "supplies:item_list"

    def save(self, d):
        services.create_location(actor=self.request.user, **d)
        messages.success(self.request, f"已新增库点 {d['name']}")
        return redirect("supplies:item_list")


class RecipientCreateView(FormView):
    permission_required = "supplies.add_recipient"
    form_class = f.RecipientForm
    title = "新增领用单位"
    back = "supplies:dispatch_list"

    def save(self, d):
        services.create_recipient(actor=self.request.user, **d)
        messages.success(self.request, f"已新增领用单位 {d['name']}")
        return redirect("supplies:dispatch_list")

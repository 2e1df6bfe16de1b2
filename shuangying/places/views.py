from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404

from .models import Place


class PlaceListView(PermissionRequiredMixin, TemplateView):
    permission_required = "places.view_place"
    template_name = "places/place_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["places"] = Place.objects.restrict(self.request.user).select_related("division")[:200]
        return ctx


class PlaceDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "places.view_place"
    template_name = "places/place_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["place"] = get_restricted_or_404(Place, self.request.user, pk=kwargs["pk"])
        return ctx

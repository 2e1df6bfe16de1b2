from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .registry import panels_for


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page: each module's figures of this user's own work."""

    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["panels"] = panels_for(self.request.user)
        return ctx

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views.generic import TemplateView

from shuangying.people.models import Household, Person


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page: the user's jurisdiction at a glance."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        persons = Person.objects.restrict(user)
        ctx["person_count"] = persons.count()
        ctx["household_count"] = Household.objects.restrict(user).count()
        ctx["unverified_count"] = persons.filter(is_verified=False).count()
        ctx["my_divisions"] = user.divisions.order_by("path")
        if user.has_perm("supplies.view_stockbalance"):
            # Emergency supplies at a glance (H7): what the stores hold and what runs low.
            from shuangying.supplies.models import Location
            from shuangying.supplies.reports import current_stock

            stock = current_stock(locations=Location.objects.restrict(user))
            ctx["supplies_value"] = sum(row.value for row in stock)
            ctx["supplies_low"] = [row for row in stock if row.low]
        return ctx


def healthz(request):
    return JsonResponse({"status": "ok"})

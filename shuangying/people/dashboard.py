"""Home-page panel: persons and households in the user's jurisdiction (B1, B2)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangying.core.panels import Figure, Panel

from .models import Household, Person


def panel(user) -> Panel | None:
    if not user.has_perm("people.view_person"):
        return None
    persons = Person.objects.restrict(user)
    figures = [Figure(_("辖区人员"), persons.count(), reverse("people:person_list"))]
    if user.has_perm("people.view_household"):
        # Lab staff look persons up to sample them, but keep no households.
        households = Household.objects.restrict(user).count()
        figures.append(Figure(_("户"), households, reverse("people:household_list")))
    figures.append(Figure(_("待核实人员"), persons.filter(is_verified=False).count()))
    links = []
    if user.has_perm("people.add_person"):
        links.append((_("登记人员"), reverse("people:person_create")))
    return Panel(_("人员台账"), figures, links, order=10, testid="people-panel")

from django.db.models import Q

from shuangying.access import RestrictedQuerySet


class PersonScopedQuerySet(RestrictedQuerySet):
    """Rows about a person live where the person lives (A4)."""

    division_path_field = "person__division__path"


class RuleSetQuerySet(RestrictedQuerySet):
    """Rule sets are county-wide: visible to every holder of the permission."""

    def jurisdiction_q(self, user) -> Q:
        return Q()

    def effective_on(self, day):
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-version")


class RiskAreaQuerySet(RestrictedQuerySet):
    """Risk areas are published lists about other places: not scoped by jurisdiction."""

    def jurisdiction_q(self, user) -> Q:
        return Q()

    def active_on(self, day):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

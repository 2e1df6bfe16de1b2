from django.db.models import Count, Q

from shuangying.access import RestrictedQuerySet, widen


class PersonQuerySet(RestrictedQuerySet):
    def jurisdiction_q(self, user) -> Q:
        q = super().jurisdiction_q(user)
        # Departments see their own staff (B6) wherever those live.
        if user.department_id and user.has_perm("people.view_staffsurvey"):
            q = widen(q, Q(workplace_department_id=user.department_id))
        return q


class HouseholdQuerySet(RestrictedQuerySet):
    pass


class StaffSurveyQuerySet(RestrictedQuerySet):
    division_path_field = "person__division__path"

    def jurisdiction_q(self, user) -> Q:
        if user.department_id:
            return Q(department_id=user.department_id)
        return super().jurisdiction_q(user)


def _per_subtree(queryset, divisions, parent) -> dict[int, int]:
    """Rows per division subtree in one grouped query: counted by division, rolled up by path."""
    if parent is not None:
        queryset = queryset.within(parent)
    per_path = dict(queryset.values_list("division__path").annotate(n=Count("id")).order_by())
    return {
        d.pk: sum(n for path, n in per_path.items() if path.startswith(d.path)) for d in divisions
    }


def persons_per_subtree(user, divisions, *, parent=None) -> dict[int, int]:
    """The persons ``user`` may see in each division's subtree (the division pages' counts)."""
    from .models import Person

    return _per_subtree(Person.objects.restrict(user), divisions, parent)


def households_per_subtree(user, divisions, *, parent=None) -> dict[int, int]:
    from .models import Household

    return _per_subtree(Household.objects.restrict(user), divisions, parent)

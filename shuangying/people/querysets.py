from django.db.models import Q

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

from django.db.models import Q

from shuangying.access import RestrictedQuerySet, widen


class RuleQuerySet(RestrictedQuerySet):
    pass


class PassQuerySet(RestrictedQuerySet):
    def jurisdiction_q(self, user) -> Q:
        # An applicant (an enterprise's contact, no division) sees the passes issued to it.
        from .models import PassApplication

        issued = PassApplication.objects.filter(created_by=user.pk, pass_obj__isnull=False)
        return widen(super().jurisdiction_q(user), Q(pk__in=issued.values("pass_obj")))


class PassCheckQuerySet(RestrictedQuerySet):
    # A check belongs where it happened: the gate's division.
    division_path_field = "place__division__path"


class ApplicationQuerySet(RestrictedQuerySet):
    """Applications live where the vehicle is based; the applicant sees their own."""

    def jurisdiction_q(self, user) -> Q:
        return widen(super().jurisdiction_q(user), Q(created_by=user.pk))

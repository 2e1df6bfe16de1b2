"""Reads of cases and hospitals, scoped by jurisdiction in one place (A4).

A case lives where its person lived when it was opened (``division``); hospitals and wards
where the hospital stands; the rosters are the county's (every holder of the codename)."""

from __future__ import annotations

from django.db.models import Q

from shuangying.access import WHOLE_TREE, RestrictedQuerySet


class CaseQuerySet(RestrictedQuerySet):
    pass


class ReclassificationQuerySet(RestrictedQuerySet):
    division_path_field = "case__division__path"


class HospitalQuerySet(RestrictedQuerySet):
    pass


class WardQuerySet(RestrictedQuerySet):
    division_path_field = "hospital__division__path"


class AdmissionQuerySet(RestrictedQuerySet):
    division_path_fields = ("case__division__path", "ward__hospital__division__path")


class RosterQuerySet(RestrictedQuerySet):
    """The county's teams: no jurisdiction beyond the role."""

    def jurisdiction_q(self, user) -> Q:
        return WHOLE_TREE

"""Reads of labs and samples, scoped by jurisdiction in one place (A4).

Labs and sampling points are the county's (every holder of the codename sees them); a sample
lives where its person lives (``division``), so a township sees its own people's samples."""

from __future__ import annotations

from django.db.models import Q

from shuangying.access import WHOLE_TREE, RestrictedQuerySet


class CountyQuerySet(RestrictedQuerySet):
    def jurisdiction_q(self, user) -> Q:
        return WHOLE_TREE


class SampleQuerySet(RestrictedQuerySet):
    def resample_list(self):
        return self.filter(needs_resample=True)


class PoolQuerySet(CountyQuerySet):
    pass

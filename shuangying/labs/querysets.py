"""Reads of labs and samples, scoped by jurisdiction in one place (A4).

Labs and sampling points are the county's (every holder of the codename sees them); a sample
lives where its person lives (``division``), so a township sees its own people's samples."""

from __future__ import annotations

from django.db.models import Q

from shuangying.access import WHOLE_TREE, RestrictedQuerySet, division_q, narrowed


class CountyQuerySet(RestrictedQuerySet):
    def jurisdiction_q(self, user) -> Q:
        return WHOLE_TREE


class LabQuerySet(CountyQuerySet):
    def result_reach(self, user) -> set[int] | None:
        """The labs whose samples and tubes ``user`` may record results for; ``None`` for the
        whole county. A lab's own staff reach their labs only; a user of the whole county
        (the CDC) reaches every lab; anyone else the labs in their divisions."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        own = set(self.filter(staff=user).values_list("pk", flat=True))
        if own:
            return own
        paths = user.division_paths()
        if paths is None or user.holds_every_root():
            return None
        return set(
            narrowed(self, division_q(paths, field="division__path")).values_list("pk", flat=True)
        )


class SampleQuerySet(RestrictedQuerySet):
    def resample_list(self):
        return self.filter(needs_resample=True)


class PoolQuerySet(CountyQuerySet):
    pass

"""Reads of quarantine, scoped by jurisdiction in one place (A4).

An order lives where its person lives (``division``, copied when ordered); a site, its rooms
and its stays where the site stands, and a stay is also visible from its order's division."""

from __future__ import annotations

from shuangying.access import RestrictedQuerySet


class OrderQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(state="active")


class OrderChangeQuerySet(RestrictedQuerySet):
    division_path_field = "order__division__path"


class SiteQuerySet(RestrictedQuerySet):
    pass


class RoomQuerySet(RestrictedQuerySet):
    division_path_field = "site__division__path"


class StayQuerySet(RestrictedQuerySet):
    division_path_fields = ("order__division__path", "room__site__division__path")

    def open(self):
        return self.filter(to_at__isnull=True)


class DailyReportQuerySet(RestrictedQuerySet):
    division_path_field = "order__division__path"

"""Jurisdiction in one place (A4).

Every list, search, count and export goes through ``Model.objects.restrict(user, action)``;
fetching one object goes through ``get_restricted_or_404``. Outside the user's jurisdiction an
object does not exist (404); visible but not changeable is 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

# The whole tree (a user who holds every root): a tautology rather than an empty Q, so that a
# subclass can OR its own conditions onto a narrower one, and recognised by ``narrowed`` and
# ``widen``, so that the database is not asked a condition at all. (Even ``id IS NOT NULL``
# kept PostgreSQL 15 from counting a township's persons on an index alone: 55 ms -> 540 ms.)
WHOLE_TREE = Q(pk__isnull=False)


def widen(q: Q, extra: Q) -> Q:
    """``q | extra``, except that the whole tree stays the whole tree."""
    return q if q == WHOLE_TREE else q | extra


def narrowed(queryset, q: Q):
    """``queryset.filter(q)``, without a condition for the whole tree."""
    return queryset.all() if q == WHOLE_TREE else queryset.filter(q)


def division_q(paths: list[str], *, field: str) -> Q:
    """Q matching rows whose division path (``field``) lies under any of ``paths``."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


class RestrictedQuerySet(models.QuerySet):
    """Base for querysets of objects that live in a division. Subclasses name the path to the
    division's ``path`` column in ``division_path_field`` and may widen ``jurisdiction_q``."""

    division_path_field = "division__path"

    def jurisdiction_q(self, user) -> Q:
        paths = user.division_paths()
        if paths is None or user.holds_every_root():
            # The whole tree: no path test, so the database is not asked to join and compare
            # a million paths to learn that they all match.
            return WHOLE_TREE
        return division_q(paths, field=self.division_path_field)

    def restrict(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        opts = self.model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        return narrowed(self, self.jurisdiction_q(user))


def get_restricted_or_404(queryset, user, action: str = "view", **lookup):
    """One object within the user's jurisdiction: 404 when not visible, 403 when visible but
    ``action`` is not allowed on it."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset.objects.all()
    try:
        obj = queryset.restrict(user, "view").get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and not queryset.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj

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
# ``widen``, so that the database is not asked a condition at all: even ``id IS NOT NULL``
# keeps PostgreSQL from counting a township's persons on an index alone.
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
    """Base for querysets of objects that live in a division.

    Subclasses name the path(s) to a division's ``path`` column: ``division_path_field`` for
    one, ``division_path_fields`` for an object that is visible from either end (a transfer
    from one store to another), and ``department_field`` when a department's staff also see
    the rows addressed to their department. ``jurisdiction_q`` may be widened further."""

    division_path_field = "division__path"
    division_path_fields: tuple[str, ...] = ()
    department_field: str | None = None

    def path_fields(self) -> tuple[str, ...]:
        return self.division_path_fields or (self.division_path_field,)

    def jurisdiction_q(self, user) -> Q:
        paths = user.division_paths()
        if paths is None or user.holds_every_root():
            # The whole tree: no path test, so the database is not asked to join and compare
            # a million paths to learn that they all match.
            return WHOLE_TREE
        q = Q(pk__in=[])
        for field in self.path_fields():
            q |= division_q(paths, field=field)
        if self.department_field and getattr(user, "department_id", None):
            q |= Q(**{self.department_field: user.department_id})
        return q

    def within(self, division):
        """Rows in ``division``'s subtree (through the first path field): a filter a user
        chooses, applied on top of ``restrict``."""
        return self.filter(**{f"{self.path_fields()[0]}__startswith": division.path})

    def restrict(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        opts = self.model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        return narrowed(self, self.jurisdiction_q(user))


def can(user, obj, action: str = "view") -> bool:
    """May ``user`` do ``action`` on ``obj``? The one answer for both showing a link or button
    and letting its page open: the role's codename and the object's place in the user's
    jurisdiction, decided by the object's own restricted queryset."""
    if obj is None or obj.pk is None:
        return False
    manager = type(obj)._default_manager
    if not hasattr(manager, "restrict"):
        opts = obj._meta
        return bool(
            getattr(user, "is_authenticated", False)
            and user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        )
    return manager.restrict(user, action).filter(pk=obj.pk).exists()


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

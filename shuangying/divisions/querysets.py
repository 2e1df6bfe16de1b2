from django.db.models import Q

from shuangying.access import WHOLE_TREE, RestrictedQuerySet, narrowed


def ancestors_q(paths: list[str]) -> Q:
    """The divisions on the way up from each of ``paths`` (not the paths themselves)."""
    above = set()
    for path in paths:
        parts = path.strip("/").split("/")
        above.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return Q(path__in=sorted(above)) if above else Q(pk__in=[])


class DivisionQuerySet(RestrictedQuerySet):
    """Jurisdiction as for every object that lives in a division, the division's own path
    being the path: a user's divisions and their subtrees. Seeing (``view``) also reaches the
    ancestors on the way up, so that breadcrumbs and pickers can name them; a division page,
    a write or a count is for the user's own subtrees only (``in_jurisdiction``)."""

    division_path_field = "path"

    def subtree(self, division, *, include_self: bool = True):
        """Every division under ``division``: one indexed prefix query on the path."""
        qs = self.within(division)
        return qs if include_self else qs.exclude(pk=division.pk)

    def restrict(self, user, action: str = "view"):
        qs = super().restrict(user, action)
        if action != "view" or qs.query.is_empty():
            return qs
        q = self.jurisdiction_q(user)
        if q == WHOLE_TREE:
            return qs
        return self.filter(q | ancestors_q(user.division_paths() or []))

    def in_jurisdiction(self, user):
        """The user's own subtrees, without the ancestors that ``restrict`` adds for
        orientation (no role check: ``restrict`` or the page does that)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return narrowed(self, self.jurisdiction_q(user))

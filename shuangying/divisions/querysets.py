from django.db import models
from django.db.models import Q


class DivisionQuerySet(models.QuerySet):
    def subtree(self, division, *, include_self: bool = True):
        """Every division under ``division``: one indexed prefix query on the path."""
        qs = self.filter(path__startswith=division.path)
        return qs if include_self else qs.exclude(pk=division.pk)

    def restrict(self, user, action: str = "view"):
        from shuangying.access import division_q

        if not user.has_perm(f"divisions.{action}_division"):
            return self.none()
        # A user sees their divisions' subtrees and the ancestors on the way up (for breadcrumbs).
        paths = user.division_paths()
        if paths is None:
            return self
        if action != "view":
            return self.filter(division_q(paths, field="path"))
        ancestors = Q()
        for path in paths:
            parts = path.strip("/").split("/")
            ancestors |= Q(path__in=["/".join(parts[:i]) + "/" for i in range(1, len(parts))])
        return self.filter(division_q(paths, field="path") | ancestors)

from shuangying.access import RestrictedQuerySet


class PlaceQuerySet(RestrictedQuerySet):
    def checkpoints(self):
        from .choices import CHECKPOINT_TYPES

        return self.filter(type__in=CHECKPOINT_TYPES)

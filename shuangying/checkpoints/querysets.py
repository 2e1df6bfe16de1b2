from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from shuangying.access import RestrictedQuerySet, narrowed

from .choices import Outcome


class CheckpointRecordQuerySet(RestrictedQuerySet):
    """Records are seen by whoever's jurisdiction covers the checkpoint's division."""

    division_path_field = "checkpoint__division__path"

    def fevers(self):
        return self.filter(is_fever=True)

    def counters(self):
        """The daily counters (C3) of the rows in ``self`` as aggregate expressions: persons
        checked (a vehicle counts its passengers, at least one), vehicles checked, fevers
        found, turned back."""
        return {
            "persons": Coalesce(
                Sum(
                    Case(
                        When(is_vehicle=True, then=Coalesce("passenger_count", Value(1))),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                ),
                Value(0),
            ),
            "vehicles": Count("pk", filter=Q(is_vehicle=True)),
            "fevers": Count("pk", filter=Q(is_fever=True)),
            "turned_back": Count("pk", filter=Q(outcome=Outcome.TURNED_BACK)),
        }

    def daily_counters(self):
        """One row per (day, checkpoint), newest day first; days in the county's time zone."""
        return (
            self.annotate(day=TruncDate("checked_at"))
            .values("day", "checkpoint_id", "checkpoint__name", "checkpoint__division__name")
            .annotate(**self.counters())
            .order_by("-day", "checkpoint__division__path", "checkpoint__name")
        )

    def totals(self) -> dict:
        return self.aggregate(**self.counters())


class CheckpointDayQuerySet(RestrictedQuerySet):
    """Daily counters: visible to whoever may see the checkpoint's records."""

    division_path_field = "checkpoint__division__path"

    def restrict(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not user.has_perm(f"checkpoints.{action}_checkpointrecord"):
            return self.none()
        return narrowed(self, self.jurisdiction_q(user))

    def between(self, start=None, end=None):
        if start is not None:
            self = self.filter(day__gte=start)
        if end is not None:
            self = self.filter(day__lte=end)
        return self

    def rows(self):
        return self.select_related("checkpoint__division").order_by(
            "-day", "checkpoint__division__path", "checkpoint__name"
        )

    def totals(self) -> dict:
        from django.db.models import Sum

        fields = ("persons", "vehicles", "fevers", "turned_back")
        sums = self.aggregate(**{f: Coalesce(Sum(f), Value(0)) for f in fields})
        return {f: sums[f] for f in fields}


def local_day_range(qs, start=None, end=None):
    """Rows checked on days ``start``..``end`` (inclusive) in the county's time zone."""
    import datetime as dt

    from django.utils import timezone

    if start is not None:
        qs = qs.filter(checked_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time())))
    if end is not None:
        after = end + dt.timedelta(days=1)
        qs = qs.filter(checked_at__lt=timezone.make_aware(dt.datetime.combine(after, dt.time())))
    return qs

"""Reads of the trajectories (C5): a person's check-ins and checkpoint passages in time
order, and a place's visitors (a checkpoint's passages included) over a time window.

Each read is one ordered query: a UNION ALL of the two tables' rows in one column shape,
ordered by time, so that a page is a LIMIT/OFFSET on the database and the export streams
it; neither list is loaded into Python to be sorted. Each side is narrowed on its own
(person, time) or (place, time) index: check-ins on checkin_person_time / checkin_place_time,
passages on cpr_person_time / cpr_checkpoint_time. Rows are dicts, wrapped as
``TrajectoryRow`` / ``VisitorRow`` for the pages.

Access is decided before: the caller fetched the person or place through
``get_restricted_or_404`` (not visible → 404), and only masked values are selected.
Passages join when the caller may see checkpoint records (``passages_for``): the role table
decides, as for the checkpoint pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import BooleanField, CharField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangying.access import get_restricted_or_404
from shuangying.checkpoints.choices import Direction, Outcome
from shuangying.checkpoints.models import CheckpointRecord
from shuangying.people.models import Person
from shuangying.places.choices import CHECKPOINT_TYPES
from shuangying.places.models import Place

from .choices import Symptom, TrajectoryKind, Travel
from .models import CheckIn

MAX_WINDOW_DAYS = 92
ORDER = ("at", "kind", "id")


def passages_for(user) -> bool:
    """Whether ``user``'s trajectories and visitor lists include checkpoint passages."""
    return user.has_perm("checkpoints.view_checkpointrecord")


def _blank() -> Value:
    return Value("", output_field=CharField())


def _no() -> Value:
    return Value(False, output_field=BooleanField())


def _checkins(**narrow):
    return CheckIn.objects.filter(**narrow).order_by()


def _passages(start, end, **narrow):
    qs = CheckpointRecord.objects.filter(**narrow).order_by()
    if start is not None:
        qs = qs.filter(checked_at__gte=start)
    if end is not None:
        qs = qs.filter(checked_at__lt=end)
    return qs


def _combine(checkins, passages):
    if passages is None:
        return checkins.order_by(*ORDER)
    return checkins.union(passages, all=True).order_by(*ORDER)


# The columns of a trajectory row, in the order both sides select them.
TRAJECTORY_FIELDS = (
    "kind",
    "id",
    "at",
    "place_id",
    "place_name",
    "place_address",
    "division_name",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "direction",
    "outcome",
    "is_vehicle",
    "plate",
)


def person_trajectory(
    person, start: datetime | None = None, end: datetime | None = None, *, passages=True
):
    """The person's check-ins and (with ``passages``) checkpoint passages in ``[start, end)``,
    oldest first, as dicts with ``TRAJECTORY_FIELDS``."""
    checkins = (
        _checkins(person_id=person.pk)
        .between(start, end)
        .annotate(
            kind=Value(TrajectoryKind.CHECKIN.value, output_field=CharField()),
            at=F("checked_in_at"),
            place_name=F("place__name"),
            place_address=F("place__address"),
            division_name=F("place__division__name"),
            direction=_blank(),
            outcome=_blank(),
            is_vehicle=_no(),
            plate=_blank(),
        )
        .values(*TRAJECTORY_FIELDS)
    )
    records = None
    if passages:
        records = (
            _passages(start, end, person_id=person.pk)
            .annotate(
                kind=Value(TrajectoryKind.CHECKPOINT.value, output_field=CharField()),
                at=F("checked_at"),
                place_id=F("checkpoint_id"),
                place_name=F("checkpoint__name"),
                place_address=F("checkpoint__address"),
                division_name=F("checkpoint__division__name"),
                has_fever=F("is_fever"),
                symptoms=_blank(),
                travel=_blank(),
            )
            .values(*TRAJECTORY_FIELDS)
        )
    return _combine(checkins, records)


VISITOR_FIELDS = (
    "kind",
    "id",
    "at",
    "person_id",
    "person_name",
    "id_number_masked",
    "phone_masked",
    "is_verified",
    "temperature",
    "has_fever",
    "symptoms",
    "travel",
    "direction",
    "outcome",
    "is_vehicle",
    "plate",
)


def place_visitors(
    place, start: datetime | None = None, end: datetime | None = None, *, passages=True
):
    """Who checked in at ``place`` in ``[start, end)`` and, when it is a checkpoint (and with
    ``passages``), who passed it, oldest first, as dicts with ``VISITOR_FIELDS``. A passage
    whose document is not in the registry has no person: the masked number recorded at the
    checkpoint stands in."""
    checkins = (
        _checkins(place_id=place.pk)
        .between(start, end)
        .annotate(
            kind=Value(TrajectoryKind.CHECKIN.value, output_field=CharField()),
            at=F("checked_in_at"),
            person_name=F("person__name"),
            id_number_masked=F("person__id_number_masked"),
            phone_masked=F("person__phone_masked"),
            is_verified=F("person__is_verified"),
            direction=_blank(),
            outcome=_blank(),
            is_vehicle=_no(),
            plate=_blank(),
        )
        .values(*VISITOR_FIELDS)
    )
    records = None
    if passages and place.type in CHECKPOINT_TYPES:
        records = (
            _passages(start, end, checkpoint_id=place.pk)
            .annotate(
                kind=Value(TrajectoryKind.CHECKPOINT.value, output_field=CharField()),
                at=F("checked_at"),
                person_name=Coalesce(F("person__name"), _blank()),
                id_number_masked=Coalesce(F("person__id_number_masked"), F("document_masked")),
                phone_masked=Coalesce(F("person__phone_masked"), _blank()),
                is_verified=Coalesce(F("person__is_verified"), _no()),
                has_fever=F("is_fever"),
                symptoms=_blank(),
                travel=_blank(),
            )
            .values(*VISITOR_FIELDS)
        )
    return _combine(checkins, records)


@dataclass(frozen=True)
class Read:
    """What the trajectory page, its export and the API read alike: the subject (fetched
    within the user's jurisdiction: outside it, 404), the ordered rows (dicts, a queryset to
    page or stream) and whether checkpoint passages are among them."""

    subject: Person | Place
    rows: object
    passages: bool

    def detail(self, start: datetime, end: datetime) -> dict:
        return {"start": start.isoformat(), "end": end.isoformat(), "passages": self.passages}


def read_trajectory(user, person_id: int, start: datetime, end: datetime) -> Read:
    """A person's trajectory (C5) as ``user`` may see it."""
    person = get_restricted_or_404(Person, user, pk=person_id)
    passages = passages_for(user)
    return Read(person, person_trajectory(person, start, end, passages=passages), passages)


def read_visitors(user, place_id: int, start: datetime, end: datetime) -> Read:
    """A place's visitors (C5) as ``user`` may see them."""
    place = get_restricted_or_404(Place, user, pk=place_id)
    passages = passages_for(user)
    return Read(place, place_visitors(place, start, end, passages=passages), passages)


_KINDS = dict(TrajectoryKind.choices)
_SYMPTOMS = dict(Symptom.choices)
_TRAVEL = dict(Travel.choices)
_DIRECTIONS = dict(Direction.choices)
_OUTCOMES = dict(Outcome.choices)


@dataclass(frozen=True)
class _Row:
    kind: str
    id: int
    at: datetime
    temperature: Decimal | None
    has_fever: bool
    symptoms: str
    travel: str
    direction: str
    outcome: str
    is_vehicle: bool
    plate: str

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_passage(self) -> bool:
        return self.kind == TrajectoryKind.CHECKPOINT

    @property
    def kind_label(self) -> str:
        return str(_KINDS.get(self.kind, self.kind))

    @property
    def symptom_list(self) -> list[str]:
        return [c for c in self.symptoms.split(",") if c]

    @property
    def symptoms_label(self) -> str:
        return "、".join(str(_SYMPTOMS.get(c, c)) for c in self.symptom_list)

    @property
    def travel_label(self) -> str:
        return str(_TRAVEL.get(self.travel, self.travel))

    @property
    def passage_label(self) -> str:
        """Direction and outcome of a passage (进 · 劝返), with the plate for a vehicle."""
        parts = [str(_DIRECTIONS.get(self.direction, self.direction))]
        parts.append(str(_OUTCOMES.get(self.outcome, self.outcome)))
        if self.is_vehicle and self.plate:
            parts.append(self.plate)
        return " · ".join(p for p in parts if p)

    @property
    def note(self) -> str:
        """The last column of a row: travel declared at a check-in, what a checkpoint did."""
        return self.passage_label if self.is_passage else self.travel_label


@dataclass(frozen=True)
class TrajectoryRow(_Row):
    place_id: int
    place_name: str
    place_address: str
    division_name: str


@dataclass(frozen=True)
class VisitorRow(_Row):
    person_id: int | None
    person_name: str
    id_number_masked: str
    phone_masked: str
    is_verified: bool


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Window:
    start_date: date
    end_date: date

    @property
    def start(self) -> datetime:
        return day_start(self.start_date)

    @property
    def end(self) -> datetime:
        return day_start(self.end_date + timedelta(days=1))

    def as_detail(self) -> dict:
        return {"start": self.start_date.isoformat(), "end": self.end_date.isoformat()}


class WindowForm(forms.Form):
    """A date range, both days included; at most MAX_WINDOW_DAYS days."""

    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, default_days: int = 14):
        super().__init__(data)
        self.default_days = default_days

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days >= 92:
            raise forms.ValidationError(_("时间范围最长92天"))
        return data

    def window(self) -> Window:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=self.default_days - 1)
        if (end - start).days >= MAX_WINDOW_DAYS:
            start = end - timedelta(days=MAX_WINDOW_DAYS - 1)
        return Window(start, end)

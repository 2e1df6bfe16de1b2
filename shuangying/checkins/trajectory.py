"""Reads of check-ins (C5): a person's trajectory and a place's visitors over a time window.

Both run on the indexes (person_id, checked_in_at) and (place_id, checked_in_at). Access is
decided before: the caller fetched the person or place through ``get_restricted_or_404``
(not visible → 404), and what leaves is masked (names of visitors from elsewhere included).

Checkpoint passages (C3) will join the trajectory as a second source: a UNION ALL of the two
tables' (time, place, kind) columns in time order, each side narrowed by the same index shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CheckIn

MAX_WINDOW_DAYS = 92


def person_trajectory(person, start: datetime | None = None, end: datetime | None = None):
    return (
        CheckIn.objects.filter(person_id=person.pk)
        .between(start, end)
        .select_related("place", "place__division")
        .order_by("checked_in_at", "id")
    )


def place_visitors(place, start: datetime | None = None, end: datetime | None = None):
    return (
        CheckIn.objects.filter(place_id=place.pk)
        .between(start, end)
        .select_related("person")
        .order_by("checked_in_at", "id")
    )


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

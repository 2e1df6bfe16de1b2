"""The demo's labs and cases (seeds 001, 002): two labs of 360 a day together, the hospitals
and teams, two confirmed and one cured, 17 days without a new confirmed case by 22 February,
pooled rounds with positive pools on the re-sample list; a second load changes nothing."""

from datetime import date

import pytest
from django.db.models import Sum

from shuangying.cases.models import Case, Hospital, TeamMember
from shuangying.cases.stats import days_without_confirmed
from shuangying.dashboard.demo import load_demo
from shuangying.labs.models import Lab, LabDay, Sample

pytestmark = pytest.mark.django_db


def test_demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(persons=600)
    assert Lab.objects.aggregate(n=Sum("daily_capacity"))["n"] == 360
    assert Hospital.objects.filter(kind="designated").count() == 1
    assert Hospital.objects.filter(kind="backup").count() == 3
    assert TeamMember.objects.filter(team__kind="experts").count() == 15
    assert TeamMember.objects.filter(team__kind="echelon").count() == 265
    assert Case.objects.exclude(confirmed_at=None).count() == 2
    assert Case.objects.filter(case_class="cured").count() == 1
    assert days_without_confirmed(on=date(2020, 2, 22))[0].days == 17
    assert Sample.objects.filter(needs_resample=True, pool__result="positive").count() == 20
    assert all(d.booked <= d.capacity for d in LabDay.objects.all())
    samples = Sample.objects.count()
    assert not load_demo(persons=600).changed
    assert Sample.objects.count() == samples

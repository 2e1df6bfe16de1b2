"""The demo's labs and samples (seed 001), fixed seed.

From the seed: 2 nucleic-acid labs, 360 tests a day together. ASSUMED: the labs' names and
the split (200 + 160), one sampling point per township, the volume (a few dozen single
samples a day from 1 to 14 February, a 10-in-1 pooled round on four days), the times, and
which tubes come back positive (two pools, whose members go on the re-sample list) or
invalid."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from shuangying.divisions.models import Division
from shuangying.people.models import Person

from .models import Lab, Sample
from .services import (
    PoolSpec,
    ResultItem,
    create_lab,
    create_sampling_point,
    record_pooled_round,
    record_results,
    take_sample,
)

TZ = ZoneInfo("Asia/Shanghai")
SEED = 2020
LABS = [("县疾控中心核酸实验室", 200), ("县人民医院核酸实验室", 160)]


def demo_exists() -> bool:
    return Lab.objects.exists()


@transaction.atomic
def load_labs(county) -> str | None:
    if demo_exists():
        return None
    rng = random.Random(SEED)
    for name, capacity in LABS:
        create_lab(name=name, division=county, daily_capacity=capacity)
    towns = list(Division.objects.filter(parent=county).order_by("path")[:6])
    points = [create_sampling_point(name=f"{t.name}采样点", division=t) for t in towns]
    people = list(
        Person.objects.filter(division__path__startswith=county.path)
        .order_by("pk")
        .values_list("pk", flat=True)[:3000]
    )
    if not people:
        return None
    persons = {p.pk: p for p in Person.objects.filter(pk__in=people[:600])}
    singles = 0
    results = []
    for day in range(1, 15):
        for i in range(rng.randint(20, 40)):
            pk = rng.choice(people[:600])
            at = datetime(2020, 2, day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=TZ)
            code = f"S2002{day:02}{i:03}"
            take_sample(person=persons[pk], barcode=code, sampled_at=at, point=rng.choice(points))
            word = "invalid" if rng.random() < 0.02 else "negative"
            results.append(ResultItem(code, word, at + timedelta(hours=rng.randint(4, 20))))
            singles += 1
    pools = 0
    positives = []
    for n, day in enumerate((3, 7, 10, 13)):
        chosen = rng.sample(people, 200)
        specs = [
            PoolSpec(
                f"P2002{day:02}{t:03}",
                10,
                [
                    (pk, f"M2002{day:02}{t:03}{m}")
                    for m, pk in enumerate(chosen[t * 10 : t * 10 + 10])
                ],
            )
            for t in range(20)
        ]
        at = datetime(2020, 2, day, 9, tzinfo=TZ)
        record_pooled_round(pools=specs, sampled_at=at, point=points[n % len(points)])
        pools += len(specs)
        for t, spec in enumerate(specs):
            word = "positive" if (n, t) in ((1, 4), (3, 11)) else "negative"
            if word == "positive":
                positives.append(spec.barcode)
            results.append(ResultItem(spec.barcode, word, at + timedelta(hours=8)))
    record_results(items=results)
    resample = Sample.objects.filter(needs_resample=True).count()
    return (
        f"实验室2个（日检测能力共360管），采样点{len(points)}个，单采{singles}份，"
        f"10合1混采{pools}管，阳性混采管{len(positives)}管，待复采{resample}人次"
    )


def remove_labs() -> None:
    from .models import LabDay, Pool, ResultCorrection, SamplingPoint

    ResultCorrection.objects.all().delete()
    Sample.objects.all().delete()
    Pool.objects.all().delete()
    LabDay.objects.all().delete()
    SamplingPoint.objects.all().delete()
    Lab.objects.all().delete()

"""The fever loop's part of the demo: a few hundred fever episodes over February 2020, found
through all seven channels and taken through the loop by the services, most of them closed,
some still open (and so overdue), a few tip-offs still unresolved.

Seed 001 gives Dingzhou's 2,433 fever person-times screened and its rule (发现一个、登记一个、
隔离一个、送检一个); it gives no split by channel nor times per step. ASSUMED below: the
shares of the channels, the minutes each step took, the share still open on the demo's day
and the outcomes (almost all excluded, as in a county with two confirmed cases, seed 002).
The checkpoint demo's fevers come in through the checkpoint intake itself (checkpoints/demo.py).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangying.divisions.models import Division
from shuangying.people.models import Person
from shuangying.places.choices import PlaceType
from shuangying.places.models import Place

from .choices import Channel, IsolationPlace, Outcome, Step
from .models import FeverEpisode, FeverReport
from .services import advance_episode, take_reports

SEED = "fevers-2020"
FIRST_DAY = dt.date(2020, 2, 1)
DAYS = 15  # up to the demo's day, 15 February 2020
# ASSUMED: where fevers were found (shares of the seven channels, per cent).
CHANNEL_SHARES = {
    Channel.VILLAGE: 24,
    Channel.COMPOUND: 18,
    Channel.CHECKPOINT: 8,
    Channel.FEVER_CLINIC: 22,
    Channel.HOME_QUARANTINE: 10,
    Channel.TIPOFF: 6,
    Channel.PHARMACY: 12,
}
# ASSUMED: minutes from the previous step, (low, high); some steps run past their deadline.
STEP_MINUTES = {
    Step.REGISTERED: (10, 90),
    Step.ISOLATED: (20, 120),
    Step.SAMPLED: (60, 300),
    Step.RESULTED: (240, 1440),
    Step.CLOSED: (30, 240),
}
# ASSUMED: on the demo's day about one in ten episodes is still open, at some step.
OPEN_SHARE = 0.1
DRUGS = ["布洛芬", "对乙酰氨基酚", "连花清瘟胶囊", "复方甘草片", "感冒灵颗粒"]
SYMPTOMS = ["", "咳嗽", "乏力", "咽痛", "咳嗽、乏力"]
TIPOFF_NAMES = ["老王", "李大姐", "张师傅", "刘家老二", "3号楼租户"]


@dataclass
class FeverDemo:
    episodes: int = 0
    open: int = 0
    unresolved: int = 0

    def describe(self) -> str:
        return (
            f"发热人员{self.episodes}人（2020年2月，七个渠道），"
            f"未结案{self.open}人，待核实举报{self.unresolved}条"
        )


def demo_exists(county: Division) -> bool:
    return FeverReport.objects.filter(division__path__startswith=county.path).exists()


def remove_fevers(county: Division) -> None:
    FeverReport.objects.filter(division__path__startswith=county.path).delete()
    FeverEpisode.objects.filter(division__path__startswith=county.path).delete()


def size_for(persons: int) -> int:
    """A few hundred episodes for the full demo county, fewer for a small one."""
    return min(300, max(20, persons // 60))


@transaction.atomic
def load_fevers(county: Division, *, seed: str = SEED) -> FeverDemo | None:
    if demo_exists(county):
        return None
    rng = random.Random(seed)
    persons = list(
        Person.objects.filter(division__path__startswith=county.path)
        .order_by("pk")
        .values_list("pk", "division_id")
    )
    if not persons:
        return None
    chosen = rng.sample(persons, min(size_for(len(persons)), len(persons)))
    places = list(Place.objects.filter(division__path__startswith=county.path).order_by("pk"))
    by_type: dict[str, list[Place]] = {}
    for place in places:
        by_type.setdefault(place.type, []).append(place)
    channels = list(CHANNEL_SHARES)
    weights = list(CHANNEL_SHARES.values())
    start = timezone.make_aware(dt.datetime.combine(FIRST_DAY, dt.time(7)))
    rows: list[tuple[FeverReport, int | None, int | None]] = []
    for person_id, division_id in chosen:
        channel = rng.choices(channels, weights)[0]
        found = start + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60 - 600))
        report = FeverReport(
            channel=channel,
            reported_at=found,
            temperature=Decimal(rng.choice(["37.3", "37.5", "37.8", "38.1", "38.6", "39.2"])),
            symptoms=rng.choice(SYMPTOMS),
            drug=rng.choice(DRUGS) if channel == Channel.PHARMACY else "",
            source_ref="demo",
            division_id=division_id,
        )
        place_type = {
            Channel.PHARMACY: PlaceType.PHARMACY,
            Channel.FEVER_CLINIC: PlaceType.FEVER_CLINIC,
            Channel.CHECKPOINT: PlaceType.TRAFFIC_CHECKPOINT,
        }.get(channel)
        if place_type and by_type.get(place_type):
            report.place = rng.choice(by_type[place_type])
        rows.append((report, person_id, division_id))
    intakes = take_reports(rows, actor=None)
    made = FeverDemo(episodes=len(intakes))
    steps = [Step.REGISTERED, Step.ISOLATED, Step.SAMPLED, Step.RESULTED, Step.CLOSED]
    for intake in intakes:
        episode = intake.episode
        assert episode is not None  # every demo report names a person
        stop = len(steps)
        if rng.random() < OPEN_SHARE:
            stop = rng.randrange(len(steps))  # still open, before this step
            made.open += 1
        at = episode.found_at
        for step in steps[:stop]:
            low, high = STEP_MINUTES[step]
            at += dt.timedelta(minutes=rng.randint(low, high))
            details: dict[str, Any] = {}
            if step == Step.ISOLATED:
                hospital = episode.channel == Channel.FEVER_CLINIC or rng.random() < 0.3
                details = {
                    "isolation_place": IsolationPlace.HOSPITAL
                    if hospital
                    else rng.choice([IsolationPlace.HOME, IsolationPlace.CENTRALISED]),
                    "isolation_note": "县人民医院发热门诊" if hospital else "",
                }
            elif step == Step.SAMPLED:
                details = {"barcode": f"DEMO{episode.pk:06d}"}
            elif step == Step.RESULTED:
                details = {"result": "核酸阴性"}
            elif step == Step.CLOSED:
                details = {"outcome": Outcome.EXCLUDED, "note": "两次核酸阴性，排除"}
            advance_episode(actor=None, episode=episode, step=step, at=at, **details)
    # A few tip-offs the grid workers have yet to resolve (only a name and an address).
    grids = list(
        Division.objects.filter(path__startswith=county.path, level=5).order_by("path")[:50]
    )
    tips: list[tuple[FeverReport, int | None, int | None]] = []
    for i in range(min(5, len(grids))):
        tips.append(
            (
                FeverReport(
                    channel=Channel.TIPOFF,
                    reported_at=start + dt.timedelta(days=DAYS - 1, hours=i),
                    name=TIPOFF_NAMES[i],
                    address=f"{grids[i].name}附近",
                    symptoms="邻居反映发热、咳嗽",
                    source_ref="demo",
                    division=grids[i],
                ),
                None,
                None,
            )
        )
    take_reports(tips, actor=None)
    made.unresolved = len(tips)
    return made

"""Checkpoint figures in the shape of Dingzhou's (seed 001): 16 traffic checkpoints on the
county's roads, 250,000 person-checks, 83,000 vehicle-checks and 49 fevers found (sent to a
fever clinic) over the weeks of the lockdown, scaled down by ``scale`` for a demo
(``scale_for``: in proportion to the demo county's people).

Rows are written with ``bulk_create`` straight into the table (no audit rows: this is not
anyone's work), deterministically from ``seed``; the daily counters are then rebuilt."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuangying.divisions.models import Division
from shuangying.fevers.services import intake_checkpoint_fevers
from shuangying.people.models import Person
from shuangying.places.choices import PlaceType
from shuangying.places.models import Place

from .choices import Direction, Outcome, VehicleType
from .models import CheckpointDay, CheckpointRecord
from .services import rebuild_daily_counters

DINGZHOU = {"persons": 250_000, "vehicles": 83_000, "fevers": 49, "checkpoints": 16}
# People in Dingzhou, as the benchmark county (build_county) has them: a demo county of N
# people gets N / DINGZHOU_PEOPLE of Dingzhou's checks.
DINGZHOU_PEOPLE = 1_000_000
# Dingzhou did not publish how many were turned back; about one check in a hundred here.
TURNED_BACK_SHARE = 0.01
ORIGINS = ["本县", "石家庄", "保定", "北京", "天津", "邢台", "衡水", "山西", "河南", "山东"]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXY"


@dataclass
class DemoFigures:
    persons: int
    vehicles: int
    fevers: int
    turned_back: int
    checkpoints: int


def figures(scale: float) -> DemoFigures:
    def scaled(n):
        return max(1, round(n * scale))

    persons = scaled(DINGZHOU["persons"])
    vehicles = min(scaled(DINGZHOU["vehicles"]), persons)
    return DemoFigures(
        persons=persons,
        vehicles=vehicles,
        fevers=scaled(DINGZHOU["fevers"]),
        turned_back=max(1, round(persons * TURNED_BACK_SHARE)),
        checkpoints=DINGZHOU["checkpoints"],
    )


def scale_for(persons: int) -> float:
    return min(1.0, max(persons, 1) / DINGZHOU_PEOPLE)


def demo_exists(county: Division) -> bool:
    return CheckpointRecord.objects.filter(
        checkpoint__division__path__startswith=county.path
    ).exists()


def remove_checkpoint_demo(county: Division) -> None:
    """The county's checkpoint records and daily counters (the checkpoints themselves are
    places, and go with them)."""
    CheckpointRecord.objects.filter(checkpoint__division__path__startswith=county.path).delete()
    CheckpointDay.objects.filter(checkpoint__division__path__startswith=county.path).delete()


def _checkpoints(county: Division, count: int) -> list[Place]:
    towns = list(Division.objects.filter(path__startswith=county.path, level=2).order_by("path"))
    if not towns:
        towns = [county]
    places = []
    for i in range(count):
        town = towns[i % len(towns)]
        place, _created = Place.objects.get_or_create(
            type=PlaceType.TRAFFIC_CHECKPOINT,
            name=f"{town.name}交通卡口{i // len(towns) + 1}号",
            division=town,
            defaults={"address": f"{town.name}省道出入口"},
        )
        places.append(place)
    return places


@transaction.atomic
def build_checkpoint_demo(
    county: Division, *, scale: float = 0.01, days: int = 30, seed: int = 1
) -> DemoFigures:
    """Write the scaled figures as records over the ``days`` days up to today. Each vehicle
    check carries one to four people; pedestrians and riders make up the rest of the
    person-checks. Fevers are ≥37.3 °C and sent to a fever clinic."""
    rng = random.Random(seed)
    target = figures(scale)
    checkpoints = _checkpoints(county, target.checkpoints)
    end = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=days - 1)

    # Passengers per vehicle: 1–4, but never more people than the person-checks allow.
    spare = target.persons - target.vehicles
    passengers = []
    for _ in range(target.vehicles):
        extra = min(rng.choice((0, 0, 1, 1, 2, 3)), spare)
        spare -= extra
        passengers.append(1 + extra)
    pedestrians = spare
    kinds = ["vehicle"] * target.vehicles + ["person"] * pedestrians
    rng.shuffle(kinds)
    total = len(kinds)
    special = rng.sample(range(total), target.fevers + target.turned_back)
    fevers, turned_back = set(special[: target.fevers]), set(special[target.fevers :])

    rows = []
    vehicle_no = 0
    for i, kind in enumerate(kinds):
        at = start + dt.timedelta(seconds=rng.randrange(days * 86400 - 60))
        if at > timezone.now():
            at = timezone.now() - dt.timedelta(seconds=rng.randrange(3600))
        fever = i in fevers
        temperature = Decimal(
            rng.choice(("37.3", "37.6", "37.9", "38.2", "38.8", "39.1"))
            if fever
            else rng.choice(("35.9", "36.2", "36.4", "36.5", "36.7", "36.9"))
        )
        record = CheckpointRecord(
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            checkpoint=checkpoints[i % len(checkpoints)],
            checked_at=at,
            direction=rng.choice((Direction.IN, Direction.OUT)),
            outcome=Outcome.FEVER_CLINIC
            if fever
            else Outcome.TURNED_BACK
            if i in turned_back
            else Outcome.PASSED,
            temperature=temperature,
            is_fever=fever,
            health_code_token="",
        )
        if kind == "vehicle":
            record.is_vehicle = True
            record.plate = (
                "晋"  # the demo county is in Linfen, Shanxi: 晋L
                + rng.choice("LLLA")
                + "".join(rng.choice(PLATE_LETTERS + "0123456789") for _ in range(5))
            )
            record.vehicle_type = rng.choice(VehicleType.values)
            record.origin = rng.choice(ORIGINS)
            record.passenger_count = passengers[vehicle_no]
            vehicle_no += 1
        rows.append(record)
    _identify_fevers(rng, county, [r for r in rows if r.is_fever])
    CheckpointRecord.objects.bulk_create(rows, batch_size=2000)
    rebuild_daily_counters()
    # Each fever opens its person's episode, as a check through the service would.
    intake_checkpoint_fevers([r for r in rows if r.is_fever], actor=None)
    return target


def _identify_fevers(rng: random.Random, county: Division, fevers: list) -> None:
    """Fevers were sent to a fever clinic with their papers checked: each fever record names
    a person of the county (the other checks stay anonymous, as a passing car's are)."""
    persons = list(
        Person.objects.filter(division__path__startswith=county.path)
        .order_by("pk")
        .values_list("pk", "id_number_hash", "id_number_masked")[:5000]
    )
    if not persons:
        return
    for record, (pk, digest, masked) in zip(
        fevers, rng.sample(persons, min(len(fevers), len(persons))), strict=False
    ):
        record.person_id, record.document_hash, record.document_masked = pk, digest, masked

"""Trajectories at scale (C5): with BENCH_CHECKINS check-ins (default 20,000,000) and
BENCH_PASSAGES checkpoint records (default 1,000,000), a person's 14-day trajectory (check-ins
and passages, one UNION ALL query) and a place's or a checkpoint's visitors over one day,
each at most 50 ms. Baseline, same run: the same SQL sent raw through a cursor.

The rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) with the
table's indexes dropped and rebuilt afterwards, over 28 days (the retention period), spread
over the county's persons, 2,000 places and 50 checkpoints (a passage in ten has a document
that is not in the registry). They are written in time order, as scans arrive: a day's rows
lie together in the table, as they do in a county's database."""

import os
import random
import time
from datetime import timedelta

from common import median_ms, report, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangying.checkins.models import CheckIn  # noqa: E402
from shuangying.checkins.trajectory import person_trajectory, place_visitors  # noqa: E402
from shuangying.checkpoints.models import CheckpointRecord  # noqa: E402
from shuangying.people.models import Person  # noqa: E402
from shuangying.places.models import Place  # noqa: E402

TARGET = int(os.environ.get("BENCH_CHECKINS", "20000000"))
PASSAGES = int(os.environ.get("BENCH_PASSAGES", "1000000"))
PLACES = 2000
CHECKPOINTS = 50
DAYS = 28


def ensure_places() -> list[int]:
    existing = list(Place.objects.filter(name__startswith="轨迹场所").values_list("pk", flat=True))
    if len(existing) >= PLACES:
        return existing
    divisions = list(Person.objects.values_list("division_id", flat=True).distinct()[:PLACES])
    Place.objects.bulk_create(
        Place(type="market", name=f"轨迹场所{i}", division_id=divisions[i % len(divisions)])
        for i in range(len(existing), PLACES)
    )
    return list(Place.objects.filter(name__startswith="轨迹场所").values_list("pk", flat=True))


def ensure_checkpoints() -> list[int]:
    named = Place.objects.filter(name__startswith="轨迹卡口")
    existing = list(named.values_list("pk", flat=True))
    if len(existing) < CHECKPOINTS:
        divisions = list(Person.objects.values_list("division_id", flat=True).distinct()[:100])
        Place.objects.bulk_create(
            Place(
                type="traffic_checkpoint",
                name=f"轨迹卡口{i}",
                division_id=divisions[i % len(divisions)],
            )
            for i in range(len(existing), CHECKPOINTS)
        )
    return list(named.values_list("pk", flat=True))


def person_range() -> tuple[int, int]:
    return (
        Person.objects.order_by("pk").values_list("pk", flat=True)[:1][0],
        Person.objects.order_by("-pk").values_list("pk", flat=True)[:1][0],
    )


def generate_passages(missing: int, checkpoint_ids: list[int]) -> None:
    # Persons drawn from the ids that exist (imports rolled back leave gaps in the sequence).
    start = timezone.now() - timedelta(days=DAYS)
    indexes = {
        "cpr_person_time": "(person_id, checked_at)",
        "cpr_checkpoint_time": "(checkpoint_id, checked_at)",
    }
    with connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(
            """
            INSERT INTO checkpoints_checkpointrecord
              (client_uuid, checkpoint_id, checked_at, received_at, direction, outcome,
               temperature, is_fever, person_id, document_masked, document_hash,
               health_code_token, health_code_colour, is_vehicle, plate, vehicle_type, origin,
               handled_to, handled_note)
            WITH ids AS MATERIALIZED (SELECT array_agg(id) AS a, count(*) AS n FROM people_person)
            SELECT gen_random_uuid(),
                   (%s::int[])[1 + floor(random() * %s)::int],
                   t, t, 'in', 'passed', 36.5, false,
                   CASE WHEN random() < 0.9
                        THEN (SELECT a FROM ids)[1 + floor(random() * (SELECT n FROM ids))::int]
                   END,
                   '', '', '', '', false, '', '', '', '', ''
            FROM (SELECT %s::timestamptz + (random() * %s) * interval '1 second' AS t
                  FROM generate_series(1, %s)) g
            ORDER BY t
            """,
            [checkpoint_ids, len(checkpoint_ids), start, DAYS * 86400, missing],
        )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, columns in indexes.items():
            cursor.execute(f"CREATE INDEX {name} ON checkpoints_checkpointrecord {columns}")
        cursor.execute("VACUUM ANALYZE checkpoints_checkpointrecord")


def generate(missing: int, place_ids: list[int]) -> None:
    lo, hi = person_range()
    start = timezone.now() - timedelta(days=DAYS)
    indexes = ["checkin_person_time", "checkin_place_time", "checkin_time"]
    with connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(
            """
            INSERT INTO checkins_checkin
              (checked_in_at, place_id, person_id, client_uuid, has_fever, symptoms, travel,
               travel_from, source)
            SELECT %s::timestamptz + (random() * %s) * interval '1 second',
                   (%s::int[])[1 + floor(random() * %s)::int],
                   %s + floor(random() * %s)::bigint,
                   gen_random_uuid(), false, '', 'none', '', 'scan'
            FROM generate_series(1, %s)
            ORDER BY 1
            """,
            [start, DAYS * 86400, place_ids, len(place_ids), lo, hi - lo + 1, missing],
        )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE INDEX checkin_person_time ON checkins_checkin (person_id, checked_in_at)"
        )
        cursor.execute(
            "CREATE INDEX checkin_place_time ON checkins_checkin (place_id, checked_in_at)"
        )
        cursor.execute("CREATE INDEX checkin_time ON checkins_checkin (checked_in_at)")
        cursor.execute("VACUUM ANALYZE checkins_checkin")


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("bench_trajectory needs PostgreSQL")
    place_ids = ensure_places()
    total = CheckIn.objects.count()
    if total < TARGET:
        started = time.perf_counter()
        generate(TARGET - total, place_ids)
        total = CheckIn.objects.count()
        print(
            f"  generated check-ins up to {total:,} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    checkpoint_ids = ensure_checkpoints()
    passages = CheckpointRecord.objects.count()
    if passages < PASSAGES:
        started = time.perf_counter()
        generate_passages(PASSAGES - passages, checkpoint_ids)
        passages = CheckpointRecord.objects.count()
        print(
            f"  generated checkpoint records up to {passages:,} in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    rng = random.Random(3)
    person_ids = list(Person.objects.values_list("pk", flat=True)[:5000])
    persons = [Person(pk=rng.choice(person_ids)) for _ in range(100)]
    places = [Place(pk=rng.choice(place_ids), type="market") for _ in range(100)]
    checkpoints = [
        Place(pk=rng.choice(checkpoint_ids), type="traffic_checkpoint") for _ in range(100)
    ]
    now = timezone.now()
    day = now - timedelta(days=rng.randint(1, DAYS - 1))
    cases = {
        "person, 14 days": (
            lambda i: person_trajectory(persons[i % 100], now - timedelta(days=14), now),
        ),
        "place, 1 day": (lambda i: place_visitors(places[i % 100], day, day + timedelta(days=1)),),
        "checkpoint, 1 day": (
            lambda i: place_visitors(checkpoints[i % 100], day, day + timedelta(days=1)),
        ),
    }
    for label, (make,) in cases.items():
        measure(label, make, total, passages)


def measure(label: str, make, total: int, passages: int) -> None:
    counter = iter(range(10**6))
    samples = timed(lambda: list(make(next(counter))), repeat=100, warmup=10)
    rows = [len(list(make(i))) for i in range(5)]
    raw_counter = iter(range(10**6))

    def raw():
        sql, params = make(next(raw_counter)).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    base = timed(raw, repeat=100, warmup=10)
    figure, baseline = median_ms(samples), median_ms(base)
    p95 = sorted(samples)[94] * 1000
    report(
        f"{label} among {total:,} check-ins and {passages:,} passages"
        f" (~{sum(rows) / len(rows):.0f} rows)",
        f"{figure:.2f} ms median, {p95:.2f} ms p95",
        f"{baseline:.2f} ms same SQL via cursor",
        figure / baseline,
        "<= 50 ms (median)",
        figure <= 50,
    )


if __name__ == "__main__":
    main()

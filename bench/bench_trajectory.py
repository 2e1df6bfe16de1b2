"""Trajectories at scale (C5): with BENCH_CHECKINS check-ins (default 20,000,000), a
person's 14-day trajectory and a place's visitors over one day, each at most 50 ms.
Baseline, same run: the same SQL sent raw through a cursor.

The rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) with the
table's indexes dropped and rebuilt afterwards, over 28 days (the retention period), spread
over the county's persons and 2,000 places."""

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
from shuangying.people.models import Person  # noqa: E402
from shuangying.places.models import Place  # noqa: E402

TARGET = int(os.environ.get("BENCH_CHECKINS", "20000000"))
PLACES = 2000
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


def generate(missing: int, place_ids: list[int]) -> None:
    lo, hi = (
        Person.objects.order_by("pk").values_list("pk", flat=True)[:1][0],
        Person.objects.order_by("-pk").values_list("pk", flat=True)[:1][0],
    )
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
    rng = random.Random(3)
    person_ids = list(Person.objects.values_list("pk", flat=True)[:5000])
    persons = [Person(pk=rng.choice(person_ids)) for _ in range(100)]
    places = [Place(pk=rng.choice(place_ids)) for _ in range(100)]
    now = timezone.now()
    day = now - timedelta(days=rng.randint(1, DAYS - 1))
    cases = {
        "person, 14 days": (
            lambda i: person_trajectory(persons[i % 100], now - timedelta(days=14), now),
        ),
        "place, 1 day": (lambda i: place_visitors(places[i % 100], day, day + timedelta(days=1)),),
    }
    for label, (make,) in cases.items():
        measure(label, make, total)


def measure(label: str, make, total: int) -> None:
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
        f"{label} among {total:,} check-ins (~{sum(rows) / len(rows):.0f} rows)",
        f"{figure:.2f} ms median, {p95:.2f} ms p95",
        f"{baseline:.2f} ms same SQL via cursor",
        figure / baseline,
        "<= 50 ms (median)",
        figure <= 50,
    )


if __name__ == "__main__":
    main()

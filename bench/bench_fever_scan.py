"""The fever loop (E1, E2) at a county's scale.

1. A checkpoint check with a fever, its episode opened in the same transaction
   (``record_checkpoint_check``: the record, the counters, the report, the episode, the
   ``fever_unresolved`` event and the person's code), against the same check of another
   registered person without a fever. Target: ≤ 1.2×.
2. The overdue list at BENCH_FEVER_EPISODES episodes (default 200,000; one in ten open):
   the county's first page of overdue episodes with its count, and the overdue per
   township, each ≤ 100 ms, with the same number of queries at every size. Baseline, same
   run: the page's rows as one hand-written SQL query through a cursor.
3. ``GET /api/health/stats``'s figures (fevers.health.health_stats) for a day of February 2020
   at those episodes and BENCH_HEALTH_SAMPLES samples (default 500,000), for the county
   commander (fevers, labs and cases): ≤ 100 ms with a fixed number of queries. Baseline, same
   run: its main statement (the day's episodes by step, overdue and closed) as raw SQL.

Episodes are generated inside PostgreSQL (INSERT … SELECT over generate_series) in states the
services would have written: closed ones with every step in order and an outcome, open ones
at every step, one open episode per person at most."""

import os
import uuid

from common import median_ms, report, setup_django, timed

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangying.accounts.models import User  # noqa: E402
from shuangying.divisions.models import Division  # noqa: E402
from shuangying.fevers.models import FeverEpisode, FeverReport  # noqa: E402
from shuangying.fevers.summary import overdue_by_township  # noqa: E402
from shuangying.people.models import Person  # noqa: E402

EPISODES = int(os.environ.get("BENCH_FEVER_EPISODES", "200000"))
SCANS = int(os.environ.get("BENCH_FEVER_SCANS", "60"))
OPEN_SHARE = 0.1
PAGE = 50
SAMPLES = int(os.environ.get("BENCH_HEALTH_SAMPLES", "500000"))


def user_for(role: str, division: Division, name: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        from shuangying.testing import make_user

        user = make_user(name, role, [division])
    return user


def checkpoint_in(town: Division):
    from shuangying.places.models import Place

    place, _ = Place.objects.get_or_create(
        type="traffic_checkpoint", name="压测发热卡口", division=town
    )
    return place


def bench_scan() -> None:
    from shuangying.checkpoints.services import record_checkpoint_check

    town = Division.objects.filter(level=2).order_by("path").first()
    staff = user_for("checkpoint_staff", town, "bench-fever-checkpoint")
    checkpoint = checkpoint_in(town)
    # Persons without an open episode, half for each kind of check (one open episode each).
    # The county's own persons (build_county's, first by pk): a bench run before this one may
    # have registered persons under a data key of its own server, gone with it.
    persons = list(
        Person.objects.exclude(pk__in=FeverEpisode.objects.open().values("person_id")).order_by(
            "pk"
        )[: 2 * SCANS + 10]
    )
    numbers = [p.reveal_id_number() for p in persons]
    fever_ids, plain_ids = numbers[0::2], numbers[1::2]

    def scanner(ids, temperature, outcome):
        it = iter(ids)

        def scan():
            record_checkpoint_check(
                actor=staff,
                checkpoint=checkpoint,
                client_uuid=uuid.uuid4(),
                temperature=temperature,
                direction="in",
                outcome=outcome,
                id_number=next(it),
            )

        return scan

    reports_before = FeverReport.objects.count()
    plain = timed(scanner(plain_ids, "36.5", "passed"), repeat=SCANS, warmup=2)
    fever = timed(scanner(fever_ids, "38.4", "fever_clinic"), repeat=SCANS, warmup=2)
    opened = FeverReport.objects.count() - reports_before
    assert opened == SCANS + 2, opened  # every fever scan opened its person's episode
    ratio = median_ms(fever) / median_ms(plain)
    report(
        "checkpoint scan with a fever, episode included",
        f"{median_ms(fever):.1f} ms",
        f"same scan without fever {median_ms(plain):.1f} ms",
        ratio,
        "≤ 1.2×",
        ratio <= 1.2,
    )


def generate(missing: int) -> None:
    """``missing`` more episodes: the first of each person's rows open (for one in ten
    persons' worth), every other one closed, all found over February 2020."""
    persons = Person.objects.count()
    open_now = FeverEpisode.objects.open().count()
    want_open = max(0, int((FeverEpisode.objects.count() + missing) * OPEN_SHARE) - open_now)
    want_open = min(want_open, persons - open_now)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH p AS (
              SELECT id, division_id, row_number() OVER (ORDER BY id) AS n
              FROM people_person
              WHERE id NOT IN (SELECT person_id FROM fevers_feverepisode WHERE status <> 'closed')
            ),
            g AS (
              SELECT s AS i,
                     %(start)s::timestamptz + (random() * 14 * 86400) * interval '1 second' AS f,
                     CASE WHEN s <= %(want_open)s
                          THEN (ARRAY['found','registered','isolated','sampled','resulted'])
                               [1 + floor(random() * 5)::int]
                          ELSE 'closed' END AS st
              FROM generate_series(1, %(missing)s) AS s
            )
            INSERT INTO fevers_feverepisode
              (person_id, division_id, status, channel, temperature, symptoms, found_at,
               registered_at, isolated_at, isolation_place, isolation_note, sampled_at,
               sample_barcode, resulted_at, result, closed_at, outcome, close_note)
            SELECT p.id, p.division_id, g.st,
                   (ARRAY['village','compound','checkpoint','fever_clinic','home_quarantine',
                          'tipoff','pharmacy'])[1 + (g.i %% 7)],
                   37.5, '', g.f,
                   CASE WHEN g.st <> 'found' THEN g.f + interval '30 minutes' END,
                   CASE WHEN g.st NOT IN ('found','registered')
                        THEN g.f + interval '90 minutes' END,
                   CASE WHEN g.st NOT IN ('found','registered') THEN 'home' ELSE '' END, '',
                   CASE WHEN g.st IN ('sampled','resulted','closed')
                        THEN g.f + interval '4 hours' END,
                   '',
                   CASE WHEN g.st IN ('resulted','closed') THEN g.f + interval '20 hours' END,
                   CASE WHEN g.st IN ('resulted','closed') THEN '阴性' ELSE '' END,
                   CASE WHEN g.st = 'closed' THEN g.f + interval '22 hours' END,
                   CASE WHEN g.st = 'closed' THEN 'excluded' ELSE '' END, ''
            FROM g JOIN p ON p.n = CASE WHEN g.i <= %(want_open)s THEN g.i
                                        ELSE 1 + (g.i %% (SELECT count(*) FROM p)) END
            """,
            {
                "missing": missing,
                "want_open": want_open,
                "start": timezone.make_aware(timezone.datetime(2020, 2, 1)),
            },
        )
        cursor.execute("VACUUM ANALYZE fevers_feverepisode")


def bench_overdue() -> None:
    have = FeverEpisode.objects.count()
    if have < EPISODES:
        generate(EPISODES - have)
    total = FeverEpisode.objects.count()
    county = Division.objects.filter(level=1).order_by("path").first()
    commander = user_for("county_commander", county, "bench-fever-county")
    now = timezone.now()

    def page():
        qs = (
            FeverEpisode.objects.restrict(commander)
            .for_list()
            .with_due(now)
            .overdue(now)
            .order_by("found_at", "pk")
        )
        return qs.count(), list(qs[:PAGE])

    def per_township():
        return overdue_by_township(commander, now)

    count, rows = page()
    sql, params = (
        FeverEpisode.objects.restrict(commander)
        .for_list()
        .with_due(now)
        .overdue(now)
        .order_by("found_at", "pk")[:PAGE]
        .query.sql_with_params()
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    for name, fn in (
        ("overdue list, first page and count", page),
        ("overdue per township", per_township),
    ):
        with CaptureQueriesContext(connection) as queries:
            fn()
        samples = timed(fn, repeat=15, warmup=2)
        base = timed(raw, repeat=15, warmup=2)
        ms = median_ms(samples)
        report(
            f"{name} at {total:,} episodes ({count:,} overdue)",
            f"{ms:.1f} ms, {len(queries)} queries",
            f"the page's rows as raw SQL {median_ms(base):.1f} ms",
            ms / median_ms(base),
            "≤ 100 ms, constant queries",
            ms <= 100,
        )


def generate_samples(missing: int) -> None:
    """``missing`` more single samples of registered persons over February 1–15, 2020, nine in
    ten with a result (one in two hundred positive), booked at one bench lab."""
    from shuangying.labs.models import Lab

    county = Division.objects.filter(level=1).order_by("path").first()
    lab = Lab.objects.filter(name="压测实验室").first()
    if lab is None:
        lab = Lab.objects.create(name="压测实验室", division=county, daily_capacity=10**6)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH p AS (SELECT id, division_id, row_number() OVER (ORDER BY id) AS n
                       FROM people_person),
                 c AS (SELECT count(*) AS k FROM p),
                 g AS (SELECT s AS i,
                              %(start)s::timestamptz + (random() * 14 * 86400) * interval '1 second'
                                AS t
                       FROM generate_series(%(first)s, %(last)s) AS s)
            INSERT INTO labs_sample
              (barcode, sample_type, person_id, division_id, sampled_at, lab_id, booked_day,
               overflowed, result, resulted_at, needs_resample)
            SELECT 'BENCH' || g.i, 'throat', p.id, p.division_id, g.t, %(lab)s,
                   (g.t AT TIME ZONE 'Asia/Shanghai')::date, false,
                   CASE WHEN g.i %% 10 = 0 THEN ''
                        WHEN g.i %% 200 = 1 THEN 'positive' ELSE 'negative' END,
                   CASE WHEN g.i %% 10 = 0 THEN NULL ELSE g.t + interval '8 hours' END,
                   false
            FROM g, c JOIN p ON true
            WHERE p.n = 1 + (g.i %% c.k)
            """,
            {
                "first": Sample_count_offset(),
                "last": Sample_count_offset() + missing - 1,
                "lab": lab.pk,
                "start": timezone.make_aware(timezone.datetime(2020, 2, 1)),
            },
        )
        cursor.execute("VACUUM ANALYZE labs_sample")


def Sample_count_offset() -> int:  # noqa: N802 - the next bench barcode number
    from shuangying.labs.models import Sample

    return Sample.objects.filter(barcode__startswith="BENCH").count() + 1


def bench_health_stats() -> None:
    from shuangying.fevers.health import day_bounds, fever_figures, health_stats
    from shuangying.labs.models import Sample

    have = Sample.objects.count()
    if have < SAMPLES:
        generate_samples(SAMPLES - have)
    samples, episodes = Sample.objects.count(), FeverEpisode.objects.count()
    county = Division.objects.filter(level=1).order_by("path").first()
    commander = user_for("county_commander", county, "bench-fever-county")
    day = timezone.datetime(2020, 2, 10).date()
    health_stats(commander, day)  # the role's permissions are read once and kept

    def stats():
        return health_stats(commander, day)

    start, end = day_bounds(day)
    with CaptureQueriesContext(connection) as queries:
        fever_figures(FeverEpisode.objects.restrict(commander), start=start, as_of=end)
    main_sql = queries.captured_queries[-1]["sql"]

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(main_sql)
            return cursor.fetchall()

    with CaptureQueriesContext(connection) as queries:
        figures = stats()
    ms = median_ms(timed(stats, repeat=15, warmup=2))
    base = median_ms(timed(raw, repeat=15, warmup=2))
    report(
        f"health stats for {day} at {episodes:,} episodes and {samples:,} samples "
        f"({figures['fevers']['found']:,} found, {figures['samples']['taken']:,} sampled that day)",
        f"{ms:.1f} ms, {len(queries)} queries",
        f"its episodes statement as raw SQL {base:.1f} ms",
        ms / base,
        "≤ 100 ms, constant queries",
        ms <= 100,
    )


def main() -> None:
    with transaction.atomic():
        bench_scan()
        transaction.set_rollback(True)  # the scans' rows go; the episodes below stay
    bench_overdue()
    bench_health_stats()


if __name__ == "__main__":
    main()

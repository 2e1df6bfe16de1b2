"""A lab's result sheet and a pooled round (issue 8, E3).

1. A sheet of BENCH_LAB_ROWS (10,000) results (barcode, result, time) imported end to end
   through the import pipeline (read, check every row, write, audit): target <= 2 s.
   Baseline, same run: python-calamine reading the same file plus a COPY of its rows.
2. A 10-in-1 pooled round of BENCH_POOL_SAMPLES (100,000) samples recorded (booked, written),
   then a result batch with 50 positive pools expanded onto the re-sample list: <= 5 s.
   Baseline, same run: a COPY of the same number of sample rows into a scratch table.

Runs against DATABASE_URL (PostgreSQL); makes its own labs and, if the database has fewer
than 1,000 persons, 1,000 persons of its own."""

import os
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import report, setup_django

ROWS = int(os.environ.get("BENCH_LAB_ROWS", "10000"))
POOLED = int(os.environ.get("BENCH_POOL_SAMPLES", "100000"))
TZ = ZoneInfo("Asia/Shanghai")
RUN = str(int(time.time()))


def bench_user():
    from shuangying.accounts.models import User
    from shuangying.divisions.models import Division
    from shuangying.testing import make_user

    user = User.objects.filter(username="bench-lab").first()
    return user or make_user("bench-lab", "lab_staff", [Division.objects.filter(level=1).first()])


def persons() -> list[int]:
    from datetime import date

    from shuangying.divisions.models import Division
    from shuangying.divisions.services import create_division
    from shuangying.people.identity import make_resident_id
    from shuangying.people.models import Person
    from shuangying.people.services import register_person

    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    if len(ids) >= 1000:
        return ids
    county = Division.objects.filter(level=1).first() or create_division(
        parent=None, kind="county", code="659001000000", name="基准县"
    )
    grid = Division.objects.filter(level=5).first()
    if grid is None:
        town = create_division(parent=county, kind="town", code="659001100000", name="基准镇")
        village = create_division(parent=town, kind="village", code="659001100201", name="基准村")
        grid = create_division(parent=village, kind="grid", code="01", name="基准网格")
    for i in range(1000 - len(ids)):
        number = make_resident_id("659001", date(1960, 1, 1) + timedelta(days=i // 900), i % 900)
        ids.append(
            register_person(actor=None, name=f"检{i}", id_number=number, division=grid).person.pk
        )
    return ids


def labs():
    from shuangying.divisions.models import Division
    from shuangying.labs.models import Lab
    from shuangying.labs.services import create_lab

    lab = Lab.objects.filter(name="基准实验室").first()
    return lab or create_lab(
        name="基准实验室",
        division=Division.objects.filter(level=1).first(),
        daily_capacity=1_000_000,
    )


def seed_singles(lab, people, at) -> list[str]:
    """ROWS single samples in the queue (written as the pooled round writes, no pool)."""
    from shuangying.core.db import insert_objects
    from shuangying.labs.models import Sample
    from shuangying.people.models import Person

    division = dict(Person.objects.filter(pk__in=people).values_list("pk", "division_id"))
    codes = [f"B{RUN}{i:06d}" for i in range(ROWS)]
    insert_objects(
        Sample,
        [
            Sample(
                barcode=code,
                sample_type="throat",
                person_id=people[i % len(people)],
                division_id=division[people[i % len(people)]],
                sampled_at=at,
                lab=lab,
                booked_day=at.date(),
                result="",
                needs_resample=False,
                overflowed=False,
            )
            for i, code in enumerate(codes)
        ],
    )
    return codes


def write_sheet(path: Path, codes: list[str], at) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("结果")
    sheet.write_row(0, 0, ["条码", "结果", "出结果时间"])
    stamp = (at + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M")
    for i, code in enumerate(codes):
        sheet.write_row(i + 1, 0, [code, "阴性", stamp])
    book.close()


def copy_baseline(rows) -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copy (a text, b text, c text)")
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row([str(v) for v in row])
        cursor.execute("DROP TABLE bench_copy")
    return time.perf_counter() - start


def bench_sheet(user, lab, people) -> None:
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from shuangying.labs.sheets import import_result_sheet

    at = datetime(2020, 2, 10, 9, tzinfo=TZ)
    with transaction.atomic():
        codes = seed_singles(lab, people, at)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.xlsx"
        write_sheet(path, codes, at)
        start = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
        read = time.perf_counter() - start
        base = read + copy_baseline(rows)
        data = path.read_bytes()
    start = time.perf_counter()
    result = import_result_sheet(data, file_name="results.xlsx", user=user, commit=True)
    elapsed = time.perf_counter() - start
    assert result.committed and result.created == ROWS, result.as_dict()
    report(
        f"lab result sheet of {ROWS:,} rows imported",
        f"{elapsed:.2f} s",
        f"{base:.2f} s calamine read + COPY",
        elapsed / base,
        "<= 2 s",
        elapsed <= 2,
    )


def bench_pooled(user, lab, people) -> None:
    from shuangying.labs.models import Sample
    from shuangying.labs.services import PoolSpec, ResultItem, record_pooled_round, record_results

    at = datetime(2020, 2, 11, 9, tzinfo=TZ)
    tubes = POOLED // 10
    specs = [
        PoolSpec(
            f"Q{RUN}{t:06d}",
            10,
            [(people[(t * 10 + m) % len(people)], f"R{RUN}{t:06d}{m}") for m in range(10)],
        )
        for t in range(tubes)
    ]
    items = [
        ResultItem(spec.barcode, "positive" if t < 50 else "negative", at + timedelta(hours=8))
        for t, spec in enumerate(specs)
    ]
    base = copy_baseline(
        (code, person, "throat") for spec in specs for person, code in spec.members
    )
    start = time.perf_counter()
    record_pooled_round(pools=specs, sampled_at=at, lab=lab, actor=user)
    record_results(items=items, actor=user)
    elapsed = time.perf_counter() - start
    listed = Sample.objects.filter(pool__barcode__startswith=f"Q{RUN}", needs_resample=True).count()
    assert listed == 500, listed
    report(
        f"10-in-1 pooled round of {POOLED:,} samples, results with 50 positive pools expanded",
        f"{elapsed:.2f} s",
        f"{base:.2f} s COPY of the sample rows",
        elapsed / base,
        "<= 5 s",
        elapsed <= 5,
    )


def main() -> None:
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench_lab_results needs PostgreSQL (make bench starts one)")
    people = persons()
    user = bench_user()
    lab = labs()
    bench_sheet(user, lab, people)
    bench_pooled(user, lab, people)


if __name__ == "__main__":
    main()

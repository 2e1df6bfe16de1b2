"""Import a 100,000-row person ledger into PostgreSQL end to end: validate, deduplicate,
encrypt, write (issue 2; B1, M1).

Target: at most 10 s and 300 MB peak memory. Baseline, same run: reading the same file with
python-calamine plus a COPY of the same rows (as text) into a scratch table.
The import runs in a child process of its own so that its peak memory is its own."""

import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import peak_rss_mb, report, setup_django

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
HEADERS = ["姓名", "证件类型", "证件号码", "联系电话", "所属网格", "现住址", "工作单位"]


def bench_user():
    from shuangying.accounts.models import User
    from shuangying.divisions.models import Division
    from shuangying.testing import make_user

    user = User.objects.filter(username="bench-county").first()
    return user or make_user("bench-county", "county_commander", [Division.objects.get(level=1)])


def write_ledger(path: Path) -> None:
    import xlsxwriter

    from shuangying.divisions.models import Division
    from shuangying.people.identity import make_resident_id

    grids = list(Division.objects.filter(level=5).values_list("path", flat=True)[:500])
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("人员台账")
    sheet.write_row(0, 0, HEADERS)
    start = date(1950, 1, 1)
    for i in range(ROWS):
        # Area 659001 with its own birth dates: numbers the benchmark county does not hold.
        number = make_resident_id("659001", start + timedelta(days=i // 1000), i % 1000)
        sheet.write_row(
            i + 1,
            0,
            [
                f"导入{i:06d}",
                "居民身份证",
                number,
                f"135{i:08d}",
                grids[i % len(grids)],
                "某街道某号",
                "某单位",
            ],
        )
    book.close()


def child(path: str) -> None:
    from shuangying.imports.services import import_persons_file

    user = bench_user()
    start = time.perf_counter()
    result = import_persons_file(path, user, "valid").as_dict()
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {peak_rss_mb():.0f} {result['created']} {result['error_rows']}")


def baseline(path: Path) -> float:
    from django.db import connection
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (a text, b text, c text, d text, e text, f text, g text)"
        )
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row([str(v) for v in row])
        cursor.execute("DROP TABLE bench_copy")
    return time.perf_counter() - start


def main() -> None:
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench_import needs PostgreSQL (make bench starts one)")
    bench_user()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "persons.xlsx"
        write_ledger(path)
        base = baseline(path)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        ).stdout.split()
    elapsed, peak, created, errors = float(out[0]), float(out[1]), int(out[2]), int(out[3])
    report(
        f"import {ROWS:,}-row person ledger ({created:,} created, {errors} bad rows)",
        f"{elapsed:.1f} s, peak {peak:.0f} MB",
        f"{base:.1f} s calamine read + COPY",
        elapsed / base,
        "<= 10 s, <= 300 MB",
        elapsed <= 10 and peak <= 300,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        setup_django()
        child(sys.argv[2])
    else:
        main()

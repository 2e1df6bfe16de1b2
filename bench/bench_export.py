"""Export 100,000 persons to xlsx (issue 2; B1, M1, M2): masked, watermarked, audited.

Target: at most 5 s and 200 MB peak memory. Baseline, same run: the same rows fetched with a
raw cursor and written as CSV (the floor of fetch + serialise). The export runs in a child
process of its own so that its peak memory is its own."""

import csv
import io
import os
import subprocess
import sys
import tempfile
import time

from common import peak_rss_mb, report, setup_django

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))


def queryset():
    from shuangying.accounts.models import User
    from shuangying.divisions.models import Division
    from shuangying.people.models import Person
    from shuangying.testing import make_user

    user = User.objects.filter(username="bench-county").first() or make_user(
        "bench-county", "county_commander", [Division.objects.get(level=1)]
    )
    ids = Person.objects.order_by("id").values_list("id", flat=True)
    last = ids[ROWS - 1]
    return user, Person.objects.restrict(user).filter(id__lte=last).select_related(
        "division", "household"
    )


def child() -> None:
    from shuangying.people.exports import export_persons

    user, qs = queryset()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as sink:  # a zip needs a seekable stream
        written = export_persons(qs, user, sink)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {peak_rss_mb():.0f} {written}")


def baseline() -> float:
    from django.db import connection

    _user, qs = queryset()
    sql, params = qs.values_list(
        "name", "sex", "birth_date", "id_number_masked", "phone_masked", "address", "division__name"
    ).query.sql_with_params()
    start = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
    return time.perf_counter() - start


def main() -> None:
    setup_django()
    base = baseline()
    out = subprocess.run(
        [sys.executable, __file__, "--child"],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout.split()
    elapsed, peak, written = float(out[0]), float(out[1]), int(out[2])
    report(
        f"export {written:,} persons to xlsx",
        f"{elapsed:.1f} s, peak {peak:.0f} MB",
        f"{base:.1f} s raw fetch to CSV",
        elapsed / base,
        "<= 5 s, <= 200 MB",
        elapsed <= 5 and peak <= 200,
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        setup_django()
        child()
    else:
        main()

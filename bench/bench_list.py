"""The people list page, filtered and paginated, as the county commander sees it (B1, A4).

Target: at most 150 ms of server time; the query count must not grow with page size.
Baseline, same run: the page's own two SQL statements (count + page) sent raw."""

from common import median_ms, report, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shuangying.accounts.models import User  # noqa: E402
from shuangying.divisions.models import Division  # noqa: E402
from shuangying.people.models import Person  # noqa: E402
from shuangying.testing import login  # noqa: E402


def main() -> None:
    total = Person.objects.count()
    user = User.objects.filter(groups__name="county_commander").first()
    if user is None:
        from shuangying.testing import make_user

        user = make_user("bench-county", "county_commander", [Division.objects.get(level=1)])
    township = Division.objects.filter(level=2).order_by("path").first()
    client = Client()
    login(client, user)
    cases = {
        "unfiltered, page 1": {},
        "one township, sorted by name": {"division": township.pk, "sort": "name"},
        "name search": {"q": "王"},
        "one township, page 40": {"division": township.pk, "page": 40},
    }
    worst = 0.0
    for label, params in cases.items():
        samples = timed(lambda p=params: client.get("/people/", p), repeat=15, warmup=3)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/people/", params)
        assert response.status_code == 200, response.status_code
        page_sql = [q["sql"] for q in ctx.captured_queries if "people_person" in q["sql"]]

        def raw(sqls=page_sql):
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    cursor.fetchall()

        base = timed(raw, repeat=15, warmup=3)
        figure = median_ms(samples)
        worst = max(worst, figure)
        report(
            f"people list ({label}) among {total:,}",
            f"{figure:.1f} ms server time",
            f"{median_ms(base):.1f} ms raw SQL of the page",
            figure / median_ms(base),
            "<= 150 ms",
            figure <= 150,
        )
    counts = {}
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/people/", {"size": size, "division": township.pk})
        counts[size] = len(ctx.captured_queries)
    print(
        f"people list queries: {counts[20]} at 20 rows, {counts[100]} at 100 rows | "
        f"{'ok' if counts[20] == counts[100] else 'GROWS WITH PAGE SIZE'}",
        flush=True,
    )


if __name__ == "__main__":
    main()

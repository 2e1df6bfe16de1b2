"""The supplies item report (H7) over BENCH_SUPPLY_MOVES stock moves (default 1,000,000), for the
whole period, in at most 200 ms. Baseline, same run: the same aggregate as one hand-written SQL
query over the moves themselves, sent raw through a cursor. The report reads the daily summary
(StockDay) that the ledger keeps beside the moves; a second line compares it with the same
aggregate hand-written over that summary (the ORM's own cost).

The moves are generated inside PostgreSQL (INSERT … SELECT over generate_series): 60 items,
3 stores, receipts from suppliers, donors and processing, issues to 200 recipients, transfers
between the stores, over 60 days; the balances are then set to the sum of the moves (the
ledger's invariant), so the data is what the services would have written."""

import os
from datetime import date, timedelta

from common import median_ms, report, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangying.divisions.models import Division  # noqa: E402
from shuangying.supplies.models import Category, Item, Location, StockMove  # noqa: E402
from shuangying.supplies.reports import item_report, period_bounds, store_ids  # noqa: E402

TARGET = int(os.environ.get("BENCH_SUPPLY_MOVES", "1000000"))
ITEMS = 60
DAYS = 60
START = date(2020, 1, 24)


def ensure_locations() -> dict[str, list[int]]:
    root = Division.objects.filter(level=1).order_by("path").first()
    category, _ = Category.objects.get_or_create(name="压测类别")
    existing = Item.objects.filter(name__startswith="压测物资").count()
    Item.objects.bulk_create(
        Item(category=category, name=f"压测物资{i}", unit="个") for i in range(existing, ITEMS)
    )

    def locs(kind, prefix, n):
        for i in range(n):
            Location.objects.get_or_create(
                kind=kind, name=f"{prefix}{i}", defaults={"division": root}
            )
        return list(
            Location.objects.filter(kind=kind, name__startswith=prefix).values_list("pk", flat=True)
        )

    return {
        "stores": locs("county_reserve", "压测库", 3),
        "suppliers": locs("supplier", "压测供应商", 20),
        "donors": locs("donor", "压测捐赠方", 20),
        "processing": locs("processing", "压测加工", 2),
        "consumers": locs("consumption", "压测领用", 200),
    }


def generate(missing: int, locs: dict[str, list[int]]) -> None:
    items = list(Item.objects.filter(name__startswith="压测物资").values_list("pk", flat=True))
    start = timezone.make_aware(timezone.datetime(2020, 1, 24))
    with connection.cursor() as cursor:
        for name in ("move_item_time", "move_from_item", "move_to_item"):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        # kind by share: 30% purchase, 5% donation, 3% processing_in, 55% issue, 7% transfer.
        cursor.execute(
            """
            INSERT INTO supplies_stockmove
              (item_id, quantity, from_location_id, to_location_id, kind, amount, moved_at,
               document, note, created_at)
            SELECT item, qty,
                   CASE WHEN r < 0.30 THEN (%(suppliers)s::bigint[])[1 + (g %% 20)]
                        WHEN r < 0.35 THEN (%(donors)s::bigint[])[1 + (g %% 20)]
                        WHEN r < 0.38 THEN (%(processing)s::bigint[])[1 + (g %% 2)]
                        WHEN r < 0.93 THEN (%(stores)s::bigint[])[1 + (g %% 3)]
                        ELSE (%(stores)s::bigint[])[1 + (g %% 3)] END,
                   CASE WHEN r < 0.38 THEN (%(stores)s::bigint[])[1 + (g %% 3)]
                        WHEN r < 0.93 THEN (%(consumers)s::bigint[])[1 + (g %% 200)]
                        ELSE (%(stores)s::bigint[])[1 + ((g + 1) %% 3)] END,
                   CASE WHEN r < 0.30 THEN 'purchase' WHEN r < 0.35 THEN 'donation'
                        WHEN r < 0.38 THEN 'processing_in' WHEN r < 0.93 THEN 'issue'
                        ELSE 'transfer' END,
                   CASE WHEN r < 0.38 THEN qty * 2 ELSE 0 END,
                   %(start)s::timestamptz + (random() * %(seconds)s) * interval '1 second',
                   '', '', now()
            FROM (
              SELECT g, random() AS r,
                     (%(items)s::bigint[])[1 + floor(random() * %(n_items)s)::int] AS item
              FROM generate_series(1, %(missing)s) AS g
            ) AS s,
            LATERAL (SELECT CASE WHEN s.r < 0.38 THEN 100 + floor(random() * 900)
                                 WHEN s.r < 0.93 THEN 1 + floor(random() * 40)
                                 ELSE 1 + floor(random() * 20) END::numeric AS qty) AS q
            """,
            {
                **locs,
                "items": items,
                "n_items": len(items),
                "missing": missing,
                "start": start,
                "seconds": DAYS * 86400,
            },
        )
        cursor.execute("CREATE INDEX move_item_time ON supplies_stockmove (item_id, moved_at)")
        cursor.execute(
            "CREATE INDEX move_from_item ON supplies_stockmove (from_location_id, item_id)"
        )
        cursor.execute("CREATE INDEX move_to_item ON supplies_stockmove (to_location_id, item_id)")
        # Balances = the sum of the moves (what post_moves keeps). Random transfers can take a
        # store below zero on paper; top it up with an opening move so the invariant holds.
        cursor.execute(
            """
            WITH net AS (
              SELECT loc, item, sum(q) AS q FROM (
                SELECT to_location_id AS loc, item_id AS item, quantity AS q
                  FROM supplies_stockmove WHERE to_location_id = ANY(%(stores)s)
                UNION ALL
                SELECT from_location_id, item_id, -quantity
                  FROM supplies_stockmove WHERE from_location_id = ANY(%(stores)s)
              ) AS m GROUP BY loc, item
            )
            INSERT INTO supplies_stockmove
              (item_id, quantity, from_location_id, to_location_id, kind, amount, moved_at,
               document, note, created_at)
            SELECT item, -q, %(supplier)s, loc, 'opening', 0, %(start)s, '', '压测补足', now()
            FROM net WHERE q < 0
            """,
            {"stores": locs["stores"], "supplier": locs["suppliers"][0], "start": start},
        )
        cursor.execute(
            """
            DELETE FROM supplies_stockbalance WHERE location_id = ANY(%(stores)s);
            INSERT INTO supplies_stockbalance (location_id, item_id, quantity)
            SELECT loc, item, sum(q) FROM (
              SELECT to_location_id AS loc, item_id AS item, quantity AS q
                FROM supplies_stockmove WHERE to_location_id = ANY(%(stores)s)
              UNION ALL
              SELECT from_location_id, item_id, -quantity
                FROM supplies_stockmove WHERE from_location_id = ANY(%(stores)s)
            ) AS m GROUP BY loc, item
            """,
            {"stores": locs["stores"]},
        )
    rebuild_days(locs["stores"])


def rebuild_days(stores: list[int]) -> None:
    """StockDay from the moves (what post_moves keeps as it goes), for the bench's stores."""
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM supplies_stockday WHERE location_id = ANY(%s)", [stores])
        cursor.execute(
            """
            INSERT INTO supplies_stockday
              (location_id, item_id, day, kind, counterpart, qty_in, qty_out, amount_in, amount_out)
            SELECT loc, item, day, kind, other, sum(qi), sum(qo), sum(ai), sum(ao) FROM (
              SELECT to_location_id AS loc, item_id AS item,
                     (moved_at AT TIME ZONE %(tz)s)::date AS day, kind,
                     CASE WHEN from_location_id = ANY(%(stores)s) THEN from_location_id ELSE 0 END
                       AS other,
                     quantity AS qi, 0 AS qo, amount AS ai, 0 AS ao
                FROM supplies_stockmove WHERE to_location_id = ANY(%(stores)s)
              UNION ALL
              SELECT from_location_id, item_id, (moved_at AT TIME ZONE %(tz)s)::date, kind,
                     CASE WHEN to_location_id = ANY(%(stores)s) THEN to_location_id ELSE 0 END,
                     0, quantity, 0, amount
                FROM supplies_stockmove WHERE from_location_id = ANY(%(stores)s)
            ) AS m GROUP BY loc, item, day, kind, other
            """,
            {"stores": stores, "tz": settings.TIME_ZONE},
        )
        cursor.execute("VACUUM ANALYZE supplies_stockmove")
        cursor.execute("VACUUM ANALYZE supplies_stockbalance")
        cursor.execute("VACUUM ANALYZE supplies_stockday")


HAND_WRITTEN = """
SELECT item_id,
  sum(quantity) FILTER (WHERE inb AND (moved_at < %(lo)s OR (kind = 'opening' AND moved_at < %(hi)s)))
  - sum(quantity) FILTER (WHERE outb AND (moved_at < %(lo)s OR (kind = 'opening' AND moved_at < %(hi)s))),
  sum(quantity) FILTER (WHERE inb AND moved_at < %(hi)s) - sum(quantity) FILTER (WHERE outb AND moved_at < %(hi)s),
  sum(quantity) FILTER (WHERE inb AND per AND kind = 'purchase') - sum(quantity) FILTER (WHERE outb AND per AND kind = 'purchase'),
  sum(quantity) FILTER (WHERE inb AND per AND kind = 'donation') - sum(quantity) FILTER (WHERE outb AND per AND kind = 'donation'),
  sum(quantity) FILTER (WHERE inb AND per AND kind = 'processing_in') - sum(quantity) FILTER (WHERE outb AND per AND kind = 'processing_in'),
  sum(quantity) FILTER (WHERE outb AND per AND kind = 'processing_out') - sum(quantity) FILTER (WHERE inb AND per AND kind = 'processing_out'),
  sum(quantity) FILTER (WHERE outb AND per AND kind = 'issue') - sum(quantity) FILTER (WHERE inb AND per AND kind = 'issue'),
  sum(quantity) FILTER (WHERE inb AND per AND kind = 'transfer') - sum(quantity) FILTER (WHERE outb AND per AND kind = 'transfer'),
  sum(quantity) FILTER (WHERE rec AND to_location_id = ANY(%(stores)s)) - sum(quantity) FILTER (WHERE rec AND from_location_id = ANY(%(stores)s)),
  sum(amount) FILTER (WHERE rec AND to_location_id = ANY(%(stores)s)) - sum(amount) FILTER (WHERE rec AND from_location_id = ANY(%(stores)s))
FROM (
  SELECT item_id, quantity, amount, kind, moved_at, to_location_id, from_location_id,
         to_location_id = ANY(%(stores)s) AND NOT from_location_id = ANY(%(stores)s) AS inb,
         from_location_id = ANY(%(stores)s) AND NOT to_location_id = ANY(%(stores)s) AS outb,
         moved_at >= %(lo)s AND moved_at < %(hi)s AS per,
         kind IN ('opening', 'purchase', 'donation', 'processing_in') AND moved_at < %(hi)s AS rec
  FROM supplies_stockmove
  WHERE to_location_id = ANY(%(stores)s) OR from_location_id = ANY(%(stores)s)
) AS m
GROUP BY item_id
"""


HAND_WRITTEN_DAYS = """
SELECT item_id,
  sum(qty_in - qty_out) FILTER (WHERE mine AND (day < %(lo)s OR (kind = 'opening' AND day <= %(hi)s))),
  sum(qty_in - qty_out) FILTER (WHERE mine AND day <= %(hi)s),
  sum(qty_in - qty_out) FILTER (WHERE mine AND per AND kind = 'purchase'),
  sum(qty_in - qty_out) FILTER (WHERE mine AND per AND kind = 'donation'),
  sum(qty_in - qty_out) FILTER (WHERE mine AND per AND kind = 'processing_in'),
  sum(qty_out - qty_in) FILTER (WHERE mine AND per AND kind = 'processing_out'),
  sum(qty_out - qty_in) FILTER (WHERE mine AND per AND kind = 'issue'),
  sum(qty_in - qty_out) FILTER (WHERE mine AND per AND kind = 'transfer'),
  sum(qty_in - qty_out) FILTER (WHERE rec),
  sum(amount_in - amount_out) FILTER (WHERE rec)
FROM (
  SELECT item_id, kind, day, qty_in, qty_out, amount_in, amount_out,
         NOT counterpart = ANY(%(stores)s) AS mine,
         day >= %(lo)s AND day <= %(hi)s AS per,
         kind IN ('opening', 'purchase', 'donation', 'processing_in') AND day <= %(hi)s AS rec
  FROM supplies_stockday WHERE location_id = ANY(%(stores)s)
) AS d
GROUP BY item_id
"""


def main() -> None:
    from shuangying.supplies.models import StockDay

    locs = ensure_locations()
    have = StockMove.objects.count()
    if have < TARGET:
        generate(TARGET - have, locs)
    elif not StockDay.objects.filter(location_id__in=locs["stores"]).exists():
        rebuild_days(locs["stores"])
    total = StockMove.objects.count()
    end = START + timedelta(days=DAYS)
    rows = item_report(start=START, end=end)
    assert all(r.on_hand >= 0 for r in rows)
    stores = store_ids()
    lo, hi = period_bounds(START, end)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN, {"stores": stores, "lo": lo, "hi": hi})
            return cursor.fetchall()

    def raw_days():
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN_DAYS, {"stores": stores, "lo": START, "hi": end})
            return cursor.fetchall()

    days = StockDay.objects.count()
    by_report = timed(lambda: item_report(start=START, end=end), repeat=7, warmup=2)
    by_sql = timed(raw, repeat=5, warmup=1)
    by_sql_days = timed(raw_days, repeat=7, warmup=2)
    figure, base, base_days = median_ms(by_report), median_ms(by_sql), median_ms(by_sql_days)
    report(
        f"supplies item report over {total:,} moves ({len(rows)} items, {days:,} day rows)",
        f"{figure:.0f} ms",
        f"{base:.0f} ms hand-written SQL over the moves",
        figure / base,
        "<= 200 ms",
        figure <= 200,
    )
    report(
        "supplies item report, ORM vs the same aggregate hand-written over the day rows",
        f"{figure:.0f} ms",
        f"{base_days:.0f} ms hand-written SQL over StockDay",
        figure / base_days,
        "<= 200 ms",
        figure <= 200,
    )


if __name__ == "__main__":
    main()

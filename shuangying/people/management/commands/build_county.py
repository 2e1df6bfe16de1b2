"""``manage.py build_county``: a large county for benchmarks (see shuangying/people/demo.py).

It lives with people, not divisions: besides the tree it writes the persons, and divisions
sits below people."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shuangying.core.db import sql_log_off
from shuangying.divisions.models import Division
from shuangying.people import demo


class Command(BaseCommand):
    help = (
        "生成用于性能测试的大县（默认定州市130682,25个乡镇、约500个村）。"
        "Build a large county for benchmarks, e.g. --persons 1000000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=1_000_000)
        parser.add_argument("--townships", type=int, default=25)
        parser.add_argument("--villages-per-township", type=int, default=20)
        parser.add_argument("--code", default="130682", help="6-digit county code (GB/T 2260)")
        parser.add_argument("--name", default="定州市")
        parser.add_argument("--seed", type=int, default=demo.SEED)
        parser.add_argument("--batch-size", type=int, default=10_000)
        parser.add_argument(
            "--orm",
            action="store_true",
            help="write with bulk_create instead of COPY (PostgreSQL) or executemany (SQLite)",
        )

    def handle(self, *args, **o):
        code = o["code"]
        if len(code) != 6 or not code.isdigit():
            raise CommandError("--code 应为6位县级区划代码")
        if not 1 <= o["townships"] <= 300:
            raise CommandError("--townships 应在1到300之间")
        if o["persons"] < 0:
            raise CommandError("--persons 不能为负")
        if Division.objects.filter(path=f"{code}/").exists():
            self.stdout.write(f"{code} 已存在，未做任何修改。County {code} exists: nothing to do.")
            return
        done = 0
        step = max(o["persons"] // 20, 1)

        def progress(n: int) -> None:
            nonlocal done
            before, done = done, done + n
            if o["verbosity"] >= 1 and before // step != done // step and sys.stdout.isatty():
                self.stdout.write(f"  {done:,} / {o['persons']:,}", ending="\r")
                self.stdout.flush()

        with sql_log_off():
            summary = demo.build_county(
                persons=o["persons"],
                townships=o["townships"],
                villages_per_township=o["villages_per_township"],
                code=code,
                name=o["name"],
                seed=o["seed"],
                batch_size=o["batch_size"],
                fast=not o["orm"],
                progress=progress,
            )
        rate = summary.persons / summary.seconds if summary.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"{o['name']}（{code}）已生成 on {connection.vendor}：{summary.describe()}；"
                f"{rate:,.0f}人/秒"
            )
        )

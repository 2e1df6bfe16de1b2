"""``manage.py reevaluate_health_codes``: the stored colours of every person, recomputed
set-based. Run it daily after midnight (cron or the task queue) so that codes whose rule ran
out on that day turn back in the lists and dashboards; the code page never waits for it."""

import time

from django.core.management.base import BaseCommand

from shuangying.healthcodes.engine import reevaluate_all


class Command(BaseCommand):
    help = "重新计算所有人员的健康码（集合运算）。Re-evaluate every person's health code."

    def handle(self, *args, **options):
        start = time.perf_counter()
        changed = reevaluate_all()
        self.stdout.write(
            f"健康码已重新计算：{changed} 人变化，用时 {time.perf_counter() - start:.1f} 秒"
        )

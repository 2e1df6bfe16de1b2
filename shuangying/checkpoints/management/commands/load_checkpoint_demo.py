"""``manage.py load_checkpoint_demo``: checkpoint records shaped like Dingzhou's figures."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangying.checkpoints.demo import build_checkpoint_demo
from shuangying.divisions.models import Division


class Command(BaseCommand):
    help = (
        "在演示县载入卡口检查记录(定州的规模:16个交通卡口、检查25万人次、8.3万车次、发现发热49人),"
        "按 --scale 缩放。Checkpoint records in the shape of Dingzhou's figures, scaled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1 = full figures")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--county", help="county division code (default: the first county)")

    def handle(self, *args, scale: float, days: int, county: str | None, **options):
        if not settings.SHUANGYING_DEMO:
            raise CommandError("演示数据只能载入演示环境(SHUANGYING_DEMO=1)。")
        qs = Division.objects.filter(level=1)
        root = (qs.filter(code=county) if county else qs.order_by("path")).first()
        if root is None:
            raise CommandError("没有县级区划:请先运行 load_demo。")
        if not 0 < scale <= 1 or days < 1:
            raise CommandError("--scale 应在 (0, 1] 之间,--days 至少为1")
        made = build_checkpoint_demo(root, scale=scale, days=days)
        self.stdout.write(
            f"{root.name}:{made.checkpoints}个卡口,检查{made.persons}人次、{made.vehicles}车次,"
            f"发现发热{made.fevers}人,劝返{made.turned_back}人次。"
        )

"""``manage.py load_pass_demo``: places, closed-management rules and passes for the demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangying.divisions.models import Division
from shuangying.passes.demo import load_places_and_passes


class Command(BaseCommand):
    help = (
        "在演示县载入场所(含场所码)、封闭管理规则和通行证;已有场所时什么也不做。"
        "Demo places, rules and passes; a second run does nothing."
    )

    def handle(self, *args, **options):
        if not settings.SHUANGYING_DEMO:
            raise CommandError("演示数据只能载入演示环境(SHUANGYING_DEMO=1)。")
        root = Division.objects.filter(level=1).order_by("path").first()
        if root is None:
            raise CommandError("没有县级区划:请先运行 load_demo。")
        made = load_places_and_passes(root)
        if made is None:
            self.stdout.write("场所已存在,未做任何修改。Places already loaded: nothing to do.")
            return
        self.stdout.write(self.style.SUCCESS(f"{root.name}:{made.describe()}"))

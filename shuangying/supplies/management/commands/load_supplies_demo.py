"""``manage.py load_supplies_demo``: Quwo's emergency supplies ledger (seed 000) for the demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangying.divisions.models import Division
from shuangying.supplies.demo import load_supplies


class Command(BaseCommand):
    help = (
        "在演示县载入曲沃县应急物资台账(采购、捐赠、加工、41批次发放);已载入时什么也不做。"
        "Quwo's supplies ledger for the demo; a second run does nothing."
    )

    def handle(self, *args, **options):
        if not settings.SHUANGYING_DEMO:
            raise CommandError("演示数据只能载入演示环境(SHUANGYING_DEMO=1)。")
        root = Division.objects.filter(level=1).order_by("path").first()
        if root is None:
            raise CommandError("没有县级区划:请先运行 load_demo。")
        made = load_supplies(root)
        if made is None:
            self.stdout.write(
                "应急物资台账已存在,未做任何修改。Supplies already loaded: nothing to do."
            )
            return
        self.stdout.write(self.style.SUCCESS(f"{root.name}:{made.describe()}"))

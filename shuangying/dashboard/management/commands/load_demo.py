"""``manage.py load_demo``: the whole demo of ``make run`` (see shuangying/dashboard/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from shuangying.audit.context import audit_context
from shuangying.core.db import sql_log_off
from shuangying.dashboard import demo


class Command(BaseCommand):
    help = (
        "载入演示县（曲沃县）：区划与网格、约2万人、户、标签、行程、部门、包联、演示账号、"
        "风险地区与健康码、场所与通行证、卡口检查记录、应急物资台账。已载入的部分不再重复。"
        "Load the demo county; a second run does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons", type=int, default=20_000, help="number of persons (default 20000)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="remove the demo county first, then load it"
        )

    def handle(self, *args, persons: int, reset: bool, **options):
        if not settings.SHUANGYING_DEMO:
            raise CommandError(
                "演示数据只能载入演示环境（SHUANGYING_DEMO=1）：演示账号的密码是公开的。"
            )
        if persons < 300:
            raise CommandError("--persons 至少为300（251户的小区需要每户至少一人）")
        if reset:
            try:
                with audit_context(path="command:load_demo --reset"):
                    demo.reset_demo()
            except ProtectedError as exc:
                raise CommandError(
                    "其他数据引用了演示数据，无法重置；请删除数据库文件（var/shuangying.sqlite3）"
                    f"后重新运行 make run。({exc.args[0]})"
                ) from exc
            self.stdout.write("已删除原有演示数据。Old demo data removed.")
        # One request id for every audit row of the load (the demo's services audit their acts).
        with audit_context(path="command:load_demo"), sql_log_off():
            made = demo.load_demo(persons=persons)
        if not made.changed:
            self.stdout.write(
                "演示数据已存在，未做任何修改（如需重新载入请加 --reset）。"
                "Demo data already loaded: nothing to do."
            )
            return
        lines = "\n".join(f"  {step}" for step in made.steps)
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已载入 Demo loaded（{made.seconds:.1f}秒）：\n{lines}")
        )

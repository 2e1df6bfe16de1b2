"""``manage.py purge_checkins``: delete check-ins past their retention (run nightly)."""

from django.core.management.base import BaseCommand

from shuangying.checkins.services import purge_expired_checkins, retention_days


class Command(BaseCommand):
    help = "删除超过保存期限的扫码登记记录"

    def handle(self, *args, **options):
        deleted = purge_expired_checkins()
        self.stdout.write(f"已删除{retention_days()}天前的扫码登记 {deleted} 条")

"""``manage.py purge_checkins``: delete check-ins past their retention, and the persons
unbound check-ins created that nobody verified in that time (run nightly)."""

from django.core.management.base import BaseCommand

from shuangying.audit.context import audit_context
from shuangying.checkins.services import (
    purge_expired_checkins,
    purge_unverified_persons,
    retention_days,
)


class Command(BaseCommand):
    help = "删除超过保存期限的扫码登记记录，以及扫码新建且逾期未核实的人员"

    def handle(self, *args, **options):
        with audit_context(user=None, ip_address=None, path="task:purge_checkins"):
            deleted = purge_expired_checkins()
            persons = purge_unverified_persons()
        days = retention_days()
        self.stdout.write(f"已删除{days}天前的扫码登记 {deleted} 条")
        self.stdout.write(f"已删除扫码新建、{days}天内未核实的人员 {persons} 人")

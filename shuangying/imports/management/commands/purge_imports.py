"""Daily (cron or a systemd timer): fail import jobs whose worker died, and drop uploaded
ledgers and row-level reports kept past their retention (imports/lifecycle.py)."""

from django.core.management.base import BaseCommand

from shuangying.audit.context import audit_context
from shuangying.imports.lifecycle import purge


class Command(BaseCommand):
    help = "将进程已中止的导入任务标记为失败，并删除超过保留期限的上传文件和错误明细"

    def handle(self, *args, **options):
        with audit_context(user=None, ip_address=None, path="task:purge_imports"):
            counts = purge()
        self.stdout.write(
            "中止的任务 {abandoned} 个；待确认超期 {expired} 个；删除文件 {files} 个；"
            "清除错误明细 {reports} 份".format(**counts)
        )

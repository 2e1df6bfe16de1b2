"""manage.py verify_audit: check the audit log's hash chain (audit/chain.py); name the first
broken link of each broken shard and exit non-zero. Each shard's head is printed: keep the
output, and a later run that shows an earlier head as the last one reveals deleted newest rows."""

from django.core.management.base import BaseCommand, CommandError

from shuangying.audit.chain import verify


class Command(BaseCommand):
    help = "校验审计日志的哈希链，指出第一处断裂。"

    def handle(self, *args, **options):
        report = verify()
        for shard, (seq, digest) in sorted(report.heads.items()):
            self.stdout.write(f"分片 {shard}：{seq} 条，末条哈希 {digest}")
        if report.breaks:
            for b in report.breaks:
                self.stderr.write(f"断裂：{b}")
            raise CommandError(
                f"审计日志已被篡改：共 {report.rows} 条，{len(report.breaks)} 个分片断裂，"
                f"第一处：{report.breaks[0]}"
            )
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {report.rows} 条。"))

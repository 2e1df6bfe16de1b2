"""manage.py secure_audit_table: run once by the DBA after `migrate`, with the DBA's
connection (DATABASE_URL of a superuser). See docs/security.md and audit/protection.py."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shuangying.audit import protection


class Command(BaseCommand):
    help = "（PostgreSQL，由数据库管理员运行）审计表交给独立的所有者角色，应用角色只能插入和查询。"

    def add_arguments(self, parser):
        parser.add_argument("--app-role", help="应用连接数据库所用的角色；默认为审计表当前的所有者")
        parser.add_argument("--owner-role", help="审计表的新所有者；默认为 <应用角色>_audit_owner")
        parser.add_argument(
            "--release", action="store_true", help="把审计表交还应用角色（修改审计表的迁移之前）"
        )

    def handle(self, *args, app_role=None, owner_role=None, release=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "只适用于 PostgreSQL;SQLite 上的审计日志靠哈希链发现篡改（verify_audit）。"
            )
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if not app_role:
                    app_role = protection.table_owner(cursor)
                    cursor.execute(
                        "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [app_role]
                    )
                    if not cursor.fetchone()[0]:
                        raise CommandError(f"审计表已属于 {app_role}，请用 --app-role 指明应用角色")
                if release:
                    protection.release(cursor, app_role=app_role)
                    self.stdout.write(f"审计表已交还 {app_role}。迁移之后请再次运行本命令。")
                    return
                owner_role = owner_role or f"{app_role}_audit_owner"
                protection.secure(cursor, app_role=app_role, owner_role=owner_role)
                problems = protection.weaknesses(cursor, app_role=app_role)
        except (LookupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"审计表的所有者：{owner_role}；{app_role} 只能插入和查询。")
        for problem in problems:
            self.stderr.write(self.style.WARNING(f"仍有风险：{problem}"))

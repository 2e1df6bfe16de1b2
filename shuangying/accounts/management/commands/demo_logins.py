"""``manage.py demo_logins``: the demo accounts, their roles and divisions, and the password."""

import os
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from shuangying.accounts.demo import DEMO_ACCOUNTS
from shuangying.accounts.models import User
from shuangying.accounts.roles import role_label


def width(text: str) -> int:
    """Columns taken in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


class Command(BaseCommand):
    help = "列出演示账号、角色、管辖区划和密码。Print the demo accounts and the password."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host: str, port: str, **options):
        order = [a[0] for a in DEMO_ACCOUNTS]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=order, is_demo=True)
            .select_related("department")
            .prefetch_related("groups", "divisions")
        }
        if not users:
            self.stdout.write(
                "尚未载入演示数据：请先运行 manage.py load_demo。No demo accounts yet."
            )
            return
        header = ("用户名 username", "角色 role", "管辖 divisions / 部门 department")
        rows = []
        for username in order:
            user = users.get(username)
            if user is None:
                continue
            roles = "、".join(f"{role_label(g.name)} {g.name}" for g in user.groups.all())
            scope = "、".join(
                d.full_name() or d.name for d in sorted(user.divisions.all(), key=lambda d: d.path)
            )
            if user.department:
                scope = f"{scope} {user.department.name}".strip()
            rows.append((username, roles, scope or "—"))
        widths = [max(width(r[i]) for r in [header, *rows]) + 2 for i in range(2)]
        lines = [
            "",
            "双赢 Shuangying — 演示账号 demo accounts",
            f"地址 URL:       http://{host}:{port}",
            f"密码 password:  {settings.DEMO_PASSWORD}（所有演示账号相同 same for every account）",
            "",
            pad(header[0], widths[0]) + pad(header[1], widths[1]) + header[2],
            "-" * (widths[0] + widths[1] + width(header[2])),
        ]
        lines += [pad(u, widths[0]) + pad(r, widths[1]) + s for u, r, s in rows]
        lines.append("")
        self.stdout.write("\n".join(lines))

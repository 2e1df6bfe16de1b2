"""PostgreSQL: the audit table belongs to a role of its own, and the app's role may only
INSERT and SELECT on it, so the application's credentials cannot TRUNCATE, UPDATE, DELETE,
ALTER or DROP it, nor switch its append-only trigger off.

The database and its ``public`` schema go to that role too: the owner of a schema may drop
any table in it, and the owner of a database may drop the database. The app's role keeps
CONNECT, TEMPORARY and CREATE, and owns every other table, so ``migrate`` works as before
(except a migration that alters the audit table: ``--release`` first, secure again after).

Run by the DBA (``manage.py secure_audit_table`` with the DBA's DATABASE_URL), not by a
migration: a role that may create roles (CREATEROLE) can also grant itself the owner role
back, so an app role able to secure the table could just as well undo it."""

from __future__ import annotations

import re

TABLE = "audit_auditevent"
FUNCTION = "audit_event_append_only()"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"角色名不合规：{name!r}（只允许小写字母、数字和下划线）")
    return f'"{name}"'


def table_owner(cursor) -> str:
    cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"数据库中没有 {TABLE} 表，请先运行 migrate")
    return row[0]


def secure(cursor, *, app_role: str, owner_role: str) -> None:
    """Hand the table to ``owner_role`` (created NOLOGIN when missing) and leave ``app_role``
    INSERT and SELECT. The connection must be a superuser's, or a member of both roles."""
    app, owner = _ident(app_role), _ident(owner_role)
    if app_role == owner_role:
        raise ValueError("审计表的所有者角色不能是应用角色本身")
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner_role])
    if cursor.fetchone() is None:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
    cursor.execute("SELECT current_database()")
    database = _ident(cursor.fetchone()[0])
    cursor.execute(f"ALTER DATABASE {database} OWNER TO {owner}")
    cursor.execute(f"GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {database} TO {app}")
    cursor.execute(f"ALTER SCHEMA public OWNER TO {owner}")
    cursor.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {app}")
    cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {owner}")
    cursor.execute(f"ALTER FUNCTION {FUNCTION} OWNER TO {owner}")
    cursor.execute(f"REVOKE ALL ON {TABLE} FROM {app}")
    cursor.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {app}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cursor.fetchone()[0]
    if sequence:
        cursor.execute(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {app}")


def release(cursor, *, app_role: str) -> None:
    """Give the table back to the app's role: for a migration that alters it (then secure
    again)."""
    app = _ident(app_role)
    cursor.execute("SELECT current_database()")
    database = _ident(cursor.fetchone()[0])
    cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {app}")
    cursor.execute(f"ALTER FUNCTION {FUNCTION} OWNER TO {app}")
    cursor.execute("ALTER SCHEMA public OWNER TO pg_database_owner")
    cursor.execute(f"ALTER DATABASE {database} OWNER TO {app}")


def weaknesses(cursor, *, app_role: str) -> list[str]:
    """What still lets ``app_role`` erase or rewrite the log; empty when nothing does."""
    problems = []
    cursor.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [app_role])
    row = cursor.fetchone()
    if row is None:
        return [f"角色 {app_role} 不存在"]
    if row[0]:
        problems.append(f"{app_role} 是超级用户：可以做任何事")
    if row[1]:
        problems.append(f"{app_role} 有 CREATEROLE：可以把所有者角色授予自己")
    if table_owner(cursor) == app_role:
        problems.append(f"{app_role} 是审计表的所有者")
    cursor.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
    )
    if cursor.fetchone()[0] == app_role:
        problems.append(f"{app_role} 是数据库的所有者：可以删除整个数据库")
    cursor.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")
    if cursor.fetchone()[0] == app_role:
        problems.append(f"{app_role} 是 public 模式的所有者：可以删除其中任何表")
    for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app_role, TABLE, privilege])
        if cursor.fetchone()[0]:
            problems.append(f"{app_role} 对审计表有 {privilege} 权限")
    cursor.execute(
        "SELECT pg_has_role(%s, (SELECT tableowner FROM pg_tables WHERE tablename = %s), 'MEMBER')",
        [app_role, TABLE],
    )
    if cursor.fetchone()[0] and table_owner(cursor) != app_role:
        problems.append(f"{app_role} 是审计表所有者角色的成员")
    return problems

"""On PostgreSQL the app's role cannot erase or rewrite the audit log once the DBA has run
secure_audit_table (issue 17): TRUNCATE, UPDATE, DELETE, switching the trigger off and
dropping the table all fail; writing and reading the log still work.

Needs a DBA connection to the test database: SHUANGYING_PG_ADMIN, a libpq conninfo without
the database name (.ci/run sets it: "host=/tmp port=… user=postgres")."""

import os

import pytest
from django.db import connection

from shuangying.audit import protection
from shuangying.audit.chain import verify
from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.audit.services import record_event

ADMIN = os.environ.get("SHUANGYING_PG_ADMIN", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.skipif(not ADMIN, reason="SHUANGYING_PG_ADMIN (a DBA connection) not set"),
]

ATTEMPTS = [
    "TRUNCATE audit_auditevent",
    "UPDATE audit_auditevent SET summary = 'x'",
    "DELETE FROM audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_delete",
    "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
    "DROP TABLE audit_auditevent",
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS "
    "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
]


@pytest.fixture
def secured(transactional_db):
    import psycopg

    s = connection.settings_dict
    app_role = s["USER"]
    admin = psycopg.connect(f"{ADMIN} dbname={s['NAME']}", autocommit=True)
    app = psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=app_role, password=s["PASSWORD"], dbname=s["NAME"]
    )
    app.autocommit = True
    record_event(action=AuditAction.LOGIN, summary="加固之前")
    with admin.cursor() as cursor:
        protection.secure(cursor, app_role=app_role, owner_role=f"{app_role}_audit_owner")
    try:
        yield admin, app
    finally:
        with admin.cursor() as cursor:
            protection.release(cursor, app_role=app_role)
        app.close()
        admin.close()


@pytest.mark.parametrize("sql", ATTEMPTS)
def test_the_app_role_cannot_erase_or_rewrite(secured, sql):
    import psycopg

    _, app = secured
    with pytest.raises(psycopg.errors.InsufficientPrivilege), app.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(summary="加固之前").exists()


def test_granting_itself_update_does_not_help(secured):
    import psycopg

    _, app = secured
    with app.cursor() as cursor:
        cursor.execute("GRANT UPDATE, DELETE ON audit_auditevent TO CURRENT_USER")  # a warning
    with pytest.raises(psycopg.errors.InsufficientPrivilege), app.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x'")


def test_the_app_still_writes_reads_and_verifies(secured):
    admin, _ = secured
    record_event(action=AuditAction.LOGIN, summary="加固之后")
    assert set(AuditEvent.objects.values_list("summary", flat=True)) == {"加固之前", "加固之后"}
    assert verify().breaks == []
    with admin.cursor() as cursor:
        problems = protection.weaknesses(cursor, app_role=connection.settings_dict["USER"])
    assert problems == []


def test_role_names_are_checked():
    with pytest.raises(ValueError):
        protection._ident('shuangying"; DROP TABLE x; --')

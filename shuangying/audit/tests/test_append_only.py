"""The audit log is append-only (M2): the ORM refuses changes, and on PostgreSQL so does the
database (migration 0002's trigger), even for raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_event(action=AuditAction.LOGIN, summary="原始记录")


def test_save_of_an_existing_row_raises(event):
    event.summary = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始记录"


def test_instance_delete_raises(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_raises(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(reason="x")
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始记录"


def test_queryset_delete_raises(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_new_rows_can_still_be_added(event):
    record_event(action=AuditAction.LOGOUT, summary="第二条")
    assert AuditEvent.objects.count() == 2


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@postgres_only
@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET summary = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_update_and_delete_are_refused_by_the_database(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始记录"

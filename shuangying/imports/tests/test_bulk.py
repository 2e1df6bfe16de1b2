"""insert_rows: COPY with sequence ids on PostgreSQL, bulk_create elsewhere; same result."""

import pytest
from django.db import connection
from django.utils import timezone

from shuangying.imports.bulk import insert_rows
from shuangying.people.models import Household, Person
from shuangying.people.services import identity_fields, phone_fields

pytestmark = pytest.mark.django_db


def test_insert_rows_returns_the_new_ids_in_order(county):
    now = timezone.now()
    rows = [(county.grid1a.pk, f"N{i}", f"地址{i}", "", now, now) for i in range(5)]
    fields = ("division_id", "number", "address", "notes", "created_at", "updated_at")
    ids = insert_rows(Household, fields, rows)
    assert len(set(ids)) == 5
    assert [Household.objects.get(pk=pk).number for pk in ids] == [f"N{i}" for i in range(5)]
    # The ORM's next id does not collide with the ones taken for the insert.
    later = Household.objects.create(division=county.grid1a, number="X", address="x")
    assert later.pk not in ids
    assert insert_rows(Household, fields, []) == []


def test_insert_rows_person_fields_round_trip(county):
    now = timezone.now()
    ident = identity_fields("passport", "E12345678")
    phone = phone_fields("13900000000")
    fields = (
        *("name", "sex", "address", "relation_to_head", "workplace"),
        *ident,
        *phone,
        *("division_id", "is_verified", "created_at", "updated_at"),
    )
    row = (
        "甲",
        "U",
        "",
        "",
        "",
        *ident.values(),
        *phone.values(),
        county.grid1a.pk,
        True,
        now,
        now,
    )
    (pk,) = insert_rows(Person, fields, [row])
    person = Person.objects.get(pk=pk)
    assert person.reveal_id_number() == "E12345678" and person.reveal_phone() == "13900000000"
    assert abs((person.created_at - now).total_seconds()) < 5


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_postgres_uses_copy(county, django_assert_max_num_queries):
    now = timezone.now()
    rows = [(county.grid1a.pk, f"N{i}", "地址", "", now, now) for i in range(3000)]
    fields = ("division_id", "number", "address", "notes", "created_at", "updated_at")
    with django_assert_max_num_queries(2):  # nextval for the ids, then one COPY
        insert_rows(Household, fields, rows)
    assert Household.objects.count() == 3000

"""A4: the same narrowing on every list, count and single fetch."""

import pytest
from django.urls import reverse

from shuangying.people.models import Person
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona, visible",
    [
        ("county", {"in_grid1a", "in_grid1b", "in_grid2a"}),
        ("town1", {"in_grid1a", "in_grid1b"}),
        ("village1", {"in_grid1a", "in_grid1b"}),
        ("grid1a", {"in_grid1a"}),
        ("grid1b", {"in_grid1b"}),
        ("grid2a", {"in_grid2a"}),
        ("auditor", set()),
        ("admin", set()),
        ("checkpoint", set()),
    ],
)
def test_restrict(personas, people, persona, visible):
    expected = {getattr(people, name).pk for name in visible}
    assert set(Person.objects.restrict(personas[persona]).values_list("pk", flat=True)) == expected


def test_grid_worker_cannot_open_sibling_grid_person(client, personas, people):
    login(client, personas["grid1a"])
    assert (
        client.get(reverse("people:person_detail", args=[people.in_grid1a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("people:person_detail", args=[people.in_grid1b.pk])).status_code == 404
    )
    assert (
        client.get(reverse("people:person_detail", args=[people.in_grid2a.pk])).status_code == 404
    )
    page = client.get(reverse("people:person_list")).content.decode()
    assert "张一甲" in page and "李一乙" not in page and "王二甲" not in page


def test_list_masks_and_never_shows_plaintext(client, personas, people):
    login(client, personas["county"])
    html = client.get(reverse("people:person_list")).content.decode()
    plain = people.in_grid1a.reveal_id_number()
    assert plain not in html
    assert plain[:6] + "********" + plain[-4:] in html
    assert "13800001111" not in html and "138****1111" in html


def test_the_whole_tree_asks_the_database_no_condition(personas, people, county):
    """A user holding the county sees every person without a WHERE clause (even a tautology
    kept PostgreSQL from counting by index); narrower users get their path test; a department
    officer's own staff widen a narrower jurisdiction but leave the whole tree as it is."""
    from shuangying.accounts.models import Department
    from shuangying.testing import make_user

    whole = str(Person.objects.restrict(personas["county"]).query)
    assert "WHERE" not in whole
    assert "LIKE" in str(Person.objects.restrict(personas["town1"]).query)
    health = Department.objects.create(code="health_t", name="卫健局（测试）")
    staff = make_user("dept-all", "department_officer", [county.county], department=health)
    assert "WHERE" not in str(Person.objects.restrict(staff).query)
    local = make_user("dept-town", "department_officer", [county.town1], department=health)
    sql = str(Person.objects.restrict(local).query)
    assert "LIKE" in sql and "workplace_department_id" in sql

"""B1, B2, M1, M2 on the pages: search, forms, reveal, household file, audit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.people.models import Household, Person
from shuangying.people.services import create_household
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def person_list(client, **params):
    return client.get(reverse("people:person_list"), params, follow=True).content.decode()


def test_search_by_full_id_number_through_hash(client, personas, people):
    login(client, personas["county"])
    plain = people.in_grid1b.reveal_id_number()
    html = person_list(client, q=plain)
    assert "李一乙" in html and "张一甲" not in html
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).first()
    assert event.detail["q"] == "证件号码或电话（完整）"
    assert plain not in str(event.detail) and plain not in event.summary
    assert plain not in event.path


def test_full_identifier_search_never_reaches_a_url(client, personas, people):
    login(client, personas["county"])
    plain = people.in_grid1b.reveal_id_number()
    response = client.post(reverse("people:person_list"), {"q": plain, "sort": "name"})
    assert response.status_code == 302
    assert plain not in response.url and "h=" in response.url and "sort=name" in response.url
    html = client.get(response.url).content.decode()
    assert "李一乙" in html and "张一甲" not in html and plain not in html
    # Typed into the address bar, it is replaced by the hash at once.
    typed = client.get(reverse("people:person_list"), {"q": "13800002222"})
    assert typed.status_code == 302 and "13800002222" not in typed.url
    # A forged hash finds nobody.
    assert "共 0 人" in person_list(client, h="zz")


def test_search_by_last_four_name_and_phone(client, personas, people):
    login(client, personas["county"])
    assert "王二甲" in person_list(client, q=people.in_grid2a.id_last4)
    assert "王二甲" in person_list(client, q="3333")
    assert "王二甲" in person_list(client, q="13800003333")
    html = person_list(client, q="王二")
    assert "王二甲" in html and "张一甲" not in html
    assert "王二甲" not in person_list(client, q="二甲")  # names match from the surname


def test_search_stays_inside_jurisdiction(client, personas, people):
    login(client, personas["grid1a"])
    assert "李一乙" not in person_list(client, q=people.in_grid1b.reveal_id_number())
    assert "共 0 人" in person_list(client, q="2222")


def test_filters_and_sort(client, personas, people, county):
    login(client, personas["county"])
    html = person_list(client, division=county.town2.pk)
    assert "王二甲" in html and "张一甲" not in html
    html = person_list(client, sort="-name")
    assert html.index("王二甲") < html.index("李一乙")
    # A division outside the user's reach is an invalid choice, not a leak.
    login(client, personas["grid1a"])
    assert "共 1 人" in person_list(client, division=county.town2.pk)


def test_list_query_count_does_not_grow_with_page_size(client, personas, county):
    from datetime import date

    from shuangying.people.identity import make_resident_id
    from shuangying.people.services import register_person

    for i in range(60):
        register_person(
            actor=None,
            name=f"测{i:02d}",
            division=county.grid1a,
            id_number=make_resident_id("130682", date(1990, 1, 1), 100 + i),
        )
    login(client, personas["county"])
    counts = {}
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("people:person_list"), {"size": size}).status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert counts[20] == counts[100]


def test_create_person_with_bad_id_number_says_why(client, personas, county):
    login(client, personas["grid1a"])
    response = client.post(
        reverse("people:person_create"),
        {
            "name": "赵新",
            "document_type": "resident_id",
            "id_number": "110105194912310021",
            "division": county.grid1a.pk,
        },
    )
    assert response.status_code == 400
    assert "校验位错误" in response.content.decode()
    assert not Person.objects.filter(name="赵新").exists()


def test_create_person_then_duplicate_opens_existing(client, personas, county):
    login(client, personas["grid1a"])
    data = {
        "name": "赵新",
        "document_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13900001234",
        "division": county.grid1a.pk,
    }
    first = client.post(reverse("people:person_create"), data)
    person = Person.objects.get(name="赵新")
    assert first.status_code == 302 and first.url == person.get_absolute_url()
    assert person.sex == "F" and str(person.birth_date) == "1949-12-31"
    second = client.post(reverse("people:person_create"), {**data, "name": "赵新二"})
    assert second.url == person.get_absolute_url()
    assert Person.objects.count() == 1


def test_grid_worker_cannot_place_person_in_sibling_grid(client, personas, county):
    login(client, personas["grid1a"])
    response = client.post(
        reverse("people:person_create"),
        {
            "name": "赵新",
            "document_type": "resident_id",
            "id_number": "11010519491231002X",
            "division": county.grid1b.pk,
        },
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_edit_keeps_phone_when_left_blank(client, personas, people, county):
    login(client, personas["grid1a"])
    person = people.in_grid1a
    url = reverse("people:person_update", args=[person.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "张一甲改", "division": county.grid1a.pk, "phone": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "张一甲改" and person.reveal_phone() == "13800001111"
    assert (
        client.get(reverse("people:person_update", args=[people.in_grid1b.pk])).status_code == 404
    )


def test_reveal_needs_purpose_and_reason_and_is_audited(client, personas, people):
    login(client, personas["town1"])
    url = reverse("people:person_reveal", args=[people.in_grid1a.pk])
    assert client.post(url, {"purpose": "contact", "reason": ""}).status_code == 400
    punctuation = client.post(url, {"purpose": "contact", "reason": "。。。!!!"})
    assert punctuation.status_code == 400 and "查看原因" in punctuation.content.decode()
    no_purpose = client.post(url, {"reason": "电话回访核实"})
    assert no_purpose.status_code == 400
    response = client.post(url, {"purpose": "contact", "reason": "电话回访核实"})
    plain = people.in_grid1a.reveal_id_number()
    assert plain in response.content.decode()
    # Plaintext is never kept by a browser or a proxy (issue 17).
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.reason == "电话联系本人：电话回访核实" and event.username == "town1"
    outside = reverse("people:person_reveal", args=[people.in_grid2a.pk])
    assert client.post(outside, {"purpose": "contact", "reason": "x" * 5}).status_code == 404


def test_reveal_page_refuses_beyond_the_limit(client, personas, people, settings):
    settings.PEOPLE_RATE_LIMITS = {"reveal": {"default": 1}}
    login(client, personas["town1"])
    url = reverse("people:person_reveal", args=[people.in_grid1a.pk])
    body = {"purpose": "contact", "reason": "电话回访核实"}
    assert client.post(url, body).status_code == 200
    refused = client.post(url, body)
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert people.in_grid1a.reveal_id_number() not in refused.content.decode()
    assert "no-store" in refused["Cache-Control"]


def test_grid_workers_do_not_reveal(client, personas, people):
    login(client, personas["grid1a"])
    url = reverse("people:person_reveal", args=[people.in_grid1a.pk])
    assert client.post(url, {"purpose": "contact", "reason": "电话回访核实"}).status_code == 403


def test_roles_without_reveal_cannot(client, personas, people):
    login(client, personas["dept"])
    url = reverse("people:person_reveal", args=[people.in_grid1a.pk])
    assert client.post(url, {"reason": "想看看"}).status_code == 403


def test_household_file_prints_members(client, personas, people, county):
    household = create_household(
        actor=None, division=county.grid1a, number="H001", address="东村一组1号"
    )
    Person.objects.filter(pk=people.in_grid1a.pk).update(
        household=household, relation_to_head="head"
    )
    login(client, personas["grid1a"])
    html = client.get(household.get_absolute_url()).content.decode()
    assert "张一甲" in html and "户主" in html and "data-print" in html
    assert "打印人：grid1a" in html
    login(client, personas["grid1b"])
    assert client.get(household.get_absolute_url()).status_code == 404
    assert Household.objects.restrict(personas["grid1b"]).count() == 0


def test_detail_view_is_audited(client, personas, people):
    login(client, personas["county"])
    client.get(people.in_grid2a.get_absolute_url())
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="person", object_id=str(people.in_grid2a.pk)
    ).exists()


def test_stored_columns_hold_no_plaintext(people):
    plain_id = people.in_grid1a.reveal_id_number()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert plain_id not in dump and "13800001111" not in dump


def test_staff_survey_ledger(client, personas, people, county):
    Person.objects.filter(pk=people.in_grid2a.pk).update(workplace_department=county.health)
    login(client, personas["dept"])
    url = reverse("people:staff_survey_create")
    form = client.get(url).content.decode()
    assert "王二甲" in form and "张一甲" not in form
    bad = client.post(
        url,
        {
            "person": people.in_grid2a.pk,
            "survey_date": "2020-02-03",
            "holiday_whereabouts": "在家",
            "health_status": "normal",
            "temperature": "45.0",
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "person": people.in_grid2a.pk,
            "survey_date": "2020-02-03",
            "holiday_whereabouts": "回武汉探亲",
            "left_county": "on",
            "health_status": "normal",
            "temperature": "36.5",
        },
    )
    assert ok.status_code == 302
    html = client.get(reverse("people:staff_survey_list")).content.decode()
    assert "回武汉探亲" in html and "王二甲" in html
    # Another department's officer or a grid worker does not see the ledger's rows.
    login(client, personas["grid2a"])
    assert client.get(reverse("people:staff_survey_list")).status_code == 403


def test_the_form_refuses_a_number_registered_elsewhere_and_audits_it(client, personas, people):
    login(client, personas["town1"])
    response = client.post(
        reverse("people:person_create"),
        {
            "name": "试探",
            "document_type": "resident_id",
            "id_number": people.in_grid2a.reveal_id_number(),
            "division": people.in_grid1a.division_id,
        },
    )
    assert response.status_code == 400
    assert "已在其他辖区登记" in str(response.context["form"].errors["id_number"])
    assert "王二甲" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.SEARCH, object_id=str(people.in_grid2a.pk))
    assert event.detail == {"kind": "exists_elsewhere"} and event.username == "town1"

"""Persons and households over the API (B1, B2, A4, M1, M2): jurisdiction, masking, search,
pagination, validation errors, one person one record, audit rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangying.audit.models import AuditEvent
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Household, Person, Tag
from shuangying.people.services import register_person
from shuangying.testing import login

pytestmark = pytest.mark.django_db

NEW_ID = make_resident_id("130682", date(1990, 5, 6), 21)


def new_person(division, **extra):
    return {
        "name": "赵新",
        "id_number": NEW_ID,
        "phone": "13900009999",
        "division": division.pk,
        **extra,
    }


def ids(response):
    return {item["id"] for item in response.json()["items"]}


# --- jurisdiction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, visible",
    [
        ("county", {"in_grid1a", "in_grid1b", "in_grid2a"}),
        ("town1", {"in_grid1a", "in_grid1b"}),
        ("grid1a", {"in_grid1a"}),
        ("grid2a", {"in_grid2a"}),
    ],
)
def test_person_list_is_restricted(client, personas, people, persona, visible):
    login(client, personas[persona])
    response = client.get("/api/persons")
    assert response.status_code == 200
    assert ids(response) == {getattr(people, name).pk for name in visible}
    assert response.json()["count"] == len(visible)


def test_grid_worker_gets_404_outside_the_grid_on_every_person_route(client, personas, people):
    login(client, personas["grid1a"])
    for other in (people.in_grid1b, people.in_grid2a):
        url = f"/api/persons/{other.pk}"
        assert client.get(url).status_code == 404
        patch = client.patch(url, {"name": "改名"}, content_type="application/json")
        assert patch.status_code == 404
        reveal = client.post(
            f"{url}/reveal", {"purpose": "contact", "reason": "核实身份信息"}, "application/json"
        )
        assert reveal.status_code == 403  # grid workers do not reveal at all
        assert client.get(f"/api/persons?id_number={other.reveal_id_number()}").json()["count"] == 0
    other = Person.objects.get(pk=people.in_grid1b.pk)
    assert other.name == "李一乙"
    assert client.get(f"/api/persons/{people.in_grid1a.pk}").status_code == 200


def test_not_found_is_json(client, personas, people):
    login(client, personas["grid1a"])
    body = client.get(f"/api/persons/{people.in_grid2a.pk}").json()
    assert body["code"] == "not_found" and "管辖范围" in body["message"]


def test_role_without_person_permission_is_403(client, personas, people):
    login(client, personas["auditor"])
    response = client.get("/api/persons")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_household_jurisdiction(client, county, personas, people):
    mine = Household.objects.create(division=county.grid1a, number="A-1", address="东村1号")
    theirs = Household.objects.create(division=county.grid2a, number="B-1", address="西村1号")
    Person.objects.filter(pk=people.in_grid1a.pk).update(household=mine, relation_to_head="head")
    login(client, personas["grid1a"])
    listed = client.get("/api/households")
    assert ids(listed) == {mine.pk}
    assert client.get(f"/api/households/{theirs.pk}").status_code == 404
    detail = client.get(f"/api/households/{mine.pk}").json()
    assert [m["id"] for m in detail["members"]] == [people.in_grid1a.pk]
    assert detail["member_count"] == 1
    # Placing a person in a household outside the jurisdiction is refused, naming the field.
    response = client.post(
        "/api/persons",
        new_person(county.grid1a, household=theirs.pk),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "household"


def test_household_members_outside_jurisdiction_are_left_out(client, county, personas, people):
    household = Household.objects.create(division=county.village1, number="V-1", address="东村")
    Person.objects.filter(pk__in=[people.in_grid1a.pk, people.in_grid1b.pk]).update(
        household=household
    )
    login(client, personas["village1"])
    assert len(client.get(f"/api/households/{household.pk}").json()["members"]) == 2
    login(client, personas["grid1a"])
    # The household lives in the village, above grid1a: not visible at all.
    assert client.get(f"/api/households/{household.pk}").status_code == 404


def test_cannot_register_outside_jurisdiction(client, county, personas):
    login(client, personas["grid1a"])
    response = client.post(
        "/api/persons", new_person(county.grid2a), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "division"
    # The village above the grid is visible (breadcrumbs) but not the grid worker's to fill.
    response = client.post(
        "/api/persons", new_person(county.village1), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "division_outside_jurisdiction"
    assert not Person.objects.filter(name="赵新").exists()


# --- masking and reveal (M1) ----------------------------------------------------------------


def test_list_and_detail_are_masked(client, personas, people):
    login(client, personas["county"])
    person = people.in_grid1a
    plain_id, plain_phone = person.reveal_id_number(), person.reveal_phone()
    for url in ("/api/persons", f"/api/persons/{person.pk}"):
        body = client.get(url).content.decode()
        assert plain_id not in body and plain_phone not in body
        assert plain_id[:6] + "********" + plain_id[-4:] in body
        assert "138****1111" in body


def test_reveal_needs_a_purpose_and_a_reason_and_is_audited(client, personas, people):
    login(client, personas["town1"])
    person = people.in_grid1a
    url = f"/api/persons/{person.pk}/reveal"
    for purpose, reason, field in (
        ("verify_identity", "x", "reason"),
        ("verify_identity", "……!!!。。", "reason"),
        ("verify_identity", "1111", "reason"),
        ("curiosity", "核实返乡人员身份", "purpose"),
    ):
        refused = client.post(url, {"purpose": purpose, "reason": reason}, "application/json")
        assert refused.status_code == 422, (purpose, reason)
        assert refused.json()["field"] == field
        assert ("查看原因" if field == "reason" else "查看用途") in refused.json()["message"]
    assert not AuditEvent.objects.filter(action="reveal").exists()
    response = client.post(
        url, {"purpose": "verify_identity", "reason": "核实返乡人员身份"}, "application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "id_number": person.reveal_id_number(),
        "phone": "13800001111",
    }
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="reveal")
    assert event.reason == "核实身份：核实返乡人员身份" and event.username == "town1"
    assert person.reveal_id_number() not in str(event.detail) + event.summary


def test_township_officer_cannot_reveal_outside_the_township(client, personas, people):
    login(client, personas["town1"])
    url = f"/api/persons/{people.in_grid2a.pk}/reveal"
    body = {"purpose": "contact", "reason": "电话联系本人"}
    assert client.post(url, body, "application/json").status_code == 404


def test_reveals_are_limited_per_user_and_alert_security(client, personas, people, settings):
    settings.PEOPLE_RATE_LIMITS = {"reveal": {"default": 3}}
    login(client, personas["town1"])
    url = f"/api/persons/{people.in_grid1a.pk}/reveal"
    body = {"purpose": "contact", "reason": "电话回访核实"}
    answers = [client.post(url, body, "application/json") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].json()["code"] == "rate_limited"
    assert "已通知安全管理员" in answers[3].json()["message"]
    assert people.in_grid1a.reveal_id_number() not in answers[4].content.decode()
    assert AuditEvent.objects.filter(action="reveal").count() == 3
    alerts = AuditEvent.objects.filter(action="security", username="town1")
    assert alerts.count() == 1  # one alert per window, not one per refusal
    assert alerts.get().detail["limit"] == "reveal"
    # Another user's allowance is their own.
    login(client, personas["county"])
    assert client.post(url, body, "application/json").status_code == 200


def test_reveal_limit_is_configurable_by_role(personas, settings):
    from shuangying.people.limits import limit_for

    settings.PEOPLE_RATE_LIMITS = {"reveal": {"default": 5, "county_commander": 50}}
    assert limit_for(personas["town1"], "reveal") == 5
    assert limit_for(personas["county"], "reveal") == 50


# --- search ---------------------------------------------------------------------------------


def test_exact_id_number_search_goes_through_the_hash(client, personas, people):
    login(client, personas["county"])
    person = people.in_grid2a
    plain = person.reveal_id_number()
    response = client.get(f"/api/persons?id_number={plain}")
    assert ids(response) == {person.pk}
    # The same through the list's search box, which the HTML list uses too.
    assert ids(client.get(f"/api/persons?q={plain}")) == {person.pk}
    assert ids(client.get("/api/persons?q=13800003333")) == {person.pk}
    # The audit row says what kind of search it was, never the number.
    for event in AuditEvent.objects.filter(object_type="person"):
        assert plain not in str(event.detail) + event.summary + event.path
        assert "13800003333" not in str(event.detail) + event.summary + event.path
    assert AuditEvent.objects.filter(action="search").count() == 3


def test_search_by_post_keeps_the_number_out_of_the_url(client, personas, people):
    login(client, personas["grid1a"])
    mine, other = people.in_grid1a, people.in_grid2a
    response = client.post(
        "/api/persons/search",
        {"id_number": mine.reveal_id_number(), "limit": 5},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert ids(response) == {mine.pk} and response.json()["limit"] == 5
    # Outside the jurisdiction the same search finds nothing.
    response = client.post(
        "/api/persons/search",
        {"q": other.reveal_id_number()},
        content_type="application/json",
    )
    assert response.json()["count"] == 0
    first, second = AuditEvent.objects.filter(action="search").order_by("id")
    assert first.path == second.path == "/api/persons/search"
    assert first.detail["id_number"] == second.detail["q"] == "证件号码（完整）"


def test_bad_id_number_search_is_422(client, personas, people):
    login(client, personas["county"])
    response = client.get("/api/persons?id_number=130682198001020000")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_id_number"


def test_last_four_search(client, personas, people):
    login(client, personas["county"])
    person = people.in_grid1b
    last4 = person.reveal_id_number()[-4:]
    assert person.pk in ids(client.get(f"/api/persons?q={last4}"))
    assert ids(client.get("/api/persons?q=2222")) == {person.pk}  # phone 13800002222


def test_filters_match_the_html_list(client, county, personas, people):
    tag = Tag.objects.get(code="returnee")
    people.in_grid1b.tags.add(tag)
    Person.objects.filter(pk=people.in_grid2a.pk).update(is_verified=False)
    login(client, personas["county"])
    assert ids(client.get("/api/persons?tag=returnee")) == {people.in_grid1b.pk}
    assert ids(client.get("/api/persons?verified=no")) == {people.in_grid2a.pk}
    assert ids(client.get(f"/api/persons?division={county.town1.pk}")) == {
        people.in_grid1a.pk,
        people.in_grid1b.pk,
    }
    assert ids(client.get("/api/persons?q=王二")) == {people.in_grid2a.pk}
    assert ids(client.get("/api/persons?sex=F")) == {people.in_grid1b.pk}
    names = [p["name"] for p in client.get("/api/persons?sort=-name").json()["items"]]
    assert names == sorted(names, reverse=True)
    assert client.get("/api/persons?tag=returnee").json()["items"][0]["tags"] == ["returnee"]


def test_invalid_filter_is_422_naming_the_field(client, county, personas, people):
    login(client, personas["grid1a"])
    # A division outside the jurisdiction is not a valid choice for this user's filter.
    response = client.get(f"/api/persons?division={county.grid2a.pk}")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "division" and body["message"].startswith("区划：")
    response = client.get("/api/persons?sort=age")
    assert response.status_code == 422 and response.json()["field"] == "sort"


# --- pagination -----------------------------------------------------------------------------


def test_pagination(client, county, personas, people):
    for seq in range(30, 45):
        register_person(
            actor=None,
            name=f"测试{seq}",
            id_number=make_resident_id("130682", date(1970, 1, 1), seq),
            division=county.grid1a,
        )
    login(client, personas["county"])
    first = client.get("/api/persons?limit=10").json()
    second = client.get("/api/persons?limit=10&offset=10").json()
    assert first["count"] == second["count"] == 18
    assert len(first["items"]) == 10 and len(second["items"]) == 8
    assert not ids_of(first) & ids_of(second)
    assert client.get("/api/persons?limit=0").status_code == 422
    assert client.get("/api/persons?limit=201").status_code == 422


def ids_of(page):
    return {item["id"] for item in page["items"]}


def test_list_query_count_does_not_grow_with_page_size(client, county, personas, people):
    tag = Tag.objects.get(code="returnee")
    for seq in range(100, 160):
        person = register_person(
            actor=None,
            name=f"测试{seq}",
            id_number=make_resident_id("130682", date(1970, 1, 1), seq),
            division=county.grid1a,
        ).person
        person.tags.add(tag)
    login(client, personas["county"])

    def queries(url):
        client.get(url)  # warm the per-request caches the same way for both
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["items"])

    small, small_items = queries("/api/persons?limit=10")
    large, large_items = queries("/api/persons?limit=100")
    assert (small_items, large_items) == (10, 63)
    assert small == large

    household_small, _ = queries("/api/households?limit=10")
    household_large, _ = queries("/api/households?limit=100")
    assert household_small == household_large


# --- writes ---------------------------------------------------------------------------------


def test_register_person(client, county, personas):

    login(client, personas["grid1a"])
    response = client.post(
        "/api/persons",
        new_person(county.grid1a, tags=["returnee"], relation_to_head="head"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["sex"] == "M" and body["birth_date"] == "1990-05-06"
    assert body["id_number_masked"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert body["phone_masked"] == "139****9999"
    assert body["tags"] == ["returnee"]
    assert NEW_ID not in response.content.decode()
    event = AuditEvent.objects.get(action="create", object_type="person")
    assert event.username == "grid1a" and NEW_ID not in event.summary


def test_register_existing_number_returns_the_record(client, county, personas, people):
    login(client, personas["town1"])
    existing = people.in_grid1b
    payload = new_person(county.grid1a, id_number=existing.reveal_id_number(), name="另一个名字")
    response = client.post("/api/persons", payload, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["created"] is False and body["id"] == existing.pk and body["name"] == "李一乙"
    assert Person.objects.count() == 3


def test_register_existing_number_outside_jurisdiction_is_409(client, county, personas, people):
    login(client, personas["grid1a"])
    payload = new_person(county.grid1a, id_number=people.in_grid2a.reveal_id_number())
    response = client.post("/api/persons", payload, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "person_exists_elsewhere" and body["field"] == "id_number"
    assert "王二甲" not in response.content.decode()
    event = AuditEvent.objects.get(action="search", object_id=str(people.in_grid2a.pk))
    assert event.username == "grid1a" and event.detail == {"kind": "exists_elsewhere"}


def test_exists_elsewhere_answers_are_limited(client, county, personas, people, settings):
    """After the limit every registration is refused, so that the refusal itself tells
    nothing about whether a number is registered."""
    settings.PEOPLE_RATE_LIMITS = {"exists_elsewhere": {"default": 2}}
    login(client, personas["grid1a"])
    elsewhere = new_person(county.grid1a, id_number=people.in_grid2a.reveal_id_number())
    codes = [
        client.post("/api/persons", elsewhere, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [409, 409, 429]
    fresh = client.post("/api/persons", new_person(county.grid1a), content_type="application/json")
    assert fresh.status_code == 429 and fresh.json()["code"] == "rate_limited"
    assert Person.objects.count() == 3  # the fresh number was not registered either
    assert AuditEvent.objects.filter(action="security", username="grid1a").count() == 1


def test_patch_person(client, county, personas, people):
    login(client, personas["grid1a"])
    person = people.in_grid1a
    response = client.patch(
        f"/api/persons/{person.pk}",
        {"name": "张一改", "phone": "0357-7654321", "is_verified": False},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "张一改" and body["is_verified"] is False
    assert body["phone_masked"] == "0357-*****21"
    person.refresh_from_db()
    assert person.reveal_phone() == "0357-7654321"
    assert person.division_id == county.grid1a.pk  # untouched
    event = AuditEvent.objects.get(action="update", object_type="person")
    assert set(event.detail["fields"]) == {"name", "is_verified", "phone"}


def test_patch_without_change_permission_is_403(client, county, personas, people):
    from shuangying.testing import make_user

    reader = make_user("reader", "department_officer", department=county.health)
    Person.objects.filter(pk=people.in_grid1a.pk).update(workplace_department=county.health)
    login(client, reader)
    url = f"/api/persons/{people.in_grid1a.pk}"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "改"}, content_type="application/json").status_code == 403


def test_create_household_and_duplicate_number(client, county, personas):
    login(client, personas["grid1a"])
    payload = {"division": county.grid1a.pk, "number": "A-9", "address": "东村9号"}
    response = client.post("/api/households", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["members"] == []
    again = client.post("/api/households", payload, content_type="application/json")
    assert again.status_code == 409
    assert again.json() == {
        "code": "duplicate_household",
        "message": "户编号：该区划内已有相同的户编号",
        "field": "number",
    }
    assert Household.objects.count() == 1
    above = client.post(
        "/api/households",
        {"division": county.village1.pk, "number": "V-9", "address": "东村"},
        content_type="application/json",
    )
    assert above.status_code == 403
    assert above.json()["message"].startswith("所在区划：")


# --- validation errors ----------------------------------------------------------------------


def post_person(client, payload):
    return client.post("/api/persons", payload, content_type="application/json")


def test_bad_id_number(client, county, personas):
    login(client, personas["grid1a"])
    bad = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    response = post_person(client, new_person(county.grid1a, id_number=bad))
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_id_number",
        "message": "证件号码：身份证号码校验位错误",
        "field": "id_number",
    }


def test_bad_phone(client, county, personas):
    login(client, personas["grid1a"])
    response = post_person(client, new_person(county.grid1a, phone="12345"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_phone" and body["field"] == "phone"
    assert body["message"].startswith("联系电话：")


def test_missing_name(client, county, personas):
    login(client, personas["grid1a"])
    payload = new_person(county.grid1a)
    del payload["name"]
    response = post_person(client, payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["field"] == "name"
    assert body["message"] == "姓名：必填"
    assert body["errors"] == [{"field": "name", "code": "missing", "message": "姓名：必填"}]


def test_blank_name(client, county, personas):
    login(client, personas["grid1a"])
    response = post_person(client, new_person(county.grid1a, name=""))
    assert response.status_code == 422
    assert response.json()["message"] == "姓名：不能为空"
    response = post_person(client, new_person(county.grid1a, name="   "))
    assert response.status_code == 422
    assert response.json()["field"] == "name" and "姓名" in response.json()["message"]


def test_wrong_types(client, county, personas):
    login(client, personas["grid1a"])
    payload = new_person(county.grid1a, name=123, is_verified="maybe", sex="X")
    payload["division"] = "abc"
    response = post_person(client, payload)
    assert response.status_code == 422
    body = response.json()
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages == {
        "name": "姓名：应为文本",
        "division": "所属网格：应为整数",
        "is_verified": "已核实：应为 true 或 false",
        "sex": "性别：取值应为 'M'、'F'、'U' 之一",
    }


def test_bad_query_parameter(client, personas, people):
    login(client, personas["county"])
    response = client.get("/api/persons?limit=abc")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "limit", "code": "int_parsing", "message": "每页条数：应为整数"}
    ]


def test_invalid_json_and_missing_body(client, county, personas):
    login(client, personas["grid1a"])
    response = client.post("/api/persons", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    response = client.post("/api/persons", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "姓名：必填；证件号码：必填；所属网格：必填"


def test_patch_null_for_required_field_is_422(client, personas, people):
    login(client, personas["grid1a"])
    response = client.patch(
        f"/api/persons/{people.in_grid1a.pk}", {"name": None}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "name"


# --- audit (M2) -----------------------------------------------------------------------------


def test_every_read_of_persons_is_audited(client, county, personas, people):
    household = Household.objects.create(division=county.grid1a, number="A-1", address="东村1号")
    login(client, personas["grid1a"])
    client.get("/api/persons")
    client.get(f"/api/persons/{people.in_grid1a.pk}")
    client.get("/api/persons?q=张")
    client.get("/api/households")
    client.get(f"/api/households/{household.pk}")
    rows = list(
        AuditEvent.objects.filter(username="grid1a")
        .order_by("id")
        .values_list("action", "object_type", "username")
    )
    assert rows == [
        ("list", "person", "grid1a"),
        ("view", "person", "grid1a"),
        ("search", "person", "grid1a"),
        ("list", "household", "grid1a"),
        ("view", "household", "grid1a"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_parallel_reveals_cannot_slip_past_the_limit(personas, people, settings):
    """The 300-in-3-seconds case: requests in parallel all counting the same rows."""
    import threading

    from django.db import connections

    from shuangying.people.limits import RateLimited
    from shuangying.people.reveals import reveal_person_fields

    settings.PEOPLE_RATE_LIMITS = {"reveal": {"default": 3}}
    user, person = personas["town1"], people.in_grid1a
    outcomes, start = [], threading.Barrier(8)

    def reveal():
        try:
            start.wait()
            reveal_person_fields(
                actor=user, person=person, purpose="contact", reason="电话回访核实"
            )
            outcomes.append("ok")
        except RateLimited:
            outcomes.append("limited")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reveal) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["limited"] * 5 + ["ok"] * 3
    assert AuditEvent.objects.filter(action="reveal").count() == 3

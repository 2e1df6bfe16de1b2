"""The API as a whole: the OpenAPI document, and a permission matrix that every route in it
must appear in (a new route without an entry fails here). Every answer is also checked for
plaintext document numbers and phones (M1)."""

from datetime import date

import pytest

from shuangying.people.identity import make_resident_id
from shuangying.people.models import Household
from shuangying.testing import PASSWORD, login

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "grid1a", "town1", "county", "auditor")
NEW_ID = make_resident_id("130682", date(1995, 3, 4), 31)


def _statuses(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


READ = _statuses(401, 200, 200, 200, 403)
CREATE = _statuses(401, 201, 201, 201, 403)
# Checkpoint records: township officers and the county (not grid workers) hold the codenames.
CHECKPOINT_READ = _statuses(401, 403, 200, 200, 403)
CHECKPOINT_CREATE = _statuses(401, 403, 201, 201, 403)

# (method, path) -> expected status per persona, for objects in grid1a (inside everyone's
# jurisdiction but the auditor's, who holds no people permission).
MATRIX = {
    # county and auditor must use two-factor and have not enrolled: no token without a code.
    ("post", "/api/auth/token"): _statuses(401, 200, 200, 401, 401),
    ("delete", "/api/auth/tokens"): _statuses(401, 200, 200, 200, 200),
    ("get", "/api/me"): _statuses(401, 200, 200, 200, 200),
    ("get", "/api/divisions"): READ,
    ("get", "/api/divisions/{division_id}"): READ,
    ("get", "/api/persons"): READ,
    ("post", "/api/persons"): CREATE,
    ("post", "/api/persons/search"): READ,
    ("get", "/api/persons/{person_id}"): READ,
    ("patch", "/api/persons/{person_id}"): READ,
    # Grid workers do not reveal plaintext (docs/security.md, "Reveals").
    ("post", "/api/persons/{person_id}/reveal"): _statuses(401, 403, 200, 200, 403),
    ("get", "/api/households"): READ,
    ("post", "/api/households"): CREATE,
    ("get", "/api/households/{household_id}"): READ,
    ("post", "/api/checkins"): _statuses(201, 201, 201, 201, 201),
    ("post", "/api/checkins/batch"): _statuses(401, 403, 403, 403, 403),
    ("get", "/api/persons/{person_id}/trajectory"): READ,
    ("get", "/api/places/{place_id}/visitors"): READ,
    ("post", "/api/checkpoints/records"): CHECKPOINT_CREATE,
    ("post", "/api/checkpoints/records/batch"): CHECKPOINT_READ,
    ("get", "/api/checkpoints/records"): CHECKPOINT_READ,
    ("get", "/api/checkpoints/counters"): CHECKPOINT_READ,
    ("get", "/api/checkpoints/fevers"): CHECKPOINT_READ,
    ("get", "/api/places"): READ,
    ("post", "/api/places"): _statuses(401, 403, 201, 201, 403),
    ("get", "/api/places/{place_id}"): READ,
    ("post", "/api/places/{place_id}/code"): _statuses(401, 403, 201, 201, 403),
    ("get", "/api/passes"): READ,
    ("post", "/api/passes"): CREATE,
    ("post", "/api/passes/{pass_id}/revoke"): READ,
    # A forged code is an answer (refused, recorded), not an error.
    ("post", "/api/passes/check"): READ,
    ("post", "/api/passes/turn-back"): READ,
    # Health codes: verification and the public key need no login (gates verify offline).
    ("post", "/api/healthcodes/issue"): READ,
    ("post", "/api/healthcodes/verify"): _statuses(200, 200, 200, 200, 200),
    ("post", "/api/healthcodes/issue/mine"): _statuses(200, 200, 200, 200, 200),
    ("get", "/api/healthcodes/public-key"): _statuses(200, 200, 200, 200, 200),
    ("get", "/api/healthcodes/query"): READ,
    ("post", "/api/healthcodes/declare-health"): READ,
    ("post", "/api/healthcodes/declare-trip"): READ,
    # A close contact is a medical finding: the health role only (healthcodes/permissions.py).
    ("post", "/api/healthcodes/events"): _statuses(401, 403, 403, 403, 403),
    ("post", "/api/healthcodes/correct"): CREATE,
    ("get", "/api/risk-areas"): READ,
    ("post", "/api/risk-areas"): _statuses(401, 403, 403, 201, 403),
    ("patch", "/api/risk-areas/{area_id}"): _statuses(401, 403, 403, 200, 404),
    ("post", "/api/risk-areas/import"): _statuses(401, 403, 403, 422, 403),
    # Supplies (H5, H7): townships see their stores' stock; only supplies officers issue.
    ("get", "/api/supplies/report"): _statuses(401, 403, 200, 200, 403),
    ("get", "/api/supplies/stock"): _statuses(401, 403, 200, 200, 403),
    ("post", "/api/supplies/dispatch-orders/{order_id}/issues"): _statuses(401, 403, 403, 403, 403),
    # Labs and cases (E3, E4): lab staff and the health officer write (shuangying/labs/tests,
    # shuangying/cases/tests); townships and the county read.
    ("post", "/api/samples"): _statuses(401, 403, 403, 403, 403),
    ("post", "/api/samples/results"): _statuses(401, 403, 403, 403, 403),
    ("get", "/api/labs/{lab_id}/queue"): _statuses(401, 403, 200, 200, 403),
    ("get", "/api/cases"): _statuses(401, 403, 200, 200, 403),
    ("post", "/api/cases/{case_id}/classify"): _statuses(401, 403, 403, 403, 403),
    ("get", "/api/hospitals"): _statuses(401, 403, 200, 200, 403),
    ("post", "/api/cases/{case_id}/admissions"): _statuses(401, 403, 403, 403, 403),
    ("post", "/api/admissions/{admission_id}/discharge"): _statuses(401, 403, 403, 403, 403),
    # The fever loop (E1, E2): grid workers and townships report and take the local steps;
    # the command reads; the health side (no persona here) samples and closes.
    ("post", "/api/fevers"): _statuses(401, 201, 201, 403, 403),
    ("get", "/api/fevers"): _statuses(401, 200, 200, 200, 403),
    ("get", "/api/health/stats"): _statuses(401, 200, 200, 200, 403),
    ("get", "/api/fevers/{fever_id}"): _statuses(401, 200, 200, 200, 403),
    ("post", "/api/fevers/{fever_id}/steps"): _statuses(401, 200, 200, 403, 403),
    # Quarantine (F1, F4): grid workers and townships order (the person of the matrix is in
    # quarantine already: 200, the order unchanged); townships change and release (the
    # order's conditions are not met: 409); the command reads.
    ("post", "/api/quarantine/orders"): _statuses(401, 200, 200, 403, 403),
    ("get", "/api/quarantine/orders"): READ,
    ("get", "/api/quarantine/orders/{quarantine_id}"): READ,
    ("post", "/api/quarantine/orders/{quarantine_id}/extend"): _statuses(401, 403, 200, 403, 403),
    ("post", "/api/quarantine/orders/{quarantine_id}/release"): _statuses(401, 403, 409, 403, 403),
    ("get", "/api/quarantine/stats"): READ,
    ("post", "/api/quarantine/orders/{quarantine_id}/reports"): _statuses(401, 201, 201, 403, 403),
    # Per-item answers: an unknown order is an item's error, the upload itself 200.
    ("post", "/api/quarantine/reports/batch"): _statuses(401, 200, 200, 403, 403),
    ("get", "/api/quarantine/missing-reports"): READ,
}

# The same object routes for objects in grid2a, outside grid1a's and town1's jurisdiction.
OUTSIDE = {
    ("get", "/api/divisions/{division_id}"): _statuses(401, 404, 404, 200, 403),
    ("get", "/api/persons/{person_id}"): _statuses(401, 404, 404, 200, 403),
    ("patch", "/api/persons/{person_id}"): _statuses(401, 404, 404, 200, 403),
    ("post", "/api/persons/{person_id}/reveal"): _statuses(401, 403, 404, 200, 403),
    ("get", "/api/households/{household_id}"): _statuses(401, 404, 404, 200, 403),
    ("get", "/api/persons/{person_id}/trajectory"): _statuses(401, 404, 404, 200, 403),
    ("get", "/api/places/{place_id}/visitors"): _statuses(401, 404, 404, 200, 403),
    ("get", "/api/places/{place_id}"): _statuses(401, 404, 404, 200, 403),
    ("post", "/api/places/{place_id}/code"): _statuses(401, 403, 404, 201, 403),
    ("post", "/api/passes/{pass_id}/revoke"): _statuses(401, 404, 404, 200, 403),
    # Risk areas are not scoped by jurisdiction: the same answers for any of them.
    ("patch", "/api/risk-areas/{area_id}"): _statuses(401, 403, 403, 200, 404),
    ("post", "/api/supplies/dispatch-orders/{order_id}/issues"): _statuses(401, 403, 403, 403, 403),
    # Labs are the county's: the same answers for any of them.
    ("get", "/api/labs/{lab_id}/queue"): _statuses(401, 403, 200, 200, 403),
    ("post", "/api/cases/{case_id}/classify"): _statuses(401, 403, 403, 403, 403),
    ("post", "/api/cases/{case_id}/admissions"): _statuses(401, 403, 403, 403, 403),
    ("post", "/api/admissions/{admission_id}/discharge"): _statuses(401, 403, 403, 403, 403),
    ("get", "/api/fevers/{fever_id}"): _statuses(401, 404, 404, 200, 403),
    ("post", "/api/fevers/{fever_id}/steps"): _statuses(401, 404, 404, 403, 403),
    ("get", "/api/quarantine/orders/{quarantine_id}"): _statuses(401, 404, 404, 200, 403),
    ("post", "/api/quarantine/orders/{quarantine_id}/extend"): _statuses(401, 403, 404, 403, 403),
    ("post", "/api/quarantine/orders/{quarantine_id}/release"): _statuses(401, 403, 404, 403, 403),
    ("post", "/api/quarantine/orders/{quarantine_id}/reports"): _statuses(401, 404, 404, 403, 403),
}


def _checkpoint_record(ctx, n=1):
    from shuangying.places.models import Place

    place, _ = Place.objects.get_or_create(
        type="traffic_checkpoint", name="矩阵卡口", division=ctx["county"].grid1a
    )
    return {
        "client_uuid": f"00000000-0000-4000-8000-00000000000{n}",
        "checkpoint": place.pk,
        "temperature": "38.1",
        "direction": "in",
        "outcome": "fever_clinic",
        "id_number": NEW_ID,
    }


def _public_checkin(ctx):
    """A fresh check-in at a place in grid1a (anyone may check in: no login)."""
    import uuid

    from shuangying.places.services import create_place
    from shuangying.places.tokens import token_for

    place = create_place(type="market", name="矩阵市场", division=ctx["county"].grid1a)
    return {
        "place_token": token_for(place.codes.get()),
        "client_uuid": str(uuid.uuid4()),
        "name": "矩阵",
        "id_number": NEW_ID,
        "phone": "13900001234",
    }


BODIES = {
    ("post", "/api/places"): lambda ctx: {
        "type": "pharmacy",
        "name": "矩阵药店",
        "division": ctx["county"].grid1a.pk,
    },
    ("post", "/api/passes"): lambda ctx: {
        "type": "transport",
        "division": ctx["county"].grid1a.pk,
        "holder_name": "一镇食品厂",
        "plate": "晋L12345",
        "route": "国道107",
        "valid_from": "2026-02-01T00:00:00+08:00",
        "valid_until": "2026-03-01T00:00:00+08:00",
    },
    ("post", "/api/passes/{pass_id}/revoke"): lambda ctx: {"reason": "矩阵"},
    ("post", "/api/passes/check"): lambda ctx: {
        "token": "forged:token",
        "place": _place_in(ctx["county"].grid1a).pk,
    },
    ("post", "/api/passes/turn-back"): lambda ctx: {"place": _place_in(ctx["county"].grid1a).pk},
    ("post", "/api/checkins"): _public_checkin,
    ("post", "/api/checkins/batch"): lambda ctx: {
        "items": [{"client_uuid": "00000000-0000-4000-8000-0000000000c1", "place_token": "x"}]
    },
    ("post", "/api/checkpoints/records"): _checkpoint_record,
    ("post", "/api/checkpoints/records/batch"): lambda ctx: {"items": [_checkpoint_record(ctx, 2)]},
    ("post", "/api/auth/token"): lambda ctx: {
        "username": ctx["username"] or "nobody",
        "password": PASSWORD,
    },
    ("post", "/api/persons"): lambda ctx: {
        "name": "矩阵",
        "id_number": NEW_ID,
        "phone": "13900001234",
        "division": ctx["county"].grid1a.pk,
    },
    ("post", "/api/persons/search"): lambda ctx: {"q": "张"},
    ("patch", "/api/persons/{person_id}"): lambda ctx: {"address": "新住址"},
    ("post", "/api/persons/{person_id}/reveal"): lambda ctx: {
        "purpose": "verify_identity",
        "reason": "核实返乡人员身份",
    },
    ("post", "/api/households"): lambda ctx: {
        "division": ctx["county"].grid1a.pk,
        "number": "M-1",
        "address": "东村",
    },
    ("post", "/api/healthcodes/issue"): lambda ctx: {"person_id": ctx["person_id"]},
    ("post", "/api/healthcodes/verify"): lambda ctx: {"token": "not.a-token"},
    ("post", "/api/healthcodes/declare-health"): lambda ctx: {
        "person_id": ctx["person_id"],
        "symptoms": True,
    },
    ("post", "/api/healthcodes/declare-trip"): lambda ctx: {
        "person_id": ctx["person_id"],
        "origin_code": "420106",
        "arrival_date": "2020-01-20",
    },
    ("post", "/api/healthcodes/events"): lambda ctx: {
        "person_id": ctx["person_id"],
        "kind": "close_contact",
        "occurred_at": "2020-02-01T08:00:00+08:00",
        "source": "tracing",
    },
    ("post", "/api/healthcodes/correct"): lambda ctx: {
        "person_id": ctx["person_id"],
        "reason": "已排除发热",
    },
    ("post", "/api/risk-areas"): lambda ctx: {
        "code": "420106",
        "name": "武昌区",
        "level": "high",
        "start_date": "2020-01-20",
    },
    ("patch", "/api/risk-areas/{area_id}"): lambda ctx: {"end_date": "2020-03-20"},
    ("post", "/api/supplies/dispatch-orders/{order_id}/issues"): lambda ctx: {
        "lines": [{"line": 1, "quantity": "1"}]
    },
    ("post", "/api/samples"): lambda ctx: {"person_id": ctx["person_id"], "barcode": "MX1"},
    ("post", "/api/samples/results"): lambda ctx: {
        "items": [{"barcode": "MX1", "result": "negative", "resulted_at": "2020-02-10T10:00:00"}]
    },
    ("post", "/api/cases/{case_id}/classify"): lambda ctx: {
        "to_class": "confirmed",
        "reason": "矩阵",
    },
    ("post", "/api/cases/{case_id}/admissions"): lambda ctx: {"ward_id": ctx["ward_id"]},
    ("post", "/api/admissions/{admission_id}/discharge"): lambda ctx: {"reason": "矩阵"},
    # A tip-off naming someone the registry does not know: kept for the grid worker.
    ("post", "/api/fevers"): lambda ctx: {
        "channel": "tipoff",
        "name": "老王",
        "address": "东村3号",
        "division_id": ctx["county"].grid1a.pk,
    },
    ("post", "/api/fevers/{fever_id}/steps"): lambda ctx: {"step": "registered"},
    ("post", "/api/quarantine/orders"): lambda ctx: {
        "person_id": ctx["person_id"],
        "kind": "home",
        "reason": "close_contact",
    },
    ("post", "/api/quarantine/orders/{quarantine_id}/extend"): lambda ctx: {
        "days": 2,
        "reason": "矩阵",
    },
    ("post", "/api/quarantine/orders/{quarantine_id}/release"): lambda ctx: {},
    ("post", "/api/quarantine/orders/{quarantine_id}/reports"): lambda ctx: _report_body(),
    ("post", "/api/quarantine/reports/batch"): lambda ctx: {
        "items": [{**_report_body(), "order_id": 999999}]
    },
}

# Routes whose purpose is to show plaintext (after a reason, audited).
REVEALS = {("post", "/api/persons/{person_id}/reveal")}


def openapi_routes(client) -> set[tuple[str, str]]:
    document = client.get("/api/openapi.json").json()
    return {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_openapi_document_loads_and_lists_the_routes(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "双赢指挥系统 API"
    routes = openapi_routes(client)
    for route in [
        ("post", "/api/auth/token"),
        ("get", "/api/me"),
        ("get", "/api/divisions"),
        ("get", "/api/persons"),
        ("post", "/api/persons"),
        ("get", "/api/persons/{person_id}"),
        ("patch", "/api/persons/{person_id}"),
        ("get", "/api/households"),
        ("post", "/api/households"),
        ("get", "/api/households/{household_id}"),
    ]:
        assert route in routes
    schemes = document["components"]["securitySchemes"]
    assert {"BearerAuth", "SessionAuth"} <= set(schemes)
    assert "409" in document["paths"]["/api/persons"]["post"]["responses"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger from our own static files (no CDN on county intranets), sending the CSRF token.
    assert "/static/ninja/" in html and "cdn" not in html.lower()
    assert 'data-api-csrf="true"' in html


def test_every_route_has_a_permission_entry(client, db):
    routes = openapi_routes(client)
    assert routes == set(MATRIX), "add the new route to MATRIX (and BODIES if it takes one)"
    object_routes = {route for route in routes if "{" in route[1]}
    assert object_routes == set(OUTSIDE), "add the new object route to OUTSIDE"


def _fever(person):
    from shuangying.fevers.services import report_fever

    return report_fever(actor=None, channel="village", person=person, temperature="38.0").episode


def _report_body():
    from django.utils import timezone

    return {"day": str(timezone.localdate()), "slot": 1, "temperature": 36.5}


def _quarantine(person):
    from shuangying.quarantine.services import open_order

    return open_order(person=person, kind="home", reason="close_contact").order


def _place_in(division):
    from shuangying.places.models import Place

    return Place.objects.filter(division=division).first()


def _pass(household):
    from datetime import UTC, datetime

    from shuangying.passes.services import issue_pass

    return issue_pass(
        actor=None,
        type="household",
        division=household.division,
        household=household,
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=datetime(2036, 1, 1, tzinfo=UTC),
    )


def _dispatch_order(division):
    from decimal import Decimal

    from shuangying.supplies.choices import LocationKind, RecipientKind
    from shuangying.supplies.models import Category, Item
    from shuangying.supplies.services import (
        Line,
        create_dispatch_order,
        create_location,
        create_recipient,
    )

    category, _ = Category.objects.get_or_create(name="矩阵类别")
    item, _ = Item.objects.get_or_create(
        name="矩阵口罩", defaults={"category": category, "unit": "个"}
    )
    store = create_location(
        name=f"{division.name}物资库", kind=LocationKind.TOWNSHIP_STORE, division=division
    )
    recipient = create_recipient(
        name=f"{division.name}卡口", kind=RecipientKind.CHECKPOINT, division=division
    )
    return create_dispatch_order(
        source=store, recipient=recipient, lines=[Line(item=item, quantity=Decimal(1))]
    )


def _place(division):
    from shuangying.places.models import Place

    return Place.objects.create(type="market", name=f"{division.name}市场", division=division)


@pytest.fixture
def objects(county, people):
    inside = Household.objects.create(division=county.grid1a, number="H-1", address="东村1号")
    outside = Household.objects.create(division=county.grid2a, number="H-2", address="西村1号")
    from shuangying.healthcodes.models import RiskArea

    area = RiskArea.objects.create(
        code="130100",
        code_prefix="1301",
        name="石家庄市",
        level="low",
        start_date=date(2020, 1, 1),
    )
    from shuangying.cases.services import admit_case, create_hospital, create_ward, open_case
    from shuangying.labs.services import create_lab

    lab = create_lab(name="矩阵实验室", division=county.county, daily_capacity=10)
    ward = create_ward(
        hospital=create_hospital(name="矩阵医院", kind="designated", division=county.county),
        name="矩阵病区",
        capacity=10,
    )
    inside_case = open_case(person=people.in_grid1a)[0]
    outside_case = open_case(person=people.in_grid2a)[0]
    return {
        "inside": {
            "lab_id": lab.pk,
            "ward_id": ward.pk,
            "admission_id": admit_case(case=inside_case, ward=ward).pk,
            "case_id": inside_case.pk,
            "division_id": county.grid1a.pk,
            "person_id": people.in_grid1a.pk,
            "household_id": inside.pk,
            "pass_id": _pass(inside).pk,
            "area_id": area.pk,
            "place_id": _place(county.grid1a).pk,
            "order_id": _dispatch_order(county.grid1a).pk,
            "fever_id": _fever(people.in_grid1a).pk,
            "quarantine_id": _quarantine(people.in_grid1a).pk,
        },
        "outside": {
            "lab_id": lab.pk,
            "ward_id": ward.pk,
            "admission_id": admit_case(case=outside_case, ward=ward).pk,
            "case_id": outside_case.pk,
            "division_id": county.grid2a.pk,
            "person_id": people.in_grid2a.pk,
            "household_id": outside.pk,
            "pass_id": _pass(outside).pk,
            "area_id": area.pk,
            "place_id": _place(county.grid2a).pk,
            "order_id": _dispatch_order(county.grid2a).pk,
            "fever_id": _fever(people.in_grid2a).pk,
            "quarantine_id": _quarantine(people.in_grid2a).pk,
        },
    }


def plaintexts(people) -> list[str]:
    found = []
    for person in (people.in_grid1a, people.in_grid1b, people.in_grid2a):
        found += [person.reveal_id_number(), person.reveal_phone()]
    return [*found, NEW_ID, "13900001234"]


def call(client, route, ids, ctx):
    method, template = route
    body = BODIES.get(route, lambda ctx: None)(ctx)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    args = (body,) if body is not None else ()
    path = template.format(**ids)
    if route == ("get", "/api/healthcodes/query"):
        path += f"?person_id={ids['person_id']}"
    return getattr(client, method)(path, *args, **kwargs)


def run_matrix(client, personas, county, people, ids, persona, table):
    if persona != "anonymous":
        login(client, personas[persona])
    ctx = {
        "county": county,
        "username": None if persona == "anonymous" else persona,
        "person_id": ids["person_id"],
        "ward_id": ids["ward_id"],
    }
    secrets = plaintexts(people)
    for route, expected in table.items():
        response = call(client, route, ids, ctx)
        assert response.status_code == expected[persona], (route, persona, response.content)
        assert response["Content-Type"].startswith("application/json"), route
        if route not in REVEALS:
            body = response.content.decode()
            assert not [s for s in secrets if s in body], (route, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, personas, county, people, objects, persona):
    run_matrix(client, personas, county, people, objects["inside"], persona, MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_outside_jurisdiction(client, personas, county, people, objects, persona):
    run_matrix(client, personas, county, people, objects["outside"], persona, OUTSIDE)

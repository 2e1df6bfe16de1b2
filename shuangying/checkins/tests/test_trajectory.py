"""Trajectories and visitors (C5): jurisdiction, masking, export, audit."""

import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuangying.audit.models import AuditEvent
from shuangying.checkins.services import Declaration, record_checkin
from shuangying.core.excel import normalize_header, read_table
from shuangying.identity.models import PublicIdentity
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bound(people):
    """The persons check in by their bound identity (a device's one tap)."""
    for p in (people.in_grid1a, people.in_grid1b, people.in_grid2a):
        PublicIdentity.objects.create(person=p, phone_hash=p.phone_hash, method="registry")


@pytest.fixture
def visits(people, place, other_place):
    out = []
    for p in (place, other_place, place):
        out.append(
            record_checkin(
                place=p,
                client_uuid=uuid.uuid4(),
                person=people.in_grid1a,
                declaration=Declaration(),
            ).checkin
        )
    record_checkin(
        place=place, client_uuid=uuid.uuid4(), person=people.in_grid2a, declaration=Declaration()
    )
    return out


def test_person_trajectory_page_in_time_order(client, personas, people, visits):
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:person_trajectory", args=[people.in_grid1a.pk]))
    assert page.status_code == 200
    assert [c.pk for c in page.context["page"]] == [c.pk for c in visits]
    assert "西村超市" in page.content.decode()
    assert AuditEvent.objects.filter(summary__startswith="查看行动轨迹").exists()


def test_trajectory_outside_jurisdiction_is_404(client, personas, people, visits):
    login(client, personas["grid1a"])
    url = reverse("checkins:person_trajectory", args=[people.in_grid2a.pk])
    assert client.get(url).status_code == 404
    api = client.get(f"/api/persons/{people.in_grid2a.pk}/trajectory")
    assert api.status_code == 404


def test_place_visitors_masked(client, personas, people, place, visits):
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:place_visitors", args=[place.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and len(page.context["page"]) == 3
    assert people.in_grid2a.reveal_id_number() not in body
    assert people.in_grid2a.id_number_masked in body
    api = client.get(f"/api/places/{place.pk}/visitors").json()
    assert api["count"] == 3
    assert people.in_grid2a.reveal_phone() not in str(api)


def test_date_range_filter(client, personas, people, visits):
    login(client, personas["grid1a"])
    url = reverse("checkins:person_trajectory", args=[people.in_grid1a.pk])
    page = client.get(url, {"start": "2020-01-01", "end": "2020-01-31"})
    assert page.context["page"].paginator.count == 0


def test_export_is_masked_watermarked_and_audited(client, personas, people, place, visits):
    login(client, personas["town1"])
    response = client.get(reverse("checkins:place_visitors_export", args=[place.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "导出人：town1" in sheet
    assert people.in_grid2a.id_number_masked in sheet
    assert people.in_grid2a.reveal_id_number() not in sheet
    assert AuditEvent.objects.filter(action="export", object_type="place").exists()


def test_trajectory_api(client, personas, people, visits):
    login(client, personas["town1"])
    answer = client.get(f"/api/persons/{people.in_grid1a.pk}/trajectory").json()
    assert [i["id"] for i in answer["items"]] == [c.pk for c in visits]
    assert answer["items"][1]["place"]["name"] == "西村超市"


def test_detail_pages_link_to_trajectory_and_visitors(client, personas, people, place):
    login(client, personas["grid1a"])
    person_page = client.get(people.in_grid1a.get_absolute_url()).content.decode()
    assert reverse("checkins:person_trajectory", args=[people.in_grid1a.pk]) in person_page
    place_page = client.get(place.get_absolute_url()).content.decode()
    assert reverse("checkins:place_visitors", args=[place.pk]) in place_page


# ---------------------------------------------------------------------------------------------
# Checkpoint passages join the trajectory and a checkpoint's visitors (C5)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def gate(county):
    from shuangying.checkpoints.tests.factories import make_checkpoint

    return make_checkpoint(county.village1, "东村卡点", "village_gate")


@pytest.fixture
def mixed(people, place, other_place, gate):
    """张一甲's check-ins (c) and checkpoint passages (p), recorded out of time order; the
    window [-4 h, -1 h) keeps p1, c2, p2 (bounds: start included, end excluded)."""
    from shuangying.checkpoints.tests.factories import make_record

    now = timezone.now().replace(microsecond=0)
    person = people.in_grid1a

    def checkin(p, hours):
        return record_checkin(
            place=p,
            client_uuid=uuid.uuid4(),
            person=person,
            declaration=Declaration(),
            at=now - timedelta(hours=hours),
            backdate=timedelta(days=7),
        ).checkin

    def passage(hours, **fields):
        return make_record(
            gate,
            id_number=person.reveal_id_number(),
            checked_at=now - timedelta(hours=hours),
            **fields,
        )

    rows = {
        "p3": passage(0.5, direction="out"),
        "c3": checkin(place, 1),
        "p2": passage(
            2,
            temperature="37.6",
            outcome="fever_clinic",
            is_vehicle=True,
            plate="冀F12345",
            vehicle_type="car",
        ),
        "c2": checkin(other_place, 3),
        "p1": passage(4, outcome="turned_back"),
        "p0": passage(4.5),
        "c1": checkin(place, 5),
    }
    assert all(r.person_id == person.pk for r in rows.values())
    return {"now": now, "person": person, **rows}


IN_TIME_ORDER = ["c1", "p0", "p1", "c2", "p2", "c3", "p3"]


def _kind(key):
    return "checkpoint" if key[0] == "p" else "checkin"


def test_trajectory_page_interleaves_passages_in_time_order(client, personas, mixed):
    login(client, personas["town1"])
    url = reverse("checkins:person_trajectory", args=[mixed["person"].pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [(r.kind, r.pk) for r in rows] == [(_kind(k), mixed[k].pk) for k in IN_TIME_ORDER]
    # One ordered query for the page's rows (and one for the count), not two lists sorted.
    unions = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"].upper()]
    assert len(unions) == 2 and any("COUNT(" in sql.upper() for sql in unions)
    html = page.content.decode()
    assert html.count('data-kind="checkpoint"') == 4 and html.count('data-kind="checkin"') == 3
    assert "卡口通行" in html and "东村卡点" in html and "送发热门诊 · 冀F12345" in html
    assert "出 · 放行" in html and "进 · 劝返" in html
    event = AuditEvent.objects.get(summary__startswith="查看行动轨迹")
    assert event.action == "view" and event.detail["passages"] is True


def test_trajectory_page_window_bounds_hold_for_both_sources(client, personas, mixed):
    login(client, personas["town1"])
    url = reverse("checkins:person_trajectory", args=[mixed["person"].pk])
    day = timezone.localdate(mixed["now"]) - timedelta(days=3)
    page = client.get(url, {"start": day.isoformat(), "end": day.isoformat()})
    assert page.context["page"].paginator.count == 0
    older = make_passage_days_ago(mixed, days=5)
    five = timezone.localdate(older.checked_at)
    page = client.get(url, {"start": five.isoformat(), "end": five.isoformat()})
    assert [(r.kind, r.pk) for r in page.context["page"]] == [("checkpoint", older.pk)]


def make_passage_days_ago(mixed, *, days):
    from shuangying.checkpoints.tests.factories import make_record

    gate = mixed["p0"].checkpoint
    return make_record(
        gate,
        id_number=mixed["person"].reveal_id_number(),
        checked_at=mixed["now"] - timedelta(days=days),
    )


def test_trajectory_api_interleaves_and_keeps_the_window(client, personas, mixed):
    login(client, personas["town1"])
    url = f"/api/persons/{mixed['person'].pk}/trajectory"
    everything = client.get(url).json()
    assert everything["count"] == 7
    assert [(i["kind"], i["id"]) for i in everything["items"]] == [
        (_kind(k), mixed[k].pk) for k in IN_TIME_ORDER
    ]
    vehicle = everything["items"][4]
    assert vehicle["place"]["name"] == "东村卡点" and vehicle["has_fever"]
    assert vehicle["passage"] == {
        "direction": "in",
        "outcome": "fever_clinic",
        "is_vehicle": True,
        "plate": "冀F12345",
    }
    assert everything["items"][0]["passage"] is None
    now = mixed["now"]
    window = {
        "start": (now - timedelta(hours=4)).isoformat(),
        "end": (now - timedelta(hours=1)).isoformat(),
    }
    answer = client.get(url, window).json()
    assert [(i["kind"], i["id"]) for i in answer["items"]] == [
        (_kind(k), mixed[k].pk) for k in ("p1", "c2", "p2")
    ]
    # Paged on the database: the second page starts where the first ended.
    second = client.get(url, {"limit": 3, "offset": 3}).json()
    assert [i["id"] for i in second["items"]] == [mixed[k].pk for k in ("c2", "p2", "c3")]
    assert AuditEvent.objects.filter(summary__startswith="API 行动轨迹").count() == 3


def test_trajectory_without_checkpoint_permission_has_check_ins_only(client, personas, mixed):
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:person_trajectory", args=[mixed["person"].pk]))
    assert [r.pk for r in page.context["page"]] == [mixed[k].pk for k in ("c1", "c2", "c3")]
    assert "东村卡点" not in page.content.decode()
    answer = client.get(f"/api/persons/{mixed['person'].pk}/trajectory").json()
    assert {i["kind"] for i in answer["items"]} == {"checkin"}


def test_trajectory_export_interleaves_passages(client, personas, mixed):
    login(client, personas["town1"])
    response = client.get(reverse("checkins:person_trajectory_export", args=[mixed["person"].pk]))
    assert response.status_code == 200
    table = read_table(
        b"".join(response.streaming_content),
        aliases={
            normalize_header(h): key
            for h, key in [
                ("时间", "at"),
                ("类别", "kind"),
                ("场所/卡口", "place"),
                ("卡口处置", "passage"),
            ]
        },
        required=["at", "kind", "place"],
        labels={"at": "时间", "kind": "类别", "place": "场所/卡口", "passage": "卡口处置"},
    )
    col = {key: index for key, (index, _header) in table.columns.items()}
    rows = [cells for _n, cells in table.rows()]
    assert [r[col["kind"]] for r in rows] == [
        "卡口通行" if k[0] == "p" else "扫码登记" for k in IN_TIME_ORDER
    ]
    assert [r[col["place"]] for r in rows][:4] == [
        "东村农贸市场",
        "东村卡点",
        "东村卡点",
        "西村超市",
    ]
    assert rows[4][col["passage"]] == "进 · 送发热门诊 · 冀F12345"
    assert mixed["person"].reveal_id_number() not in str(rows)
    event = AuditEvent.objects.get(action="export", object_type="person")
    assert event.detail["rows"] == 7


def test_trajectory_of_another_township_is_404_with_passages(client, county, mixed):
    from shuangying.testing import make_user

    login(client, make_user("town2", "township_officer", [county.town2]))
    person = mixed["person"]
    assert client.get(reverse("checkins:person_trajectory", args=[person.pk])).status_code == 404
    url = reverse("checkins:person_trajectory_export", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.get(f"/api/persons/{person.pk}/trajectory").status_code == 404
    seen = AuditEvent.objects.filter(action__in=["view", "export"], object_type="person")
    assert not seen.exists()


def test_checkpoint_visitors_include_passages(client, personas, people, gate, mixed):
    from shuangying.checkpoints.tests.factories import make_record

    unknown = make_record(
        gate, id_number="110101199003070011", checked_at=mixed["now"] - timedelta(hours=6)
    )
    at_gate = record_checkin(
        place=gate,
        client_uuid=uuid.uuid4(),
        person=people.in_grid2a,
        declaration=Declaration(),
        at=mixed["now"] - timedelta(hours=3, minutes=30),
        backdate=timedelta(days=7),
    ).checkin
    login(client, personas["town1"])
    today = timezone.localdate(mixed["now"])
    days = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    page = client.get(reverse("checkins:place_visitors", args=[gate.pk]), days)
    rows = list(page.context["page"])
    expected = [
        ("checkpoint", unknown.pk),
        *[(_kind(k), mixed[k].pk) for k in ("p0", "p1")],
        ("checkin", at_gate.pk),
        *[(_kind(k), mixed[k].pk) for k in ("p2", "p3")],
    ]
    assert [(r.kind, r.pk) for r in rows] == expected
    html = page.content.decode()
    assert unknown.document_masked in html
    assert "110101199003070011" not in html and "未登记" in html
    assert mixed["person"].reveal_id_number() not in html
    start = (mixed["now"] - timedelta(days=1)).isoformat()
    answer = client.get(f"/api/places/{gate.pk}/visitors", {"start": start}).json()
    assert [(i["kind"], i["id"]) for i in answer["items"]] == expected
    assert answer["items"][0]["person"] is None
    assert answer["items"][0]["id_number_masked"] == unknown.document_masked
    assert answer["items"][1]["person"]["id"] == mixed["person"].pk
    response = client.get(reverse("checkins:place_visitors_export", args=[gate.pk]), days)
    table = read_table(
        b"".join(response.streaming_content),
        aliases={normalize_header("类别"): "kind", normalize_header("证件号码（已脱敏）"): "id"},
        required=["kind", "id"],
        labels={"kind": "类别", "id": "证件号码"},
    )
    rows = [cells for _n, cells in table.rows()]
    assert len(rows) == 6 and rows[0][table.columns["id"][0]] == unknown.document_masked
    assert "110101199003070011" not in str(rows)


def test_visitors_of_an_ordinary_place_are_check_ins(client, personas, place, mixed):
    login(client, personas["town1"])
    answer = client.get(f"/api/places/{place.pk}/visitors", {"start": "2000-01-01"})
    assert answer.status_code == 422  # longer than 92 days
    start = (mixed["now"] - timedelta(days=1)).isoformat()
    answer = client.get(f"/api/places/{place.pk}/visitors", {"start": start}).json()
    assert [(i["kind"], i["id"]) for i in answer["items"]] == [
        ("checkin", mixed["c1"].pk),
        ("checkin", mixed["c3"].pk),
    ]

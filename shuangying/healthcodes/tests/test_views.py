"""Pages: the code page from the person detail, appeal and override through the queues,
risk-area import with row errors, verification."""

import io
import re
from datetime import date, datetime

import pytest
import xlsxwriter
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from shuangying.healthcodes.models import Appeal, HealthEvent, OverrideRequest, RiskArea
from shuangying.healthcodes.services import issue_code, record_health_event
from shuangying.healthcodes.tests.helpers import tampered
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


def test_person_detail_links_to_the_code_page(client, personas, people):
    login(client, personas["grid1a"])
    page = client.get(reverse("people:person_detail", args=[people.in_grid1a.pk])).content.decode()
    url = reverse("healthcodes:person_code", args=[people.in_grid1a.pk])
    assert url in page and "健康码" in page
    record_health_event(
        person=people.in_grid1a, kind="close_contact", occurred_at=timezone.now(), source="tracing"
    )
    html = client.get(url).content.decode()
    assert "红码" in html and "密切接触者" in html and "<svg" in html
    assert people.in_grid1a.reveal_id_number() not in html


@pytest.mark.parametrize("kind", ["confirmed", "suspected", "quarantine_started", "fever_resolved"])
def test_a_grid_worker_cannot_record_a_medical_finding(client, personas, people, health, kind):
    p = people.in_grid1a
    event = {
        "person_id": p.pk,
        "kind": kind,
        "occurred_at": timezone.now().isoformat(),
        "source": "hospital",
    }
    for user in (personas["grid1a"], personas["town1"], personas["county"]):
        login(client, user)
        r = client.post("/api/healthcodes/events", event, content_type="application/json")
        assert r.status_code == 403 and r.json()["field"] == "kind"
        assert "卫生健康部门" in r.json()["message"]
    assert not HealthEvent.objects.filter(person=p).exists()
    login(client, health)
    r = client.post("/api/healthcodes/events", event, content_type="application/json")
    assert r.status_code == 201


def test_a_grid_worker_still_records_what_they_observe(client, personas, people):
    login(client, personas["grid1a"])
    r = client.post(
        "/api/healthcodes/events",
        {
            "person_id": people.in_grid1a.pk,
            "kind": "symptoms_declared",
            "occurred_at": timezone.now().isoformat(),
            "source": "grid",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "symptoms_declared"


def test_only_the_health_role_proposes_a_manual_colour(client, personas, people, health):
    url = reverse("healthcodes:person_override", args=[people.in_grid1a.pk])
    for user in (personas["town1"], personas["county"]):
        login(client, user)
        assert client.post(url, {"colour": "red", "reason": "核实中", "days": 3}).status_code == 403
    assert not OverrideRequest.objects.exists()
    login(client, health)
    assert client.post(url, {"colour": "red", "reason": "核实中", "days": 3}).status_code == 302
    assert OverrideRequest.objects.get().requested_by == health


def test_appeal_then_override_with_two_people(client, personas, people, health):
    p = people.in_grid1a
    record_health_event(
        person=p, kind="symptoms_declared", occurred_at=timezone.now(), source="grid"
    )
    login(client, personas["grid1a"])
    r = client.post(reverse("healthcodes:person_appeal", args=[p.pk]), {"reason": "已就医排除"})
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    login(client, personas["town1"])
    assert "已就医排除" in client.get(reverse("healthcodes:appeal_list")).content.decode()
    decision = {"pk": appeal.pk, "approve": "1", "note": "属实", "colour": "green"}
    # A township may decide an appeal, but a colour comes from the health role only.
    r = client.post(reverse("healthcodes:appeal_list"), decision)
    assert r.status_code == 400 and "卫生健康部门" in r.content.decode()
    assert not OverrideRequest.objects.exists()
    login(client, health)
    r = client.post(reverse("healthcodes:appeal_list"), decision)
    assert r.status_code == 302
    override = OverrideRequest.objects.get()
    # The township and the health officer cannot approve; the county can, being another person.
    for user in (personas["town1"], health):
        login(client, user)
        r = client.post(reverse("healthcodes:override_list"), {"pk": override.pk, "approve": "1"})
        assert r.status_code == 403
    login(client, personas["county"])
    r = client.post(reverse("healthcodes:override_list"), {"pk": override.pk, "approve": "1"})
    assert r.status_code == 302
    html = client.get(reverse("healthcodes:person_code", args=[p.pk])).content.decode()
    assert 'data-colour="green"' in html and "人工赋码" in html


def test_requester_cannot_approve_own_override(client, county, personas, people):
    from django.contrib.auth.models import Group

    both = personas["county"]
    both.groups.add(Group.objects.get(name="health_officer"))
    login(client, both)
    r = client.post(
        reverse("healthcodes:person_override", args=[people.in_grid1a.pk]),
        {"colour": "red", "reason": "核实中", "days": 3},
    )
    assert r.status_code == 302
    override = OverrideRequest.objects.get()
    r = client.post(reverse("healthcodes:override_list"), {"pk": override.pk, "approve": "1"})
    assert r.status_code == 400 and "另一人" in r.content.decode()
    second = make_user("county2", "county_commander", [county.county])
    login(client, second)
    assert (
        client.post(
            reverse("healthcodes:override_list"), {"pk": override.pk, "approve": "1"}
        ).status_code
        == 302
    )


def xlsx(rows) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buf.getvalue()


def test_risk_area_import_all_or_nothing_with_row_errors(client, personas):
    login(client, personas["county"])
    url = reverse("healthcodes:riskarea_import")
    header = ["区划代码", "地区名称", "风险等级", "起始日期", "截止日期"]
    bad = xlsx(
        [
            header,
            ["420106", "武昌区", "高", "2020-01-20", ""],
            ["4201", "某地", "很高", "2020-13-01", ""],
        ]
    )
    r = client.post(url, {"file": io.BytesIO(bad)}, format="multipart")
    body = r.content.decode()
    assert r.status_code == 400 and "第" not in body or "3" in body
    assert "区划代码" in body and "风险等级" in body and "日期" in body
    assert not RiskArea.objects.exists()
    good = xlsx(
        [
            header,
            ["420106", "武昌区", "高", "2020-01-20", ""],
            ["130100", "石家庄市", "低风险", "2020/1/25", "2020-03-01"],
        ]
    )
    f = io.BytesIO(good)
    f.name = "risk.xlsx"
    r = client.post(url, {"file": f})
    assert r.status_code == 302
    assert RiskArea.objects.count() == 2
    assert RiskArea.objects.get(code="130100").code_prefix == "1301"


def test_verify_page_and_endpoint(client, people):
    token = issue_code(person=people.in_grid1a, audit=False).token
    html = client.get(reverse("healthcodes:verify"), {"t": token}).content.decode()
    assert 'data-valid="true"' in html and "张**" in html and "绿码" in html
    html = client.post(reverse("healthcodes:verify"), {"token": tampered(token)}).content.decode()
    assert 'data-valid="false"' in html
    r = client.post("/api/healthcodes/verify", {"token": token}, content_type="application/json")
    assert r.json()["valid"] and r.json()["masked_name"] == "张**"
    page = client.get(reverse("healthcodes:verify")).content.decode()
    assert "下载验码公钥</a>" in page and ">/api/healthcodes/public-key<" not in page
    key = client.get("/api/healthcodes/public-key").json()
    assert key["alg"] == "Ed25519" and "BEGIN PUBLIC KEY" in key["pem"]


def test_verify_endpoint_is_rate_limited_per_address(client, people, settings):
    settings.VERIFY_RATE_PER_ADDRESS = 3
    token = issue_code(person=people.in_grid1a, audit=False).token

    def verify(address):
        return client.post(
            "/api/healthcodes/verify",
            {"token": token},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    answers = [verify("10.0.2.1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].json()["valid"]
    assert answers[-1].json() == {
        "code": "rate_limited",
        "message": "验码太频繁，请一分钟后再试；卡口可下载公钥离线验码",
        "field": None,
    }
    other = verify("10.0.2.2")
    assert other.status_code == 200 and other.json()["valid"]


def test_verify_page_is_rate_limited_per_address(client, people, settings):
    settings.VERIFY_RATE_PER_ADDRESS = 2
    token = issue_code(person=people.in_grid1a, audit=False).token
    url = reverse("healthcodes:verify")
    # The empty form is not an attempt.
    assert client.get(url, REMOTE_ADDR="10.0.3.1").status_code == 200
    statuses = [client.get(url, {"t": token}, REMOTE_ADDR="10.0.3.1").status_code for _ in range(2)]
    assert statuses == [200, 200]
    limited = client.post(url, {"token": token}, REMOTE_ADDR="10.0.3.1")
    assert limited.status_code == 429
    html = limited.content.decode()
    assert "验码太频繁" in html and 'data-testid="verify-limited"' in html
    assert 'data-valid="true"' not in html
    fresh = client.get(url, {"t": token}, REMOTE_ADDR="10.0.3.2").content.decode()
    assert 'data-valid="true"' in fresh


def test_verify_limit_zero_switches_it_off_and_scopes_count_apart(client, people, settings):
    from shuangying.core import ratelimit

    settings.VERIFY_RATE_PER_ADDRESS = 0
    settings.CHECKIN_RATE_PER_ADDRESS = 1
    token = issue_code(person=people.in_grid1a, audit=False).token
    for _ in range(5):
        r = client.post(
            "/api/healthcodes/verify", {"token": token}, content_type="application/json"
        )
        assert r.status_code == 200

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    # Five verifications from this address did not use up its one check-in.
    assert ratelimit.allow(Request(), "checkin")
    assert not ratelimit.allow(Request(), "checkin")


def test_offline_verification_with_the_public_key_alone(client, people):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from shuangying.healthcodes import tokens

    raw = client.get("/api/healthcodes/public-key").json()["public_key"]
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(raw + "=="))
    token = issue_code(person=people.in_grid1a, audit=False).token
    assert tokens.decode(token, key=key).colour == "green"


def test_api_issue_query_and_events(client, personas, people, health):
    p = people.in_grid1a
    quarantine = {
        "person_id": p.pk,
        "kind": "quarantine_started",
        "occurred_at": timezone.now().isoformat(),
        "source": "quarantine",
    }
    login(client, health)
    r = client.post("/api/healthcodes/events", quarantine, content_type="application/json")
    assert r.status_code == 201
    login(client, personas["grid1a"])
    r = client.post("/api/healthcodes/issue", {"person_id": p.pk}, content_type="application/json")
    data = r.json()
    assert (
        data["colour"] == "red"
        and data["reason"] == "正在隔离"
        and re.match(r"^[\w-]+\.[\w-]+$", data["token"])
    )
    assert data["until"] is not None
    q = client.get(f"/api/healthcodes/query?person_id={p.pk}").json()
    assert q["events"][0]["kind"] == "quarantine_started"
    r = client.post(
        "/api/healthcodes/issue",
        {"person_id": people.in_grid2a.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = client.post(
        "/api/healthcodes/events",
        {"person_id": p.pk, "kind": "manual_override", "occurred_at": timezone.now().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_county_publishes_a_new_rule_version_from_the_rules_page(client, personas, people):
    from shuangying.healthcodes.models import Rule, RuleSet

    login(client, personas["town1"])
    assert "新增规则版本" not in client.get(reverse("healthcodes:ruleset_list")).content.decode()
    assert client.post(reverse("healthcodes:ruleset_list"), {}).status_code == 403
    login(client, personas["county"])
    v1 = RuleSet.objects.get(version=1)
    close = v1.rules.get(kind="close_contact")
    data = {"name": "密接红码7天", "effective_from": "2020-02-10", f"days_{close.pk}": "7"}
    for r in v1.rules.all():
        data.setdefault(f"days_{r.pk}", str(r.duration_days))
        data[f"colour_{r.pk}"] = r.colour_id
    r = client.post(reverse("healthcodes:ruleset_list"), data)
    assert r.status_code == 302
    v2 = RuleSet.objects.get(version=2)
    assert Rule.objects.get(ruleset=v2, kind="close_contact").duration_days == 7
    assert v2.rules.count() == v1.rules.count()
    data["effective_from"] = "bad"
    r = client.post(reverse("healthcodes:ruleset_list"), data)
    assert r.status_code == 400 and "生效日期" in r.content.decode()


def test_resident_sees_own_code_from_the_check_in_cookie(client, people):
    from django.core.signing import get_cookie_signer

    from shuangying.identity.devices import DEVICE_COOKIE, DEVICE_SALT
    from shuangying.identity.models import PublicIdentity

    html = client.get(reverse("healthcodes:my_code")).content.decode()
    assert "还没有登记过" in html
    assert client.post("/api/healthcodes/issue/mine").json() == {"items": []}
    signer = get_cookie_signer(salt=DEVICE_COOKIE + DEVICE_SALT)
    me = people.in_grid1a
    bound = PublicIdentity.objects.create(person=me, phone_hash=me.phone_hash, method="registry")
    client.cookies[DEVICE_COOKIE] = signer.sign(bound.ref)
    html = client.get(reverse("healthcodes:my_code")).content.decode()
    assert 'data-colour="green"' in html and "张**" in html and "<svg" in html
    assert people.in_grid1a.name not in html
    items = client.post("/api/healthcodes/issue/mine").json()["items"]
    assert len(items) == 1 and items[0]["colour"] == "green"


def test_risk_area_api_routes_behind_the_role_decorator(client, personas):
    """``@requires`` under a route of a module with postponed annotations (query schemas)."""
    login(client, personas["county"])
    r = client.post(
        "/api/risk-areas",
        {"code": "420100", "name": "武汉市", "level": "high", "start_date": "2020-01-20"},
        content_type="application/json",
    )
    assert r.status_code == 201
    listing = client.get("/api/risk-areas", {"code": "42", "limit": 10}).json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == "武汉市"
    login(client, personas["grid1a"])
    r = client.post(
        "/api/risk-areas",
        {"code": "420100", "name": "武汉市", "level": "high", "start_date": "2020-01-21"},
        content_type="application/json",
    )
    assert r.status_code == 403


def _remember(client, person):
    from django.core.signing import get_cookie_signer

    from shuangying.identity.devices import DEVICE_COOKIE, DEVICE_SALT
    from shuangying.identity.models import PublicIdentity

    bound = PublicIdentity.objects.create(
        person=person, phone_hash=person.phone_hash, method="registry"
    )
    signer = get_cookie_signer(salt=DEVICE_COOKIE + DEVICE_SALT)
    client.cookies[DEVICE_COOKIE] = signer.sign(bound.ref)


def _wuhan_returnee(person):
    """Back from Wuhan on 10 February 2020, with Hubei's cities high-risk as the demo has them."""
    from shuangying.healthcodes import demo
    from shuangying.healthcodes.services import record_health_event

    demo.load_risk_areas()
    arrived = timezone.make_aware(datetime(2020, 2, 10, 9, 0))
    record_health_event(
        person=person,
        kind="risk_area_arrival",
        occurred_at=arrived,
        source="officer",
        division_code="420100",
    )
    demo.evaluate_codes(date(2020, 2, 15))


def test_demo_wuhan_returnee_is_yellow_on_my_code(client, people, settings):
    settings.SHUANGYING_DEMO = True
    settings.SHUANGYING_DEMO_AS_OF = "2020-02-15"
    _wuhan_returnee(people.in_grid1a)
    _remember(client, people.in_grid1a)
    html = client.get(reverse("healthcodes:my_code")).content.decode()
    assert 'data-colour="yellow"' in html and "来自高风险地区" in html
    assert "演示数据日期：2020-02-15" in html
    items = client.post("/api/healthcodes/issue/mine").json()["items"]
    assert items[0]["colour"] == "yellow"


def test_a_live_fever_still_counts_in_the_demo(client, people, settings):
    """Reckoning as of the demo's day does not hide what happens today."""
    from shuangying.healthcodes.services import record_health_event

    settings.SHUANGYING_DEMO = True
    settings.SHUANGYING_DEMO_AS_OF = "2020-02-15"
    record_health_event(
        person=people.in_grid1a,
        kind="fever_unresolved",
        occurred_at=timezone.now(),
        source="checkpoint",
    )
    _remember(client, people.in_grid1a)
    html = client.get(reverse("healthcodes:my_code")).content.decode()
    assert 'data-colour="yellow"' in html and "发热未排除" in html


def test_outside_the_demo_codes_reckon_from_today(client, people, settings):
    settings.SHUANGYING_DEMO = False
    _wuhan_returnee(people.in_grid1a)
    _remember(client, people.in_grid1a)
    html = client.get(reverse("healthcodes:my_code")).content.decode()
    assert 'data-colour="green"' in html and "演示数据日期" not in html


def test_the_demo_day_setting_is_the_demo_data_s_day():
    from shuangying.people.demo import SCENARIO_DATE

    assert date.fromisoformat(django_settings.DEMO_SCENARIO_DAY) == SCENARIO_DATE

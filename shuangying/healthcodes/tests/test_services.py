"""Overrides, appeals, arrivals from risk areas, risk-area lookups and signed tokens."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from shuangying.audit.models import AuditEvent
from shuangying.healthcodes import tokens
from shuangying.healthcodes.choices import AppealStatus, EventKind, RequestStatus
from shuangying.healthcodes.engine import current_code
from shuangying.healthcodes.models import HealthCodeState, OverrideRequest
from shuangying.healthcodes.services import (
    code_prefix,
    decide_appeal,
    decide_override,
    declare_trip,
    file_appeal,
    issue_code,
    record_health_event,
    request_override,
    review_arrival,
    risk_level_of,
    save_risk_area,
    verify_code,
)
from shuangying.healthcodes.tests.helpers import tampered

pytestmark = pytest.mark.django_db


def test_code_prefix():
    assert (code_prefix("420000"), code_prefix("420100"), code_prefix("420106")) == (
        "42",
        "4201",
        "420106",
    )


def test_record_event_updates_the_stored_state_and_audits(people, personas, health):
    p = people.in_grid1a
    with pytest.raises(PermissionDenied):
        record_health_event(
            person=p,
            kind="close_contact",
            occurred_at=timezone.now(),
            source="tracing",
            actor=personas["county"],
        )
    record_health_event(
        person=p, kind="close_contact", occurred_at=timezone.now(), source="tracing", actor=health
    )
    state = HealthCodeState.objects.get(person=p)
    assert (state.colour, state.reason) == ("red", "密切接触者")
    assert AuditEvent.objects.filter(object_type="health_event").exists()


def test_override_needs_a_second_distinct_approver(people, personas):
    from django.contrib.auth.models import Group

    p = people.in_grid1a
    county = personas["county"]
    county.groups.add(Group.objects.get(name="health_officer"))
    record_health_event(
        person=p, kind="close_contact", occurred_at=timezone.now(), source="tracing"
    )
    with pytest.raises(ValidationError):
        request_override(actor=county, person=p, colour="green", reason="")
    override = request_override(actor=county, person=p, colour="green", reason="误判，已核实")
    assert current_code(p).colour == "red"  # not yet approved
    with pytest.raises(ValidationError):
        decide_override(actor=county, override=override, approve=True)
    with pytest.raises(PermissionDenied):
        decide_override(actor=personas["town1"], override=override, approve=True)
    from shuangying.testing import make_user

    second = make_user("county2", "county_commander", [])
    decide_override(actor=second, override=override, approve=True, note="同意")
    override.refresh_from_db()
    assert override.status == RequestStatus.APPROVED
    r = current_code(p)
    assert (r.colour, r.reason) == ("green", "人工赋码")
    assert HealthCodeState.objects.get(person=p).colour == "green"
    assert AuditEvent.objects.filter(object_type="health_code_override").count() == 2


def test_database_refuses_the_requester_as_approver(people, health):
    override = request_override(
        actor=health, person=people.in_grid1a, colour="red", reason="核实中"
    )
    with pytest.raises(IntegrityError):
        OverrideRequest.objects.filter(pk=override.pk).update(decided_by=health)


def test_appeal_filed_and_decided_proposes_an_override(people, personas, health):
    p = people.in_grid1a
    record_health_event(
        person=p, kind="symptoms_declared", occurred_at=timezone.now(), source="declaration"
    )
    appeal = file_appeal(actor=personas["grid1a"], person=p, reason="症状已消失，医院已排除")
    assert appeal.colour_at_filing == "yellow"
    with pytest.raises(PermissionDenied):
        decide_appeal(
            actor=personas["town1"], appeal=appeal, accept=True, note="核实属实", colour="green"
        )
    decide_appeal(actor=health, appeal=appeal, accept=True, note="核实属实", colour="green")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and appeal.override is not None
    assert appeal.override.status == RequestStatus.PENDING
    assert current_code(p).colour == "yellow"
    decide_override(actor=personas["county"], override=appeal.override, approve=True)
    assert current_code(p).colour == "green"
    with pytest.raises(ValidationError):
        decide_appeal(actor=personas["town1"], appeal=appeal, accept=False, note="重复")


def test_arrival_from_a_risk_area_and_review_for_low_risk(people, personas):
    p = people.in_grid1a
    today = timezone.localdate()
    save_risk_area(code="420100", name="武汉市", level="high", start_date=today - timedelta(days=5))
    save_risk_area(
        code="130100", name="石家庄市", level="low", start_date=today - timedelta(days=5)
    )
    assert risk_level_of("420106", today) == "high"
    assert risk_level_of("420106", today - timedelta(days=10)) == ""
    assert risk_level_of("110101", today) == ""
    event = declare_trip(person=p, origin_code="420106", arrival_date=today)
    assert event is not None and event.risk_level == "high"
    assert current_code(p).colour == "yellow"
    with pytest.raises(ValidationError):
        review_arrival(actor=personas["town1"], arrival=event, approve=True, note="同意返岗")
    q = people.in_grid1b
    low = declare_trip(person=q, origin_code="130102", arrival_date=today)
    assert current_code(q).reason == "来自低风险地区，待审核"
    review_arrival(actor=personas["town1"], arrival=low, approve=True, note="核酸阴性，同意返岗")
    assert current_code(q).colour == "green"
    assert declare_trip(person=q, origin_code="110101", arrival_date=today) is None


def test_token_sign_verify_tampered_and_expired(people):
    issued = issue_code(person=people.in_grid1a)
    v = verify_code(issued.token)
    assert v.valid and v.colour == "green" and v.masked_name == "张**"
    body, sig = issued.token.split(".")
    payload = tokens.b64d(body).replace(b'"green"', b'"red__"')
    assert not verify_code(f"{tokens.b64e(payload)}.{sig}").valid
    assert tampered(issued.token) != issued.token
    assert not verify_code(tampered(issued.token)).valid
    assert not verify_code("garbage").valid
    late = verify_code(issued.token, now=time.time() + tokens.TOKEN_SECONDS + 1)
    assert not late.valid and "过期" in late.message
    assert people.in_grid1a.reveal_id_number() not in issued.token


def test_events_in_the_future_do_not_count(people):
    p = people.in_grid1a
    record_health_event(
        person=p,
        kind=EventKind.CONFIRMED,
        occurred_at=timezone.now() + timedelta(days=1),
        source="hospital",
    )
    assert current_code(p).colour == "green"
    assert current_code(p, timezone.now() + timedelta(days=2)).colour == "red"


def test_travel_entries_from_risk_areas_become_arrivals_set_based(people):
    from django.core.management import call_command

    from shuangying.healthcodes.engine import record_travel_arrivals
    from shuangying.healthcodes.models import HealthEvent
    from shuangying.people.models import TravelEntry

    today = timezone.localdate()
    save_risk_area(
        code="420000", name="湖北省", level="medium", start_date=today - timedelta(days=3)
    )
    TravelEntry.objects.create(
        person=people.in_grid1a, origin="武汉", origin_code="420106", arrival_date=today
    )
    TravelEntry.objects.create(
        person=people.in_grid1b, origin="北京", origin_code="110101", arrival_date=today
    )
    TravelEntry.objects.create(
        person=people.in_grid2a,
        origin="武汉",
        origin_code="420106",
        arrival_date=today - timedelta(days=10),
    )
    call_command("reevaluate_health_codes", stdout=__import__("io").StringIO())
    state = HealthCodeState.objects.get(person=people.in_grid1a)
    assert (state.colour, state.reason) == ("yellow", "来自中风险地区")
    assert HealthCodeState.objects.get(person=people.in_grid1b).colour == "green"
    assert HealthCodeState.objects.get(person=people.in_grid2a).colour == "green"
    event = HealthEvent.objects.get(kind="risk_area_arrival")
    assert timezone.localtime(event.occurred_at).date() == today
    assert timezone.localtime(event.occurred_at).hour == 0
    assert record_travel_arrivals() == 0  # idempotent
    assert current_code(people.in_grid1a).colour == "yellow"

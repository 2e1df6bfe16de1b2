"""Gate checks of passes (C4, C6): every reason to turn back, and the records they leave."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangying.passes.models import PassCheck
from shuangying.passes.services import check_pass, issue_pass, revoke_pass, save_rule
from shuangying.passes.tokens import pass_for_token, token_for
from shuangying.people.services import create_household
from shuangying.places.services import create_place

pytestmark = pytest.mark.django_db


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 2, day, hour, minute))


@pytest.fixture
def gate(county):
    save_rule(
        actor=None,
        division=county.village1,
        opens_at=time(7, 30),
        closes_at=time(21, 0),
        exit_interval_days=2,
        admit_outsiders=False,
    )
    return create_place(type="village_gate", name="东村村口", division=county.village1)


@pytest.fixture
def household(county, people):
    household = create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")
    people.in_grid1a.household = household
    people.in_grid1a.save()
    return household


def household_pass(county, household, **extra):
    fields = {
        "valid_from": local(1, 0),
        "valid_until": local(28, 0),
        **extra,
    }
    return issue_pass(
        actor=None, type="household", division=county.grid1a, household=household, **fields
    )


def test_allowed_within_hours(county, gate, household):
    check = check_pass(
        token=token_for(household_pass(county, household)), place=gate, at=local(3, 9)
    )
    assert check.allowed and check.reason == ""


@pytest.mark.parametrize("hour, minute", [(7, 29), (21, 0), (23, 30), (3, 0)])
def test_refused_outside_open_hours(county, gate, household, hour, minute):
    token = token_for(household_pass(county, household))
    check = check_pass(token=token, place=gate, at=local(3, hour, minute))
    assert not check.allowed and check.reason == "outside_hours"
    assert check.get_reason_display() == "不在开放时间内"


def test_quota_one_member_per_household_every_two_days(county, gate, household, people):
    first = household_pass(county, household)
    # Another member of the same household holds a person pass.
    from shuangying.people.models import Person

    other = Person.objects.get(pk=people.in_grid1b.pk)
    other.household = household
    other.save()
    second = issue_pass(
        actor=None,
        type="person",
        division=county.grid1a,
        person=other,
        valid_from=local(1, 0),
        valid_until=local(28, 0),
    )
    assert check_pass(token=token_for(first), place=gate, at=local(3, 9)).allowed
    again = check_pass(token=token_for(second), place=gate, at=local(4, 20))
    assert again.reason == "quota_used"
    # Coming back in is not an exit.
    assert check_pass(token=token_for(first), place=gate, at=local(4, 10), direction="in").allowed
    assert check_pass(token=token_for(second), place=gate, at=local(5, 8)).allowed


def test_revoked_expired_not_yet_valid(county, gate, household):
    p = household_pass(county, household)
    revoke_pass(actor=None, pass_obj=p, reason="搬离")
    assert check_pass(token=token_for(p), place=gate, at=timezone.now()).reason == "revoked"
    p = household_pass(county, household)
    assert check_pass(token=token_for(p), place=gate, at=local(28, 9)).reason == "expired"
    assert (
        check_pass(token=token_for(p), place=gate, at=local(1, 0) - timedelta(hours=3)).reason
        == "not_yet_valid"
    )


def test_outsider_is_turned_back(county, gate):
    outside = create_household(actor=None, division=county.grid2a, number="X1", address="西村1号")
    p = issue_pass(
        actor=None,
        type="household",
        division=county.grid2a,
        household=outside,
        valid_from=local(1, 0),
        valid_until=local(28, 0),
    )
    check = check_pass(token=token_for(p), place=gate, at=local(3, 9), direction="in")
    assert check.reason == "outsider"


@pytest.mark.parametrize("token", ["", "nonsense", "abc:def"])
def test_forged_token_is_refused_and_recorded(gate, token):
    check = check_pass(token=token, place=gate, at=local(3, 9))
    assert check.reason == "forged" and check.pass_obj is None
    assert PassCheck.objects.filter(outcome="refused").count() == 1


def test_place_code_token_is_not_a_pass(county, gate):
    from shuangying.places.tokens import token_for as place_token

    code = gate.codes.get(revoked_at__isnull=True)
    assert pass_for_token(place_token(code)) is None


@pytest.mark.parametrize("plate", ["晋L12345", "冀A D12345", "京AD12345", "粤B·12345"])
def test_transport_pass_plates(county, plate):
    p = issue_pass(
        actor=None,
        type="transport",
        division=county.town1,
        holder_name="一镇食品厂",
        plate=plate,
        route="一镇—县城 国道107",
        issuing_department=county.health,
        valid_from=local(1, 0),
        valid_until=local(28, 0),
    )
    assert p.plate == plate.replace(" ", "").replace("·", "")


@pytest.mark.parametrize("plate", ["L12345", "晋12345", "AB12345", "晋L1234", "晋L1234567"])
def test_transport_pass_rejects_bad_plates(county, plate):
    with pytest.raises(ValidationError):
        issue_pass(
            actor=None,
            type="transport",
            division=county.town1,
            holder_name="一镇食品厂",
            plate=plate,
            route="国道107",
            valid_from=local(1, 0),
            valid_until=local(28, 0),
        )


def test_transport_pass_checked_with_plate(county):
    checkpoint = create_place(type="traffic_checkpoint", name="107国道卡口", division=county.town1)
    p = issue_pass(
        actor=None,
        type="transport",
        division=county.town1,
        holder_name="一镇食品厂",
        plate="晋L12345",
        route="国道107",
        valid_from=local(1, 0),
        valid_until=local(28, 0),
    )
    token = token_for(p)
    # No open hours on the roads.
    assert check_pass(token=token, place=checkpoint, at=local(3, 23), plate="晋L12345").allowed
    assert (
        check_pass(token=token, place=checkpoint, at=local(3, 23), plate="晋L54321").reason
        == "plate_mismatch"
    )


def test_exit_certificate_has_a_validity_period(county, gate, people):
    p = issue_pass(
        actor=None,
        type="exit_certificate",
        division=county.grid1a,
        person=people.in_grid1a,
        purpose="就医",
        valid_from=local(3, 8),
        valid_until=local(3, 18),
    )
    assert check_pass(token=token_for(p), place=gate, at=local(3, 9)).allowed
    assert check_pass(token=token_for(p), place=gate, at=local(3, 19)).reason == "expired"


def test_rule_hours_must_be_ordered(county):
    with pytest.raises(ValidationError):
        save_rule(actor=None, division=county.village1, opens_at=time(21), closes_at=time(7))


def test_rule_defaults_are_07_30_to_21_00(county):
    rule = save_rule(actor=None, division=county.village1)
    assert (rule.opens_at, rule.closes_at) == (time(7, 30), time(21, 0))

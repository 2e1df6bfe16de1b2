"""Cases (E4, E5): the allowed moves, the history, the health events, beds never over
capacity, days without a new confirmed case."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangying.cases import services as s
from shuangying.cases.choices import CaseClass
from shuangying.cases.stats import days_without_confirmed
from shuangying.healthcodes.models import HealthEvent
from shuangying.testing import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime(2020, 2, day, hour, tzinfo=TZ)


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county])


def test_open_records_suspected_event_and_history(people, cdc):
    case, created = s.open_case(
        person=people.in_grid1a, opened_at=at(1), source="发热门诊", actor=cdc
    )
    assert created and case.case_class == CaseClass.SUSPECTED
    assert case.history.get().to_class == CaseClass.SUSPECTED
    assert HealthEvent.objects.filter(person=people.in_grid1a, kind="suspected").count() == 1
    again, created = s.open_case(person=people.in_grid1a, opened_at=at(2))
    assert again.pk == case.pk and not created


def test_allowed_moves_only_with_reason(people, cdc):
    case, _ = s.open_case(person=people.in_grid1a, opened_at=at(1))
    with pytest.raises(ValidationError) as exc:
        s.reclassify_case(case=case, to_class=CaseClass.CONFIRMED, reason=" ", actor=cdc)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        s.reclassify_case(case=case, to_class=CaseClass.CURED, reason="好转", actor=cdc)
    assert "to_class" in exc.value.message_dict
    s.reclassify_case(
        case=case, to_class=CaseClass.CONFIRMED, reason="复核阳性", actor=cdc, at=at(3)
    )
    case = s.reclassify_case(
        case=case, to_class=CaseClass.CURED, reason="两次阴性", actor=cdc, at=at(20)
    )
    assert case.confirmed_at == at(3) and case.closed_at == at(20)
    history = list(case.history.values_list("from_class", "to_class", "by_name"))
    assert history == [
        ("", "suspected", "系统"),
        ("suspected", "confirmed", "cdc"),
        ("confirmed", "cured", "cdc"),
    ]
    assert HealthEvent.objects.filter(person=people.in_grid1a, kind="confirmed").count() == 1
    with pytest.raises(ValidationError):
        s.reclassify_case(case=case, to_class=CaseClass.DIED, reason="x", actor=cdc)


def test_a_township_officer_may_not_confirm(people, personas):
    case, _ = s.open_case(person=people.in_grid1a, opened_at=at(1))
    with pytest.raises(PermissionDenied):
        s.reclassify_case(
            case=case, to_class=CaseClass.CONFIRMED, reason="x", actor=personas["town1"]
        )
    case.refresh_from_db()
    assert case.case_class == CaseClass.SUSPECTED


def test_ward_never_over_capacity(county, people):
    hospital = s.create_hospital(name="县人民医院", kind="designated", division=county.county)
    ward = s.create_ward(hospital=hospital, name="感染一病区", capacity=1)
    first, _ = s.open_case(person=people.in_grid1a, opened_at=at(1))
    second, _ = s.open_case(person=people.in_grid1b, opened_at=at(1))
    admission = s.admit_case(case=first, ward=ward, at=at(1, 12))
    with pytest.raises(ValidationError) as exc:
        s.admit_case(case=second, ward=ward, at=at(1, 13))
    assert "ward" in exc.value.message_dict
    ward.refresh_from_db()
    assert ward.occupied == 1
    s.discharge_case(admission=admission, reason="治愈出院", at=at(20))
    s.admit_case(case=second, ward=ward, at=at(20, 12))
    ward.refresh_from_db()
    assert ward.occupied == 1


def test_days_without_a_new_confirmed_case(county, people, cdc):
    # Ningjin (seed 002): the last new confirmed case on 5 February, 17 days by the 22nd.
    for person, day in ((people.in_grid1a, 1), (people.in_grid2a, 5)):
        case, _ = s.open_case(person=person, opened_at=at(day))
        s.reclassify_case(
            case=case, to_class=CaseClass.CONFIRMED, reason="确诊", actor=cdc, at=at(day, 18)
        )
    s.open_case(person=people.in_grid1b, opened_at=at(21))  # suspected: does not count
    rows = {r.name: r for r in days_without_confirmed(on=date(2020, 2, 22))}
    assert rows["示范县"].days == 17 and rows["示范县"].last_confirmed == date(2020, 2, 5)
    assert rows["一镇"].days == 21
    assert rows["二镇"].days == 17
    before = {r.name: r for r in days_without_confirmed(on=date(2020, 2, 3))}
    assert before["示范县"].days == 2 and before["二镇"].days is None

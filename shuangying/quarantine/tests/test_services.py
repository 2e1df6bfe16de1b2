from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.healthcodes.choices import EventKind
from shuangying.healthcodes.engine import current_code
from shuangying.healthcodes.models import HealthEvent
from shuangying.quarantine import services, stats
from shuangying.quarantine.choices import OrderState, RoomState
from shuangying.quarantine.models import OrderChange, QuarantineOrder, Stay

from .helpers import days_ago, result_on

pytestmark = pytest.mark.django_db


def _order(person, **kw):
    kw.setdefault("kind", "home")
    kw.setdefault("reason", "close_contact")
    return services.open_order(person=person, **kw)


def test_open_order_takes_the_reasons_period_and_the_grid_worker(people, personas, settings):
    settings.QUARANTINE_PERIOD_DAYS = {**settings.QUARANTINE_PERIOD_DAYS, "risk_arrival": 10}
    result = _order(people.in_grid1a, reason="risk_arrival", start_date=days_ago(0))
    order = result.order
    assert result.created
    assert order.days == 10 and order.end_date == days_ago(0) + timedelta(days=9)
    assert order.grid_worker == personas["grid1a"]
    assert order.division_id == people.in_grid1a.division_id
    assert (
        HealthEvent.objects.filter(
            person=people.in_grid1a, kind=EventKind.QUARANTINE_STARTED
        ).count()
        == 1
    )


def test_a_second_order_extends_the_first_and_says_so(people):
    first = _order(people.in_grid1a, start_date=days_ago(5)).order
    again = _order(people.in_grid1a, reason="secondary_contact", start_date=days_ago(0))
    assert not again.created and again.order.pk == first.pk
    assert "未新建隔离令" in again.message and "延长" in again.message
    assert QuarantineOrder.objects.filter(person=people.in_grid1a).count() == 1
    change = OrderChange.objects.get(order=first)
    assert change.kind == "extend" and change.days == 5
    # One that would end sooner changes nothing.
    same = _order(people.in_grid1a, start_date=days_ago(6))
    assert not same.created and same.change is None
    assert OrderChange.objects.filter(order=first).count() == 1


def test_the_database_refuses_two_active_orders(people):
    order = _order(people.in_grid1a).order
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarantineOrder.objects.create(
            person=order.person,
            division=order.division,
            kind="home",
            reason="close_contact",
            start_date=order.start_date,
            end_date=order.end_date,
            ordered_at=timezone.now(),
        )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "tent"}, "kind"),
        ({"reason": "gossip"}, "reason"),
        ({"reason": "other"}, "reason_text"),
        ({"days": 0}, "days"),
        ({"days": 61}, "days"),
        ({"days": "x"}, "days"),
    ],
)
def test_bad_orders_name_the_field(people, kw, field):
    with pytest.raises(ValidationError) as exc:
        _order(people.in_grid1a, **kw)
    assert field in exc.value.message_dict
    assert not QuarantineOrder.objects.exists()


def test_changes_keep_the_history_and_refuse_an_end_before_the_start(people, personas):
    order = _order(people.in_grid1a, start_date=days_ago(2)).order
    end = order.end_date
    services.change_order(order=order, days=7, reason="同住人确诊", actor=personas["town1"])
    services.change_order(order=order, days=-3, reason="专家评估", actor=personas["town1"])
    order.refresh_from_db()
    assert order.end_date == end + timedelta(days=4)
    assert [(c.kind, c.days) for c in order.changes.all()] == [("extend", 7), ("reduce", 3)]
    assert order.changes.first().by_name
    with pytest.raises(ValidationError) as exc:
        services.change_order(order=order, days=-30, reason="x")
    assert "days" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.change_order(order=order, days=3, reason=" ")
    assert "reason" in exc.value.message_dict


# The release conditions as a table: (days ago the order started, test days with a negative
# result, the fields named as unmet; empty: released).
RELEASE_CASES = [
    (13, [7, 13], []),
    (20, [7, 13], []),
    (12, [7, 13], ["end_date"]),
    (13, [7], ["tests"]),
    (13, [], ["tests"]),
    (13, [6, 13], ["tests"]),
    (5, [], ["end_date", "tests"]),
]


@pytest.mark.parametrize(("started", "negative_days", "unmet"), RELEASE_CASES)
def test_release_conditions(people, started, negative_days, unmet):
    person = people.in_grid1a
    order = _order(person, start_date=days_ago(started)).order
    for n in negative_days:
        result_on(person, order.start_date + timedelta(days=n - 1))
    if unmet:
        with pytest.raises(ValidationError) as exc:
            services.release_order(order=order)
        assert sorted(exc.value.message_dict) == sorted(unmet)
        order.refresh_from_db()
        assert order.state == OrderState.ACTIVE
    else:
        services.release_order(order=order)
        order.refresh_from_db()
        assert order.state == OrderState.RELEASED and order.released_at


def test_a_positive_on_a_test_day_does_not_count(people):
    person = people.in_grid1a
    order = _order(person, start_date=days_ago(13)).order
    result_on(person, order.start_date + timedelta(days=6))
    result_on(person, order.start_date + timedelta(days=12), result="positive")
    with pytest.raises(ValidationError) as exc:
        services.release_order(order=order)
    assert "第13天" in exc.value.message_dict["tests"][0]


def test_release_conditions_follow_the_settings(people, settings):
    settings.QUARANTINE_RELEASE_TEST_DAYS = ()
    order = _order(people.in_grid1a, start_date=days_ago(13)).order
    services.release_order(order=order)


def test_the_code_is_red_for_the_whole_order_and_green_after_release(people):
    person = people.in_grid1a
    before = current_code(person.pk).colour
    order = _order(person, start_date=days_ago(13)).order
    assert before == "green"
    assert current_code(person.pk).colour == "red"
    assert current_code(person.pk, timezone.now() - timedelta(days=6)).colour == "red"
    result_on(person, order.start_date + timedelta(days=6))
    result_on(person, order.start_date + timedelta(days=12))
    assert current_code(person.pk).colour == "red"
    services.release_order(order=order)
    assert current_code(person.pk).colour == "green"
    assert HealthEvent.objects.filter(person=person, kind=EventKind.QUARANTINE_ENDED).count() == 1


@pytest.fixture
def site(county):
    site = services.create_site(name="城南宾馆", kind="hotel", division=county.town1)
    for number in ("101", "102"):
        services.create_room(site=site, number=number)
    return site


def test_one_person_per_room_and_cleaning_after_release(people, site):
    room = site.rooms.get(number="101")
    a = _order(people.in_grid1a, kind="centralised", start_date=days_ago(13)).order
    b = _order(people.in_grid1b, kind="centralised").order
    services.allocate_room(order=a, room=room)
    with pytest.raises(ValidationError) as exc:
        services.allocate_room(order=b, room=room)
    assert "单人单间" in exc.value.message_dict["room"][0]
    with pytest.raises(ValidationError):
        services.allocate_room(order=a, room=site.rooms.get(number="102"))
    for n in (7, 13):
        result_on(a.person, a.start_date + timedelta(days=n - 1))
    services.release_order(order=a)
    room.refresh_from_db()
    assert room.state == RoomState.CLEANING
    with pytest.raises(ValidationError) as exc:
        services.allocate_room(order=b, room=room)
    assert "待消毒" in exc.value.message_dict["room"][0]
    services.mark_room_cleaned(room=room)
    services.allocate_room(order=b, room=room)


def test_a_household_shares_a_room_only_where_the_site_allows(people, county):
    from shuangying.people.services import create_household

    site = services.create_site(
        name="实验学校", kind="school", division=county.town1, shared_households=True
    )
    room = services.create_room(site=site, number="201", beds=2)
    household = create_household(
        actor=None, division=county.grid1a, number="H-9", address="东村9号"
    )
    for p in (people.in_grid1a, people.in_grid1b):
        p.household = household
        p.save(update_fields=["household"])
    a = _order(people.in_grid1a, kind="centralised").order
    b = _order(people.in_grid1b, kind="centralised").order
    c = _order(people.in_grid2a, kind="centralised").order
    assert services.allocate_room(order=a, room=room).bed == 1
    with pytest.raises(ValidationError) as exc:
        services.allocate_room(order=c, room=room)
    assert "其他家庭" in exc.value.message_dict["room"][0]
    assert services.allocate_room(order=b, room=room).bed == 2


def test_the_database_refuses_a_second_open_stay_on_a_bed(people, site):
    room = site.rooms.get(number="101")
    a = _order(people.in_grid1a, kind="centralised").order
    b = _order(people.in_grid1b, kind="centralised").order
    services.allocate_room(order=a, room=room)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(order=b, room=room, bed=1, from_at=timezone.now())


def test_transfer_moves_the_stay_and_sends_the_old_room_to_cleaning(people, site):
    r101, r102 = site.rooms.get(number="101"), site.rooms.get(number="102")
    a = _order(people.in_grid1a, kind="centralised").order
    services.allocate_room(order=a, room=r101)
    with pytest.raises(ValidationError) as exc:
        services.transfer_stay(order=a, room=r102, reason="")
    assert "reason" in exc.value.message_dict
    stay = services.transfer_stay(order=a, room=r102, reason="楼层调整")
    assert stay.room == r102
    r101.refresh_from_db()
    assert r101.state == RoomState.CLEANING
    assert Stay.objects.filter(order=a).count() == 2
    assert Stay.objects.filter(order=a, to_at__isnull=True).get().room == r102


def test_home_orders_get_no_room(people, site):
    a = _order(people.in_grid1a).order
    with pytest.raises(ValidationError) as exc:
        services.allocate_room(order=a, room=site.rooms.first())
    assert "居家隔离" in exc.value.message_dict["room"][0]


def test_counts_cumulative_released_current(people, site, county):
    a = _order(people.in_grid1a, kind="centralised", start_date=days_ago(13)).order
    b = _order(people.in_grid1b, kind="centralised").order
    _order(people.in_grid2a)
    services.allocate_room(order=a, room=site.rooms.get(number="101"))
    services.allocate_room(order=b, room=site.rooms.get(number="102"))
    for n in (7, 13):
        result_on(a.person, a.start_date + timedelta(days=n - 1))
    services.release_order(order=a)
    every = QuarantineOrder.objects.all()
    total = stats.counts(every)
    assert (total.cumulative, total.released, total.current) == (3, 1, 2)
    assert stats.counts(every, on=days_ago(1)).released == 0
    [(found, at_site)] = stats.by_site(type(site).objects.all())
    assert found == site and (at_site.cumulative, at_site.released) == (2, 1)
    towns = {t.name: (c.cumulative, c.current) for t, c in stats.by_township(every)}
    assert towns == {county.town1.name: (2, 1), county.town2.name: (1, 1)}

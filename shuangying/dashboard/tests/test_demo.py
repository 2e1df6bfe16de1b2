"""The demo (load_demo, demo_logins) and benchmark counties (build_county)."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from shuangying.accounts.demo import DEMO_ACCOUNTS
from shuangying.accounts.models import User
from shuangying.divisions.choices import DivisionKind, DivisionLevel
from shuangying.divisions.models import Assignment, Division
from shuangying.people.identity import facts_from_resident_id, normalize_resident_id
from shuangying.people.models import Household, Person, StaffSurvey, TravelEntry

from .conftest import SMALL


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", persons=SMALL, stdout=out, **options)
    return out.getvalue()


def village_of(division: Division) -> Division:
    return next(d for d in division.ancestors() if d.level == DivisionLevel.VILLAGE)


def township_of(division: Division) -> Division:
    return next(d for d in division.ancestors() if d.level == DivisionLevel.TOWNSHIP)


def test_accounts_have_their_roles_and_divisions(demo_county):
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    for username, role, *_rest in DEMO_ACCOUNTS:
        user = users[username]
        assert user.role_names() == [role]
        assert user.check_password(settings.DEMO_PASSWORD)
        assert not user.is_superuser and not user.is_staff
        assert not user.needs_two_factor  # demo accounts skip 2FA in the demo only

    assert list(users["county"].divisions.all()) == [demo_county]
    town1 = users["town1"].divisions.get()
    assert (town1.code, town1.name) == ("141021100000", "乐昌镇")
    grid1a, grid1b = users["grid1a"].divisions.get(), users["grid1b"].divisions.get()
    grid2a = users["grid2a"].divisions.get()
    assert {grid1a.kind, grid1b.kind, grid2a.kind} == {DivisionKind.GRID}
    assert grid1a != grid1b
    assert village_of(grid1a) == village_of(grid1b) == users["village1"].divisions.get()
    assert township_of(grid1a) == town1
    assert township_of(grid2a) != town1
    assert users["dept"].department.name == "发改局"


def test_demo_county_shape(demo_county):
    townships = Division.objects.filter(level=DivisionLevel.TOWNSHIP)
    assert 10 <= townships.count() <= 14
    for township in townships:
        ranges = {"street": range(1, 100), "town": range(100, 200), "township": range(200, 400)}
        assert int(township.code[6:9]) in ranges[township.kind]  # GB/T 10114
    villages = Division.objects.filter(level=DivisionLevel.VILLAGE)
    assert 270 <= villages.count() <= 330
    for village in villages.exclude(name="兴隆街社区"):
        assert 1 <= village.children.count() <= 4

    community = Division.objects.get(name="兴隆街社区")
    compounds = community.children.order_by("path")
    assert [c.name for c in compounds if c.kind == DivisionKind.BUILDING] == [
        f"计委{i}号楼" for i in range(1, 6)
    ]
    assert compounds.count() == 7
    households = Household.objects.filter(division__path__startswith=community.path)
    assert households.count() == 251
    assert not households.filter(members=None).exists()
    returnees = Person.objects.filter(
        division__path__startswith=community.path, tags__code="returnee"
    )
    assert returnees.exists()
    assert TravelEntry.objects.filter(person__in=returnees).count() == returnees.count()


def test_persons_are_valid_and_unique(demo_county):
    persons = list(Person.objects.all())
    assert len(persons) == SMALL
    numbers = [p.reveal_id_number() for p in persons]
    assert len(set(numbers)) == SMALL
    for person, number in zip(persons, numbers, strict=True):
        assert normalize_resident_id(number) == number
        facts = facts_from_resident_id(number)
        assert (facts.sex, facts.birth_date) == (person.sex, person.birth_date)
        assert person.id_number_masked == number[:6] + "********" + number[-4:]
        phone = person.reveal_phone()
        assert phone == "" or (len(phone) == 11 and phone[0] == "1" and phone[1] in "3456789")
        assert 2 <= len(person.name) <= 4
        assert person.division.kind == DivisionKind.GRID
        assert person.household.division_id == person.division_id
    assert any(n.startswith("141021") for n in numbers)
    assert len({n[:6] for n in numbers}) > 5


def test_departments_survey_and_assignments(demo_county):
    survey = StaffSurvey.objects.filter(department__name="发改局")
    assert survey.exists()
    assert all(s.person.workplace_department.name == "发改局" for s in survey)
    for township in Division.objects.filter(level=DivisionLevel.TOWNSHIP):
        assert Assignment.objects.filter(object_id=township.pk, leader__isnull=False).exists()
    assert Assignment.objects.filter(unit__name="发改局", duty="责任小区").count() == 7
    # Jurisdiction on the demo data: a grid worker sees their grid; the bureau its staff.
    grid1a = User.objects.get(username="grid1a")
    grid = grid1a.divisions.get()
    visible = Person.objects.restrict(grid1a)
    assert visible.count() == Person.objects.filter(division=grid).count() > 0
    dept = User.objects.get(username="dept")
    assert set(Person.objects.restrict(dept).filter(staff_surveys__isnull=False)) == {
        s.person for s in survey
    }


def test_load_demo_is_idempotent_and_reset_reloads_the_same_county(demo_county):
    names = list(Person.objects.order_by("id").values_list("name", flat=True))
    counts = (Person.objects.count(), Household.objects.count(), User.objects.count())
    out = load()
    assert "已存在" in out
    assert (Person.objects.count(), Household.objects.count(), User.objects.count()) == counts

    out = load(reset=True)
    assert "已载入" in out
    assert f"赋码{SMALL}人，其中黄码" in out  # every person's code, counted (not a rowcount)
    assert (Person.objects.count(), Household.objects.count(), User.objects.count()) == counts
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(names)


def test_load_demo_refuses_outside_the_demo(db, settings):
    settings.SHUANGYING_DEMO = False
    with pytest.raises(CommandError, match="SHUANGYING_DEMO"):
        load()
    assert not Division.objects.exists()


def test_demo_logins_prints_accounts_and_password(demo_county):
    out = StringIO()
    call_command("demo_logins", port="8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123" in text
    assert settings.DEMO_PASSWORD in text
    for username, *_rest in DEMO_ACCOUNTS:
        assert f"\n{username} " in text
    assert "兴隆街社区计委1号楼第一网格" in text


def test_build_county_on_an_empty_database(db):
    out = StringIO()
    call_command("build_county", persons=3000, townships=4, stdout=out)
    county = Division.objects.get(path="130682/")
    assert county.name == "定州市"
    assert Division.objects.filter(level=DivisionLevel.TOWNSHIP).count() == 4
    assert Person.objects.filter(division__path__startswith="130682/").count() == 3000
    sample = Person.objects.order_by("?")[:50]
    for person in sample:
        number = person.reveal_id_number()
        assert normalize_resident_id(number) == number
        assert person.household_id is not None
    # Sequences moved past the ids the builder chose (matters on PostgreSQL).
    extra = Household.objects.create(division=sample[0].division, number="X1", address="补录")
    assert extra.pk > Household.objects.exclude(pk=extra.pk).order_by("-pk")[0].pk
    out = StringIO()
    call_command("build_county", persons=3000, townships=4, stdout=out)
    assert "已存在" in out.getvalue()
    assert Person.objects.count() == 3000


def test_the_demo_shows_the_epidemic(demo_county):
    """Issue 16 item 4: Hubei is a high-risk area in the demo's February 2020, so a returnee
    from Wuhan in the week before the demo's day is yellow; one from elsewhere is green; and
    the checkpoints' ledger holds a few fevers among its checks."""
    from shuangying.checkpoints.models import CheckpointRecord
    from shuangying.healthcodes.models import HealthCodeState, RiskArea
    from shuangying.healthcodes.services import risk_level_of
    from shuangying.people.demo import SCENARIO_DATE

    assert risk_level_of("420106", SCENARIO_DATE) == "high"  # 武汉市武昌区
    assert risk_level_of("420106", date(2020, 1, 10)) == ""  # before the lockdown
    assert RiskArea.objects.filter(code="420100").get().end_date == date(2020, 4, 7)

    week = (SCENARIO_DATE - timedelta(days=6), SCENARIO_DATE)
    wuhan = TravelEntry.objects.filter(origin_code__startswith="4201", arrival_date__range=week)
    assert wuhan.exists()
    for trip in wuhan:
        state = HealthCodeState.objects.get(person_id=trip.person_id)
        assert (state.colour, state.reason) == ("yellow", "来自高风险地区")
    earlier = TravelEntry.objects.filter(
        origin_code__startswith="42", arrival_date__lt=SCENARIO_DATE - timedelta(days=8)
    ).exclude(person__travel_entries__arrival_date__gte=SCENARIO_DATE - timedelta(days=8))
    assert earlier.exists()
    assert {HealthCodeState.objects.get(person_id=t.person_id).colour for t in earlier} == {"green"}
    elsewhere = TravelEntry.objects.filter(origin_code__startswith="14").values("person_id")
    assert set(
        HealthCodeState.objects.filter(person_id__in=elsewhere).values_list("colour", flat=True)
    ) <= {"green"}

    checks = CheckpointRecord.objects.all()
    fevers = checks.filter(is_fever=True)
    assert fevers.exists()
    assert checks.count() > 50 * fevers.count()
    assert not fevers.exclude(outcome="fever_clinic").exists()


def test_grid_names_do_not_repeat_their_village_or_building(demo_county):
    """Issue 16 item 13: screens show a grid after its ancestors (full_name), so a grid named
    after its village read 中桥庄村中桥庄村第一网格, and 计委1号楼计委1号楼网格."""
    grids = Division.objects.filter(kind=DivisionKind.GRID).select_related("parent")
    assert grids.exists()
    for grid in grids:
        assert not grid.name.startswith(grid.parent.name), grid.name
        assert grid.name.startswith("第") and grid.name.endswith("网格")
    building = Division.objects.get(name="计委1号楼")
    assert building.children.get().full_name() == "乐昌镇兴隆街社区计委1号楼第一网格"


def test_the_load_is_audited_as_the_command(demo_county):
    from shuangying.audit.models import AuditEvent

    row = AuditEvent.objects.get(object_type="demo")
    assert row.path == "command:load_demo" and "曲沃县" in row.summary
    others = AuditEvent.objects.filter(object_type="risk_area")
    assert others.count() == 17 and set(others.values_list("path", flat=True)) == {row.path}

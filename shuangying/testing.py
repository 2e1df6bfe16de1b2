"""Builders for tests and benchmarks: a small county, persona users, a few people.

Kept in the package (not under tests/) so that tests of every app and the benchmarks share
one definition of the personas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group

from shuangying.accounts.models import Department, User
from shuangying.divisions.models import Division
from shuangying.divisions.services import create_division
from shuangying.people.identity import make_resident_id

PASSWORD = "Correct-Horse-2020"


@dataclass
class SmallCounty:
    county: Division
    town1: Division
    village1: Division
    grid1a: Division
    grid1b: Division
    town2: Division
    village2: Division
    grid2a: Division
    health: Department


def build_small_county() -> SmallCounty:
    county = create_division(parent=None, kind="county", code="130682000000", name="示范县")
    town1 = create_division(parent=county, kind="town", code="130682100000", name="一镇")
    village1 = create_division(parent=town1, kind="village", code="130682100201", name="东村")
    grid1a = create_division(parent=village1, kind="grid", code="01", name="东村一网格")
    grid1b = create_division(parent=village1, kind="grid", code="02", name="东村二网格")
    town2 = create_division(parent=county, kind="town", code="130682101000", name="二镇")
    village2 = create_division(parent=town2, kind="village", code="130682101201", name="西村")
    grid2a = create_division(parent=village2, kind="grid", code="01", name="西村一网格")
    health = Department.objects.create(code="health", name="卫健局")
    return SmallCounty(county, town1, village1, grid1a, grid1b, town2, village2, grid2a, health)


def make_user(username: str, role: str, divisions=(), department=None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=extra.pop("full_name", username),
        department=department,
        **extra,
    )
    user.groups.add(Group.objects.get(name=role))
    if divisions:
        user.divisions.set(divisions)
    return user


def build_personas(c: SmallCounty) -> dict[str, User]:
    return {
        "county": make_user("county", "county_commander", [c.county]),
        "town1": make_user("town1", "township_officer", [c.town1]),
        "village1": make_user("village1", "village_officer", [c.village1]),
        "grid1a": make_user("grid1a", "grid_worker", [c.grid1a]),
        "grid1b": make_user("grid1b", "grid_worker", [c.grid1b]),
        "grid2a": make_user("grid2a", "grid_worker", [c.grid2a]),
        "dept": make_user("dept", "department_officer", [], department=c.health),
        "checkpoint": make_user("checkpoint", "checkpoint_staff", [c.town1]),
        "auditor": make_user("auditor", "auditor"),
        "admin": make_user("admin", "system_admin"),
        "security": make_user("security", "security_admin"),
    }


@dataclass
class SmallPeople:
    in_grid1a: object
    in_grid1b: object
    in_grid2a: object


def build_people(c: SmallCounty) -> SmallPeople:
    from shuangying.people.services import register_person

    def add(name, division, seq, phone):
        return register_person(
            actor=None,
            name=name,
            id_number=make_resident_id("130682", date(1980, 1, 2), seq),
            division=division,
            phone=phone,
        ).person

    return SmallPeople(
        in_grid1a=add("张一甲", c.grid1a, 11, "13800001111"),
        in_grid1b=add("李一乙", c.grid1b, 12, "13800002222"),
        in_grid2a=add("王二甲", c.grid2a, 13, "13800003333"),
    )


def login(client, user) -> None:
    """Log ``user`` in on a test client as if password and (where needed) TOTP were entered."""
    from shuangying.accounts.middleware import OTP_VERIFIED

    client.force_login(user)
    session = client.session
    session[OTP_VERIFIED] = True
    session.save()

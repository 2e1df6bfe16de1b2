"""The demo county's departments, one account per role (README), county leaders, and who
answers for what (A3: a leader for each township, departments for villages, 发改局 for the
seed community's 7 compounds). The password of every demo account is settings.DEMO_PASSWORD."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from shuangying.core.names import NameMaker
from shuangying.divisions.choices import DivisionKind
from shuangying.divisions.demo import DemoTree
from shuangying.divisions.models import Assignment, Division

from .models import Department, User
from .roles import sync_roles

ASSIGNMENT_DATE = date(2020, 1, 25)  # Shanxi's first-level response

# (code, short name, full name, staff quota in the demo)
DEPARTMENTS = [
    ("health", "卫健局", "曲沃县卫生健康和体育局", 25),
    ("public_security", "公安局", "曲沃县公安局", 30),
    ("market_regulation", "市场监管局", "曲沃县市场监督管理局", 20),
    ("industry", "工信局", "曲沃县工业和信息化局", 15),
    ("development_reform", "发改局", "曲沃县发展和改革局", 36),
    ("housing", "住建局", "曲沃县住房和城乡建设管理局", 18),
    ("finance", "财政局", "曲沃县财政局", 16),
    ("environment", "生态环境局", "临汾市生态环境局曲沃分局", 12),
]
SURVEY_DEPARTMENT = "development_reform"

# username → (role, division key, department code, full name). Division keys are resolved in
# create_accounts; see the README for the same table.
DEMO_ACCOUNTS = [
    ("county", "county_commander", "county", None, "县指挥部值班员"),
    ("town1", "township_officer", "town1", None, "乐昌镇防控办"),
    ("grid1a", "grid_worker", "grid1a", None, "计委1号楼网格员"),
    ("grid1b", "grid_worker", "grid1b", None, "计委2号楼网格员"),
    ("grid2a", "grid_worker", "grid2a", None, "史村镇网格员"),
    ("village1", "village_officer", "village1", None, "兴隆街社区干部"),
    ("dept", "department_officer", None, "development_reform", "发改局工作人员"),
    # Emergency supplies (H2): 发改局's store, and one officer of each department of the joint
    # pre-review before ordering (财政、卫健、市场监管、工信).
    ("supplies", "supplies_officer", "county", "development_reform", "发改局物资保障组"),
    ("finance", "department_officer", None, "finance", "财政局工作人员"),
    ("health", "department_officer", None, "health", "卫健局工作人员"),
    ("market", "department_officer", None, "market_regulation", "市场监管局工作人员"),
    ("industry", "department_officer", None, "industry", "工信局工作人员"),
    ("checkpoint", "checkpoint_staff", "town1", None, "卡口值守人员"),
    # The health side (E1–E5): the county CDC (fever desk, cases), a nucleic-acid lab's
    # staff, and a pharmacy of 乐昌镇 that registers its buyers of fever and cough drugs.
    ("cdc", "health_officer", "county", "health", "县疾控中心"),
    ("lab", "lab_staff", "county", "health", "核酸实验室检验员"),
    ("pharmacy", "pharmacy", "town1", None, "乐昌镇药店"),
    ("enterprise", "enterprise_contact", None, None, "企业联络人"),
    ("auditor", "auditor", None, None, "审计员"),
    ("admin", "system_admin", "county", None, "系统管理员"),
    ("security", "security_admin", None, None, "安全管理员"),
]
LEADER_TITLES = ["县委书记", "县长", "县委副书记", "常务副县长", "县委常委", "副县长"]


@dataclass
class DemoOrganisation:
    departments: dict[str, Department]
    accounts: int = 0
    assignments: int = 0


def ensure_departments() -> dict[str, Department]:
    return {
        code: Department.objects.get_or_create(code=code, defaults={"name": short})[0]
        for code, short, _full, _quota in DEPARTMENTS
    }


@transaction.atomic
def load_organisation(tree: DemoTree, rng: random.Random) -> DemoOrganisation:
    """Roles, departments, the demo accounts on ``tree``, leaders and assignments."""
    sync_roles()
    made = DemoOrganisation(departments=ensure_departments())
    made.accounts = len(create_accounts(tree, made.departments))
    made.assignments = create_assignments(rng, tree, made.departments)
    return made


def create_accounts(tree: DemoTree, departments: dict[str, Department]) -> list[User]:
    """One demo account per role (README)."""
    second = next(
        p
        for p in tree.plans
        if p.township != tree.seat
        and p.township.kind == DivisionKind.TOWN
        and p.village.kind == DivisionKind.VILLAGE
    )
    places = {
        "county": tree.county,
        "town1": tree.seat,
        "village1": tree.community,
        "grid1a": tree.compound_grids[0],
        "grid1b": tree.compound_grids[1],
        "grid2a": second.grids[0],
    }
    password = make_password(settings.DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.all()}
    users = []
    for username, role, place, department, full_name in DEMO_ACCOUNTS:
        user = User.objects.create(
            username=username,
            password=password,
            full_name=full_name,
            department=departments[department] if department else None,
            is_demo=True,
            is_superuser=False,
            is_staff=False,
        )
        user.groups.add(groups[role])
        if place:
            user.divisions.add(places[place])
        users.append(user)
    return users


def create_assignments(rng: random.Random, tree: DemoTree, departments) -> int:
    """A3: a county leader for each township; departments for some villages; 发改局 for the 7
    compounds of seed 000."""
    division_type = ContentType.objects.get_for_model(Division)
    password = make_password(None)  # leaders do not log in to the demo
    names = NameMaker(rng)
    rows = []
    for i, town in enumerate(tree.towns, start=1):
        title = LEADER_TITLES[min(i - 1, len(LEADER_TITLES) - 1)]
        sex = "M" if rng.random() < 0.8 else "F"
        name = names.surname() + names.given_name(sex, old=True)
        leader = User.objects.create(
            username=f"leader{i:02d}",
            password=password,
            full_name=f"{name}（{title}）",
            is_demo=True,
        )
        rows.append(
            Assignment(
                content_type=division_type,
                object_id=town.pk,
                leader=leader,
                duty="县级领导包联乡镇",
                start_date=ASSIGNMENT_DATE,
            )
        )
    villages = [p.village for p in tree.plans if p.village.kind == DivisionKind.VILLAGE]
    picked = rng.sample(villages, min(len(villages), 3 * len(departments)))
    for i, village in enumerate(picked):
        department = list(departments.values())[i % len(departments)]
        rows.append(
            Assignment(
                content_type=division_type,
                object_id=village.pk,
                unit=department,
                duty="部门包村",
                start_date=ASSIGNMENT_DATE,
            )
        )
    rows.extend(
        Assignment(
            content_type=division_type,
            object_id=compound.pk,
            unit=departments[SURVEY_DEPARTMENT],
            duty="责任小区",
            start_date=date(2020, 1, 28),
        )
        for compound in tree.compounds
    )
    Assignment.objects.bulk_create(rows)
    return len(rows)


def demo_users():
    usernames = [a[0] for a in DEMO_ACCOUNTS]
    return User.objects.filter(is_demo=True, username__in=usernames) | User.objects.filter(
        is_demo=True, username__startswith="leader"
    )


def remove_organisation(county: Division | None) -> None:
    """The demo accounts, leaders and the assignments on the county (not the departments:
    other data may name them)."""
    division_type = ContentType.objects.get_for_model(Division)
    users = demo_users()
    Assignment.objects.filter(leader__in=users).delete()
    if county is not None:
        subtree = Division.objects.filter(path__startswith=county.path)
        Assignment.objects.filter(
            content_type=division_type, object_id__in=subtree.values("pk")
        ).delete()
    users.delete()

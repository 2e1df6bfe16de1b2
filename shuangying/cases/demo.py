"""The demo's cases, hospitals and teams (seeds 001 and 002), fixed seed.

From the seeds: Dingzhou's one designated hospital and 3 backups, an isolation ward, a
15-expert team and 265 medical staff in 5 echelons (001); Ningjin's 2 confirmed cases, 1
cured, and 17 days without a new confirmed case by 22 February (002). ASSUMED (no seed gives
them): the hospitals' names, the wards' beds, the staff's names and professions, the split of
265 into echelons of 53, the persons and days of the cases (confirmed 30 January and
5 February, one cured 18 February)."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from shuangying.people.models import Person

from . import services
from .choices import CaseClass, HospitalKind, TeamKind
from .models import Case, Hospital, Team

TZ = ZoneInfo("Asia/Shanghai")
SEED = 2020
HOSPITALS = [  # name, kind, wards as (name, beds) — beds ASSUMED
    ("县人民医院", HospitalKind.DESIGNATED, [("感染科隔离病区", 40), ("重症监护病区", 10)]),
    ("县中医院", HospitalKind.BACKUP, [("后备隔离病区", 30)]),
    ("县妇幼保健院", HospitalKind.BACKUP, [("后备隔离病区", 20)]),
    ("县第二人民医院", HospitalKind.BACKUP, [("后备隔离病区", 30)]),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
PROFESSIONS = ["呼吸内科", "感染科", "重症医学", "心内科", "影像科", "检验科", "护理", "中医科"]
TITLES = ["主任医师", "副主任医师", "主治医师", "住院医师", "主管护师", "护师"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2020, month, day, hour, tzinfo=TZ)


def demo_exists() -> bool:
    return Hospital.objects.exists()


@transaction.atomic
def load_cases(county) -> str | None:
    """Hospitals, wards, the teams and Ningjin's cases; None when already there."""
    if demo_exists():
        return None
    rng = random.Random(SEED)
    wards = []
    designated = None
    for name, kind, ward_list in HOSPITALS:
        hospital = services.create_hospital(name=name, kind=kind, division=county)
        designated = designated or hospital
        wards += [
            services.create_ward(hospital=hospital, name=w, capacity=beds) for w, beds in ward_list
        ]
    experts = [
        (_name(rng), rng.choice(PROFESSIONS[:4]), rng.choice(TITLES[:2]), designated.name)
        for _ in range(15)
    ]
    services.create_team(
        kind=TeamKind.EXPERTS, name="专家救治组", hospital=designated, members=experts
    )
    for n in range(1, 6):
        staff = [
            (_name(rng), rng.choice(PROFESSIONS), rng.choice(TITLES), rng.choice(HOSPITALS)[0])
            for _ in range(53)
        ]
        services.create_team(kind=TeamKind.ECHELON, name=f"第{n}梯队", echelon=n, members=staff)
    persons = list(
        Person.objects.filter(division__path__startswith=county.path).order_by("pk")[:400:97]
    )
    confirmed = []
    for person, (opened, confirmed_on) in zip(
        persons, ((_at(1, 29), _at(1, 30)), (_at(2, 4), _at(2, 5))), strict=False
    ):
        case, _ = services.open_case(person=person, opened_at=opened, source="发热门诊")
        services.reclassify_case(
            case=case,
            to_class=CaseClass.CONFIRMED,
            reason="核酸检测阳性，专家组会诊确诊",
            at=confirmed_on,
        )
        services.admit_case(case=case, ward=wards[0], at=confirmed_on)
        confirmed.append(case)
    if confirmed:
        first = confirmed[0]
        services.reclassify_case(
            case=first, to_class=CaseClass.CURED, reason="连续两次核酸阴性，症状消失", at=_at(2, 18)
        )
        services.discharge_case(
            admission=first.admissions.get(), reason="治愈出院", at=_at(2, 18, 15)
        )
    return (
        f"救治医院{len(HOSPITALS)}家（定点1家、后备3家），病区{len(wards)}个，专家15人，"
        f"医护人员265人分5个梯队，确诊{len(confirmed)}例、治愈{1 if confirmed else 0}例"
    )


def remove_cases() -> None:
    from .models import Admission, Reclassification, TeamMember, Ward

    Admission.objects.all().delete()
    Reclassification.objects.all().delete()
    Case.objects.all().delete()
    TeamMember.objects.all().delete()
    Team.objects.all().delete()
    Ward.objects.all().delete()
    Hospital.objects.all().delete()

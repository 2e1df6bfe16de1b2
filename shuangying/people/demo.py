"""The demo county's people (B1, B2, B4, B6) and large counties for benchmarks
(``build_county``).

Households and their members with valid resident ID numbers, phones, returnees with their
trips (Hubei's arrivals are the key group of 2020), lonely elderly, department staff and the
staff survey of the development and reform bureau's first working day (seed 000). Persons
are built with ``people.services.identity_fields`` and ``phone_fields`` (the same encryption,
hashing and masking as a registration through the screens) and written in batches, with
primary keys assigned here so that tags, travel entries and staff surveys can point at them
before they are written; rows go in through ``core.db.insert_objects`` (COPY on PostgreSQL):
Django's ``bulk_create`` spends most of its time compiling SQL, which is what made a million
persons slow. Everything comes from the caller's random generator (only the ciphertexts
differ between runs: every encryption draws a fresh nonce).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.core.management.color import no_style
from django.db import connection, models, transaction

from shuangying.accounts.demo import DEPARTMENTS, SURVEY_DEPARTMENT
from shuangying.accounts.models import Department
from shuangying.core.db import insert_objects
from shuangying.core.names import NameMaker
from shuangying.divisions.choices import DivisionKind
from shuangying.divisions.demo import (
    SEED_COMPOUNDS,
    SEED_HOUSEHOLDS,
    VILLAGE_CORES,
    DemoTree,
    NamePool,
    VillagePlan,
    build_tree,
    create_divisions,
)
from shuangying.divisions.models import Division

from .choices import DocumentType, HealthStatus, Relation
from .demo_data import (
    AREAS,
    DEMO_TAGS,
    MOBILE_PREFIXES,
    ORIGIN_WEIGHTS,
    RISK_AREA_PREFIX,
    TOWN_WORKPLACES,
    VIA,
    WHEREABOUTS_AWAY,
)
from .identity import make_resident_id
from .models import Household, Person, StaffSurvey, Tag, TravelEntry
from .services import identity_fields, phone_fields

SEED = 20200305  # the date of seed 000's report
# Ages are reckoned at this date: the weeks of the seeds' reports. Returnees arrive in the
# five weeks before it.
SCENARIO_DATE = date(2020, 2, 15)
FIRST_ARRIVAL = date(2020, 1, 10)
SURVEY_DATE = date(2020, 2, 3)  # first working day after the extended Spring Festival holiday


@dataclass
class Summary:
    townships: int = 0
    villages: int = 0
    grids: int = 0
    compounds: int = 0
    households: int = 0
    persons: int = 0
    returnees: int = 0
    travel_entries: int = 0
    staff_surveys: int = 0
    assignments: int = 0
    accounts: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.townships}个乡镇（街道）、{self.villages}个村（社区）、{self.grids}个网格、"
            f"{self.compounds}个小区（楼栋）、{self.households}户、{self.persons}人"
            f"（返乡人员{self.returnees}人、行程{self.travel_entries}条）、"
            f"单位摸底{self.staff_surveys}条、包联{self.assignments}条、账号{self.accounts}个，"
            f"用时{self.seconds:.1f}秒"
        )


class BulkWriter:
    """Collects new rows and writes them in batches, in foreign-key order.

    Households and persons get their primary keys here (from the current maximum), so rows
    that point at them can be built at once; ``finish`` moves PostgreSQL's sequences past them.
    With ``fast`` (the default) rows skip the ORM's per-row SQL compilation: COPY on
    PostgreSQL, ``executemany`` elsewhere; ``fast=False`` uses ``bulk_create``.
    """

    order = [Household, Person, Person.tags.through, TravelEntry, StaffSurvey]

    def __init__(self, *, batch_size: int = 5000, fast: bool = True):
        self.batch_size = batch_size
        self.fast = fast
        self.pending: dict[type[models.Model], list[models.Model]] = {m: [] for m in self.order}
        self.next_pk = {
            m: (m.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1 for m in (Household, Person)
        }

    def add(self, obj: models.Model) -> models.Model:
        model = type(obj)
        if model in self.next_pk and obj.pk is None:
            obj.pk = self.next_pk[model]
            self.next_pk[model] += 1
        pending = self.pending[model]
        pending.append(obj)
        if len(pending) >= self.batch_size:
            self.flush()
        return obj

    def flush(self) -> None:
        for model in self.order:
            rows = self.pending[model]
            if not rows:
                continue
            if self.fast:
                insert_objects(model, rows)
            else:
                model.objects.bulk_create(rows, batch_size=self.batch_size)
            self.pending[model] = []

    def finish(self) -> None:
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), [Household, Person])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


class PeopleMaker:
    """Builds households and their members: names, valid resident ID numbers, phones."""

    def __init__(self, rng: random.Random, *, local_area: str, local_share: float = 0.88):
        self.rng = rng
        self.local_area = local_area
        self.local_share = local_share
        self.other_areas = [a for a in AREAS if a != local_area]
        # Cumulative weights once: random.choices would sum them on every call.
        self.names = NameMaker(rng)
        self.origins = list(ORIGIN_WEIGHTS)
        self.origin_weights = list(accumulate(ORIGIN_WEIGHTS.values()))
        self.used_ids: set[str] = set()
        # Numbers already in the database (another county, the demo): never generated again.
        self.taken_hashes: set[str] = set(Person.objects.values_list("id_number_hash", flat=True))
        self.tags = {t.code: t.pk for t in Tag.objects.all()}

    # --- small pieces
    def surname(self) -> str:
        return self.names.surname()

    def given_name(self, sex: str, born: date) -> str:
        return self.names.given_name(sex, old=born.year < 1975)

    def area(self, local_share: float | None = None) -> str:
        share = self.local_share if local_share is None else local_share
        return self.local_area if self.rng.random() < share else self.rng.choice(self.other_areas)

    def birth_date(self, age: int) -> date:
        return SCENARIO_DATE - timedelta(days=age * 365 + self.rng.randrange(365))

    def resident_id(self, area: str, born: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            number = make_resident_id(area, born, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def identity(self, area: str, born: date, sex: str) -> dict:
        """Person fields for a new, unused resident ID number (people.services.identity_fields)."""
        while True:
            fields = identity_fields(DocumentType.RESIDENT_ID, self.resident_id(area, born, sex))
            if fields["id_number_hash"] not in self.taken_hashes:
                return fields

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    # --- a household
    def member_plan(self, size: int) -> list[tuple[str, str, int]]:
        """(relation, sex, age) of each member of a household of ``size``."""
        rng = self.rng
        if size == 1:
            age = rng.randint(22, 45) if rng.random() < 0.5 else rng.randint(60, 88)
            return [(Relation.HEAD, rng.choice("MF"), age)]
        head_sex = "M" if rng.random() < 0.8 else "F"
        head_age = rng.randint(26, 78)
        other = "F" if head_sex == "M" else "M"
        gap = rng.randint(-2, 5)  # husbands a little older, mostly
        spouse_age = max(20, head_age - gap if head_sex == "M" else head_age + gap)
        plan = [(Relation.HEAD, head_sex, head_age), (Relation.SPOUSE, other, spouse_age)]
        has_parent = False
        for _ in range(size - 2):
            if head_age >= 58 and rng.random() < 0.5:
                plan.append(
                    (Relation.GRANDCHILD, rng.choice("MF"), max(0, head_age - rng.randint(48, 60)))
                )
            elif head_age <= 50 and not has_parent and rng.random() < 0.3:
                has_parent = True
                plan.append(
                    (Relation.PARENT, rng.choice("MF"), min(95, head_age + rng.randint(24, 32)))
                )
            else:
                plan.append(
                    (Relation.CHILD, rng.choice("MF"), max(0, head_age - rng.randint(22, 34)))
                )
        return plan

    def household_members(
        self, *, household: Household, division: Division, size: int, address: str
    ) -> list[Person]:
        plan = self.member_plan(size)
        head_sex = plan[0][1]
        family = self.surname()
        head_area = self.area()
        persons = []
        for relation, sex, age in plan:
            born = self.birth_date(age)
            if relation == Relation.SPOUSE:
                surname, area = self.surname(), self.area(0.8)
            elif relation == Relation.HEAD:
                surname, area = family, head_area
            else:
                same = relation != Relation.PARENT or sex == "M" or head_sex == "F"
                surname = family if same and self.rng.random() < 0.95 else self.surname()
                area = head_area if self.rng.random() < 0.9 else self.area()
            ident = self.identity(area, born, sex)
            phone = self.mobile() if age >= 14 and self.rng.random() < 0.92 else ""
            persons.append(
                Person(
                    name=surname + self.given_name(sex, born),
                    sex=sex,
                    birth_date=born,
                    division_id=division.pk,
                    household_id=household.pk,
                    relation_to_head=relation,
                    address=address,
                    is_verified=self.rng.random() > 0.02,
                    **ident,
                    **phone_fields(phone),
                )
            )
        return persons

    def household_size(self) -> int:
        return self.rng.choices([1, 2, 3, 4, 5, 6], [10, 22, 28, 22, 12, 6])[0]

    # --- tags and trips
    def tag(self, writer: BulkWriter, person: Person, code: str) -> None:
        writer.add(Person.tags.through(person_id=person.pk, tag_id=self.tags[code]))

    def make_returnee(self, writer: BulkWriter, person: Person, summary: Summary) -> None:
        """Tag a person as a returnee with a trip back home; arrivals from Hubei are key group."""
        origin = self.rng.choices(self.origins, cum_weights=self.origin_weights)[0]
        arrival = FIRST_ARRIVAL + timedelta(
            days=self.rng.randrange((SCENARIO_DATE - FIRST_ARRIVAL).days)
        )
        writer.add(
            TravelEntry(
                person_id=person.pk,
                origin=AREAS[origin],
                origin_code=origin,
                via=self.rng.choice(VIA),
                arrival_date=arrival,
            )
        )
        self.tag(writer, person, "returnee")
        if origin.startswith(RISK_AREA_PREFIX):
            self.tag(writer, person, "key_group")
            self.tag(writer, person, "risk_area_arrival")
        summary.returnees += 1
        summary.travel_entries += 1


def ensure_tags() -> None:
    """The tags the demo uses (people migration 0002 makes them; a flushed database lacks them)."""
    for code, name in DEMO_TAGS.items():
        Tag.objects.get_or_create(code=code, defaults={"name": name})


def age_of(person: Person) -> int:
    return (SCENARIO_DATE - person.birth_date).days // 365


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, summing exactly to ``total``."""
    if not weights:
        return []
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % len(shares)] += 1
    return shares


def populate_villages(
    maker: PeopleMaker,
    writer: BulkWriter,
    plans: list[VillagePlan],
    total: int,
    summary: Summary,
    *,
    county_name: str,
    on_adult: Callable[[Person, VillagePlan], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Households with members in every village until ``total`` persons exist."""
    rng = maker.rng
    for plan, target in zip(plans, split(total, [p.weight for p in plans]), strict=True):
        made = 0
        counters = dict.fromkeys((g.pk for g in plan.grids), 0)
        is_community = plan.village.kind == DivisionKind.COMMUNITY
        while made < target:
            size = min(maker.household_size(), target - made)
            grid = rng.choice(plan.grids)
            counters[grid.pk] += 1
            n = counters[grid.pk]
            if is_community:
                address = (
                    f"{county_name}{plan.township.name}{plan.village.name}"
                    f"{grid.code.lstrip('0')}区{rng.randint(1, 12)}号楼{rng.randint(1, 4)}单元"
                    f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
                )
            else:
                address = (
                    f"{county_name}{plan.township.name}{plan.village.name}"
                    f"{grid.code.lstrip('0')}组{n}号"
                )
            household = writer.add(Household(division=grid, number=f"{n:04d}", address=address))
            summary.households += 1
            for person in maker.household_members(
                household=household, division=grid, size=size, address=address
            ):
                age = age_of(person)
                if 18 <= age <= 60:
                    if is_community or plan.in_seat:
                        person.workplace = rng.choice(TOWN_WORKPLACES)
                    else:
                        person.workplace = rng.choices(["务农", "外出务工", ""], [50, 30, 20])[0]
                    if on_adult is not None:
                        on_adult(person, plan)
                elif age > 60 and rng.random() < 0.5:
                    person.workplace = "退休" if is_community else "务农"
                writer.add(person)
                if person.workplace == "外出务工" and rng.random() < 0.45 or rng.random() < 0.012:
                    maker.make_returnee(writer, person, summary)
                if size == 1 and age >= 70:
                    maker.tag(writer, person, "elderly_alone")
            made += size
            summary.persons += size
            if progress is not None:
                progress(size)


class Staffing:
    """Department staff picked among the county seat's adults, up to each quota."""

    def __init__(self, rng: random.Random, departments: dict[str, Department]):
        self.rng = rng
        self.departments = departments
        self.quotas = {code: quota for code, _s, _f, quota in DEPARTMENTS}
        self.full_names = {code: full for code, _s, full, _q in DEPARTMENTS}
        self.staff: dict[str, list[Person]] = {code: [] for code in self.quotas}

    def has_room(self, code: str) -> bool:
        return len(self.staff[code]) < self.quotas[code]

    def hire(self, person: Person, code: str) -> None:
        person.workplace = self.full_names[code]
        person.workplace_department = self.departments[code]
        self.staff[code].append(person)

    def hire_anywhere(self, person: Person) -> None:
        open_ = [code for code in self.quotas if self.has_room(code)]
        if open_:
            self.hire(person, self.rng.choice(open_))


def populate_seed_community(
    maker: PeopleMaker,
    writer: BulkWriter,
    summary: Summary,
    staffing: Staffing,
    *,
    tree: DemoTree,
    persons: int,
) -> None:
    """Seed 000's 251 households in 计委1–5号楼, 粮食局小区 and 物资小区, with ``persons`` members
    (at least one each). Returnees (返曲来曲人员) were registered household by household."""
    rng = maker.rng
    township, community = tree.seat, tree.community
    compounds = list(zip(tree.compounds, tree.compound_grids, strict=True))
    sizes = [1] * SEED_HOUSEHOLDS
    extra = persons - SEED_HOUSEHOLDS
    while extra > 0:
        i = rng.randrange(SEED_HOUSEHOLDS)
        if sizes[i] < 6:
            sizes[i] += 1
            extra -= 1
    sizes_iter = iter(sizes)
    prefix = f"{tree.county.name}{township.name}{community.name}"
    for (compound, grid), (*_spec, count) in zip(compounds, SEED_COMPOUNDS, strict=True):
        is_building = compound.kind == DivisionKind.BUILDING
        for i in range(count):
            floor, room = (i % 12) // 2 + 1, i % 2 + 1
            if is_building:
                unit = i // 12 + 1
                number = f"{unit}-{floor}0{room}"
                address = f"{prefix}{compound.name}{unit}单元{floor}0{room}室"
            else:
                building, unit = i // 24 + 1, (i % 24) // 12 + 1
                number = f"{building}-{unit}-{floor}0{room}"
                address = f"{prefix}{compound.name}{building}号楼{unit}单元{floor}0{room}室"
            household = writer.add(Household(division=grid, number=number, address=address))
            summary.households += 1
            members = maker.household_members(
                household=household, division=grid, size=next(sizes_iter), address=address
            )
            for person in members:
                age = age_of(person)
                if 22 <= age <= 59:
                    # 计委 (the planning commission, today's 发改局) housed the bureau's staff.
                    code = SURVEY_DEPARTMENT
                    if is_building and staffing.has_room(code) and rng.random() < 0.45:
                        staffing.hire(person, code)
                    else:
                        person.workplace = rng.choice(TOWN_WORKPLACES)
                elif age > 60:
                    person.workplace = "退休"
                writer.add(person)
                if rng.random() < 0.12:
                    maker.make_returnee(writer, person, summary)
                if len(members) == 1 and age >= 70:
                    maker.tag(writer, person, "elderly_alone")
            summary.persons += len(members)


def staff_survey(
    rng: random.Random, writer: BulkWriter, summary: Summary, staffing: Staffing
) -> None:
    """B6: the development and reform bureau surveyed its staff on the first day back; one of
    them had been near a contact of a suspected case and stayed home 14 days (seed 000)."""
    department = staffing.departments[SURVEY_DEPARTMENT]
    for i, person in enumerate(staffing.staff[SURVEY_DEPARTMENT]):
        whereabouts, left = ("在家未外出", False)
        if rng.random() < 0.25:
            whereabouts, left = rng.choice(WHEREABOUTS_AWAY)
        health, notes = HealthStatus.NORMAL, ""
        if i == 3:
            health = HealthStatus.QUARANTINE
            notes = "与疑似病例密切接触者有过接触，居家隔离14天"
        writer.add(
            StaffSurvey(
                department=department,
                person_id=person.pk,
                survey_date=SURVEY_DATE,
                holiday_whereabouts=whereabouts,
                left_county=left,
                health_status=health,
                temperature=Decimal(f"36.{rng.randint(1, 8)}"),
                notes=notes,
            )
        )
        summary.staff_surveys += 1


# ---------------------------------------------------------------------------------------------
# The demo county's people


@transaction.atomic
def load_people(
    tree: DemoTree,
    departments: dict[str, Department],
    rng: random.Random,
    *,
    persons: int,
    batch_size: int = 5000,
) -> Summary:
    """``persons`` people on ``tree``: the seed community's 251 households first (a third of
    the people at most, 2.8 a household), then every village in proportion to its weight."""
    started = time.perf_counter()
    summary = Summary()
    ensure_tags()
    writer = BulkWriter(batch_size=batch_size)
    maker = PeopleMaker(rng, local_area=tree.county.code[:6])
    staffing = Staffing(rng, departments)
    populate_seed_community(
        maker,
        writer,
        summary,
        staffing,
        tree=tree,
        persons=min(round(SEED_HOUSEHOLDS * 2.8), max(SEED_HOUSEHOLDS, persons // 3)),
    )

    def on_adult(person: Person, plan: VillagePlan) -> None:
        if plan.in_seat and 22 <= age_of(person) <= 59 and rng.random() < 0.2:
            staffing.hire_anywhere(person)

    populate_villages(
        maker,
        writer,
        tree.plans,
        max(0, persons - summary.persons),
        summary,
        county_name=tree.county.name,
        on_adult=on_adult,
    )
    staff_survey(rng, writer, summary, staffing)
    writer.finish()
    summary.seconds = time.perf_counter() - started
    return summary


def remove_people(county: Division) -> None:
    """The persons and households of ``county`` with their surveys (tags and trips go with
    the persons)."""
    persons = Person.objects.filter(division__path__startswith=county.path)
    StaffSurvey.objects.filter(person__in=persons).delete()
    persons.delete()
    Household.objects.filter(division__path__startswith=county.path).delete()


# ---------------------------------------------------------------------------------------------
# Large counties for benchmarks


def build_county(
    *,
    persons: int,
    townships: int = 25,
    villages_per_township: int = 20,
    code: str = "130682",
    name: str = "定州市",
    seed: int = SEED,
    batch_size: int = 10_000,
    fast: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """A county of ``persons`` people for benchmarks: the demo's shapes at scale, no accounts.

    Default: Dingzhou (定州市, seed 001), 25 townships of about 20 villages (486 in reality)."""
    started = time.perf_counter()
    rng = random.Random(f"{seed}-{code}")
    summary = Summary()
    n_streets = max(1, townships // 6)
    n_towns = min(99, max(1, (townships - n_streets) * 2 // 3))
    n_townships = townships - n_streets - n_towns
    if not (n_streets <= 99 and n_townships <= 200):
        raise ValueError("too many townships")
    cores = NamePool(rng, [a + b for a in VILLAGE_CORES for b in "庄城河营堡峪"])
    specs = (
        [(f"{i:03d}", DivisionKind.STREET, cores.take() + "街道") for i in range(1, n_streets + 1)]
        + [(f"{100 + i:03d}", DivisionKind.TOWN, cores.take() + "镇") for i in range(n_towns)]
        + [
            (f"{200 + i:03d}", DivisionKind.TOWNSHIP, cores.take() + "乡")
            for i in range(n_townships)
        ]
    )
    with transaction.atomic():
        ensure_tags()
        county = create_divisions([(None, DivisionKind.COUNTY, f"{code}000000", name)])[0]

        def villages_for(kind: str) -> tuple[int, int]:
            n = max(1, round(villages_per_township * rng.uniform(0.7, 1.3)))
            if kind == DivisionKind.STREET:
                return min(n, 99), 0
            if kind == DivisionKind.TOWN:
                return 2, min(n, 199)
            return 0, min(n, 199)

        towns, plans = build_tree(rng, county=county, townships=specs, villages_for=villages_for)
        summary.townships = len(towns)
        summary.villages = len(plans)
        summary.grids = sum(len(p.grids) for p in plans)
        writer = BulkWriter(batch_size=batch_size, fast=fast)
        maker = PeopleMaker(rng, local_area=code)
        populate_villages(
            maker, writer, plans, persons, summary, county_name=name, progress=progress
        )
        writer.finish()
    summary.seconds = time.perf_counter() - started
    return summary

"""The demo county's tree (Quwo, 曲沃县, 141021, seed 000) and the tree builder of benchmark
counties: townships and streets, villages and communities with their grids, and the community
of seed 000 whose 7 compounds the development and reform bureau answered for (B2).

Five of the townships are Quwo's real ones; the rest of the names are invented but shaped like
real ones. Everything is drawn from the caller's random generator, so a seed gives the same
tree every time. Other apps' demo modules hang their data on the ``DemoTree`` built here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from .choices import DivisionKind
from .models import Division
from .services import build_division

COUNTY_CODE = "141021"
COUNTY_NAME = "曲沃县"
COUNTY_PREFIX = "山西省临汾市曲沃县"

# (GB/T 10114 code, kind, name): streets 001–099, towns 100–199, townships 200–399. The first is
# the demo's "first township" (town1): Lechang, the county seat, as in Quwo.
TOWNSHIPS = [
    ("100", DivisionKind.TOWN, "乐昌镇"),
    ("101", DivisionKind.TOWN, "史村镇"),
    ("102", DivisionKind.TOWN, "曲村镇"),
    ("103", DivisionKind.TOWN, "高显镇"),
    ("104", DivisionKind.TOWN, "里村镇"),
    ("105", DivisionKind.TOWN, "天马镇"),
    ("200", DivisionKind.TOWNSHIP, "杨谈乡"),
    ("201", DivisionKind.TOWNSHIP, "北董乡"),
    ("202", DivisionKind.TOWNSHIP, "西常乡"),
    ("001", DivisionKind.STREET, "凤城街道"),
    ("002", DivisionKind.STREET, "新城街道"),
    ("003", DivisionKind.STREET, "晋园街道"),
]
SEAT_TOWNSHIP = "100"

# The community of seed 000: 计委1—5#楼 (buildings without property management), 粮食局小区
# and 物资小区, 251 households in all (B2).
SEED_COMMUNITY = ("001", "兴隆街社区")
SEED_COMPOUNDS = [
    ("JW1", DivisionKind.BUILDING, "计委1号楼", 30),
    ("JW2", DivisionKind.BUILDING, "计委2号楼", 30),
    ("JW3", DivisionKind.BUILDING, "计委3号楼", 24),
    ("JW4", DivisionKind.BUILDING, "计委4号楼", 24),
    ("JW5", DivisionKind.BUILDING, "计委5号楼", 18),
    ("LSJ", DivisionKind.COMPOUND, "粮食局小区", 75),
    ("WZ", DivisionKind.COMPOUND, "物资小区", 50),
]
SEED_HOUSEHOLDS = sum(n for *_rest, n in SEED_COMPOUNDS)  # 251

VILLAGE_PREFIXES = "东西南北上下前后大小新中"
VILLAGE_CORES = "韩周王李常柳杨陈张赵刘郭孙许董吕侯贾薛段史乔贺梁卫曲望林槐桥"
VILLAGE_SUFFIXES = ["村", "庄", "家庄", "堡", "营", "寨", "峪", "坡", "头"]
COMMUNITY_NAMES = [
    *(
        [
            "凤城",
            "文化路",
            "新建路",
            "府前街",
            "育英",
            "桥山",
            "和平路",
            "东关",
            "西关",
            "南关",
            "北关",
            "古城",
            "晋园",
        ]
    ),
    *(
        [
            "迎宾路",
            "安康",
            "幸福",
            "建设路",
            "人民路",
            "解放路",
            "滨河",
            "翠苑",
            "锦绣",
            "花园",
            "振兴",
            "长安",
            "春晖",
        ]
    ),
    *(
        [
            "朝阳",
            "光明",
            "康宁",
            "金水",
            "乐昌",
            "沃阳",
            "新华",
            "崇文",
            "鑫源",
            "泰和",
            "北苑",
            "南苑",
        ]
    ),
]
CHINESE_DIGITS = "一二三四五六七八九十"


def create_divisions(specs: list[tuple[Division | None, str, str, str]]) -> list[Division]:
    """Validated divisions (parent, kind, full code, name), written in one statement."""
    objs = [build_division(parent=p, kind=k, code=c, name=n) for p, k, c, n in specs]
    return Division.objects.bulk_create(objs, batch_size=1000)


class NamePool:
    """Unique names drawn without replacement; numbered once the pool runs dry."""

    def __init__(self, rng: random.Random, names: Iterable[str], suffix: str = ""):
        self.names = list(dict.fromkeys(names))
        rng.shuffle(self.names)
        self.suffix = suffix
        self.count = 0

    def take(self) -> str:
        self.count += 1
        if self.names:
            return self.names.pop() + self.suffix
        return f"第{self.count}{self.suffix}"


def village_names(rng: random.Random) -> NamePool:
    names = []
    for core in VILLAGE_CORES:
        for suffix in VILLAGE_SUFFIXES:
            names.append(core + suffix)
            names.extend(p + core + suffix for p in VILLAGE_PREFIXES)
    names = [n if n.endswith("村") else n + "村" for n in names]
    return NamePool(rng, names)


def grid_name(n: int) -> str:
    """A grid's own name. Screens show a division with its ancestors' names before it
    (``Division.full_name``), so the village or building is not repeated here: 中桥庄村 +
    第一网格, not 中桥庄村 + 中桥庄村第一网格."""
    return f"第{CHINESE_DIGITS[n - 1]}网格"


@dataclass
class VillagePlan:
    village: Division
    grids: list[Division]
    weight: float
    township: Division
    in_seat: bool = False
    households: int = field(default=0)


def build_tree(
    rng: random.Random,
    *,
    county: Division,
    townships: list[tuple[str, str, str]],
    villages_for: Callable[[str], tuple[int, int]],
    skip_village_codes: dict[str, set[str]] | None = None,
) -> tuple[list[Division], list[VillagePlan]]:
    """Townships, villages/communities and 1–4 grids each under ``county``.

    ``villages_for(kind)`` gives (communities, villages) for a township of that kind.
    """
    skip_village_codes = skip_village_codes or {}
    towns = create_divisions(
        [(county, kind, f"{county.code[:6]}{code}000", name) for code, kind, name in townships]
    )
    names = village_names(rng)
    communities = NamePool(rng, COMMUNITY_NAMES, "社区")
    village_specs = []
    for town in towns:
        n_communities, n_villages = villages_for(town.kind)
        skip = skip_village_codes.get(town.code[6:9], set())
        codes = [f"{i:03d}" for i in range(1, 100) if f"{i:03d}" not in skip][:n_communities]
        for code in codes:
            village_specs.append(
                (town, DivisionKind.COMMUNITY, town.code[:9] + code, communities.take())
            )
        for i in range(n_villages):
            village_specs.append(
                (town, DivisionKind.VILLAGE, f"{town.code[:9]}{200 + i:03d}", names.take())
            )
    villages = create_divisions(village_specs)
    grid_specs = []
    grid_counts = []
    for village in villages:
        n = rng.choices([1, 2, 3, 4], [2, 4, 3, 1])[0]
        grid_counts.append(n)
        grid_specs.extend(
            (village, DivisionKind.GRID, f"{i:02d}", grid_name(i)) for i in range(1, n + 1)
        )
    grids = iter(create_divisions(grid_specs))
    by_pk = {t.pk: t for t in towns}
    plans = []
    for village, n in zip(villages, grid_counts, strict=True):
        weight = rng.uniform(0.5, 1.5) * (1.6 if village.kind == DivisionKind.COMMUNITY else 1.0)
        plans.append(
            VillagePlan(
                village=village,
                grids=[next(grids) for _ in range(n)],
                weight=weight,
                township=by_pk[village.parent_id],
            )
        )
    return towns, plans


@dataclass
class DemoTree:
    """The demo county as built, for the demo modules that hang data on it."""

    county: Division
    towns: list[Division]
    plans: list[VillagePlan]
    seat: Division
    community: Division
    compounds: list[Division]
    compound_grids: list[Division]

    @property
    def villages(self) -> int:
        return len(self.plans) + 1

    @property
    def grids(self) -> int:
        return sum(len(p.grids) for p in self.plans) + len(self.compound_grids)


def demo_county() -> Division | None:
    return Division.objects.filter(path=f"{COUNTY_CODE}/").first()


def demo_exists() -> bool:
    return demo_county() is not None


@transaction.atomic
def build_demo_tree(rng: random.Random) -> DemoTree:
    """Quwo's tree: 12 townships and streets, about 300 villages and communities with 1–4
    grids each, and the seed community's 7 compounds with one grid each."""
    county = create_divisions([(None, DivisionKind.COUNTY, f"{COUNTY_CODE}000000", COUNTY_NAME)])[0]

    def villages_for(kind: str) -> tuple[int, int]:
        if kind == DivisionKind.STREET:
            return rng.randint(8, 10), 0
        if kind == DivisionKind.TOWN:
            return 2, rng.randint(22, 29)
        return 0, rng.randint(30, 37)

    towns, plans = build_tree(
        rng,
        county=county,
        townships=TOWNSHIPS,
        villages_for=villages_for,
        skip_village_codes={SEAT_TOWNSHIP: {SEED_COMMUNITY[0]}},
    )
    seat = next(t for t in towns if t.code[6:9] == SEAT_TOWNSHIP)
    for plan in plans:
        plan.in_seat = plan.township == seat or plan.township.kind == DivisionKind.STREET
    community = create_divisions(
        [(seat, DivisionKind.COMMUNITY, seat.code[:9] + SEED_COMMUNITY[0], SEED_COMMUNITY[1])]
    )[0]
    compounds = create_divisions([(community, k, c, n) for c, k, n, _h in SEED_COMPOUNDS])
    compound_grids = create_divisions(
        [(c, DivisionKind.GRID, "01", grid_name(1)) for c in compounds]
    )
    return DemoTree(county, towns, plans, seat, community, compounds, compound_grids)


def remove_tree(county: Division) -> None:
    """Delete the county's divisions, leaves first (the tree protects parents). Everything
    pointing at them must be gone already."""
    for level in range(5, 0, -1):
        Division.objects.filter(path__startswith=county.path, level=level).delete()

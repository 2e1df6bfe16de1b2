"""The demo county (``manage.py load_demo``) and large benchmark counties (``build_county``).

The demo is shaped after the seeds: Quwo county (曲沃县, 141021, seed 000) with a dozen
townships and streets, about 300 villages and communities with their grids, and the
community where the county's development and reform bureau (发改局) answered for 7 compounds
and 251 households (B2), with returnees (返曲来曲人员) registered household by household.
Five of the townships are Quwo's real ones; the rest of the names are invented but shaped like
real ones. Everything comes from a fixed random seed, so the demo is the same every time
(only the ciphertexts differ: every encryption draws a fresh nonce).

Persons are built with ``people.services.identity_fields`` and ``phone_fields`` (the same
encryption, hashing and masking as a registration through the screens) and written in batches,
with primary keys assigned here so that tags, travel entries and staff surveys can point at
them before they are written. Rows go in through COPY on PostgreSQL and one ``executemany``
per batch on SQLite (``BulkWriter``): Django's ``bulk_create`` spends most of its time
compiling SQL, which is what made a million persons slow.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from operator import attrgetter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from shuangying.accounts.models import Department, User
from shuangying.accounts.roles import sync_roles
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.divisions.choices import DivisionKind
from shuangying.divisions.models import Assignment, Division
from shuangying.divisions.services import build_division
from shuangying.people.choices import DocumentType, HealthStatus, Relation
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Household, Person, StaffSurvey, Tag, TravelEntry
from shuangying.people.services import identity_fields, phone_fields

SEED = 20200305  # the date of seed 000's report
# Ages are reckoned at this date: the weeks of the seeds' reports.
SCENARIO_DATE = date(2020, 2, 15)
SURVEY_DATE = date(2020, 2, 3)  # first working day after the extended Spring Festival holiday
ASSIGNMENT_DATE = date(2020, 1, 25)  # Shanxi's first-level response

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
# _create_accounts; see the README for the same table.
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
    ("enterprise", "enterprise_contact", None, None, "企业联络人"),
    ("auditor", "auditor", None, None, "审计员"),
    ("admin", "system_admin", "county", None, "系统管理员"),
    ("security", "security_admin", None, None, "安全管理员"),
]

# Area codes (GB/T 2260) of the places people come from; Hubei's are the key areas of 2020.
AREAS = {
    "141021": "山西省临汾市曲沃县",
    "141002": "山西省临汾市尧都区",
    "141081": "山西省侯马市",
    "141022": "山西省临汾市翼城县",
    "141024": "山西省临汾市洪洞县",
    "140105": "山西省太原市小店区",
    "140802": "山西省运城市盐湖区",
    "420106": "湖北省武汉市武昌区",
    "420103": "湖北省武汉市江汉区",
    "420102": "湖北省武汉市江岸区",
    "420902": "湖北省孝感市孝南区",
    "421102": "湖北省黄冈市黄州区",
    "110105": "北京市朝阳区",
    "110108": "北京市海淀区",
    "310115": "上海市浦东新区",
    "120103": "天津市河西区",
    "130102": "河北省石家庄市长安区",
    "130682": "河北省定州市",
    "130528": "河北省邢台市宁晋县",
    "410105": "河南省郑州市金水区",
    "411302": "河南省南阳市宛城区",
    "610113": "陕西省西安市雁塔区",
    "370102": "山东省济南市历下区",
    "320102": "江苏省南京市玄武区",
    "330106": "浙江省杭州市西湖区",
    "331123": "浙江省丽水市遂昌县",
    "440106": "广东省广州市天河区",
    "440305": "广东省深圳市南山区",
    "510104": "四川省成都市锦江区",
    "510402": "四川省攀枝花市东区",
    "500103": "重庆市渝中区",
    "430102": "湖南省长沙市芙蓉区",
    "150102": "内蒙古自治区呼和浩特市新城区",
    "620102": "甘肃省兰州市城关区",
    "230103": "黑龙江省哈尔滨市南岗区",
    "210102": "辽宁省沈阳市和平区",
    "350203": "福建省厦门市思明区",
    "360102": "江西省南昌市东湖区",
    "450103": "广西壮族自治区南宁市青秀区",
    "530102": "云南省昆明市五华区",
    "520102": "贵州省贵阳市南明区",
    "640104": "宁夏回族自治区银川市兴庆区",
    "650102": "新疆维吾尔自治区乌鲁木齐市天山区",
    "340104": "安徽省合肥市蜀山区",
}
RISK_AREA_PREFIX = "42"  # Hubei
# Where returnees came back from, with weights: mostly Shanxi and the big northern cities.
ORIGIN_WEIGHTS = {
    "140105": 20,
    "141002": 10,
    "141081": 6,
    "140802": 5,
    "610113": 10,
    "110105": 7,
    "110108": 4,
    "410105": 8,
    "130102": 5,
    "120103": 4,
    "310115": 5,
    "440305": 4,
    "440106": 4,
    "330106": 3,
    "510104": 2,
    "500103": 2,
    "420106": 3,
    "420103": 2,
    "420102": 1,
    "420902": 1,
    "421102": 1,
}
VIA = ["", "", "", "郑州东站", "太原南站", "临汾西站", "石家庄站", "西安北站", "侯马西站"]

SURNAMES = {
    # Frequencies roughly as in national statistics, with Shanxi's own names weighed up.
    "王": 72,
    "李": 70,
    "张": 66,
    "刘": 54,
    "陈": 30,
    "杨": 32,
    "赵": 26,
    "黄": 10,
    "周": 16,
    "吴": 12,
    "徐": 10,
    "孙": 14,
    "胡": 10,
    "朱": 9,
    "高": 14,
    "林": 6,
    "何": 7,
    "郭": 22,
    "马": 12,
    "罗": 5,
    "梁": 12,
    "宋": 9,
    "郑": 7,
    "谢": 5,
    "韩": 9,
    "唐": 4,
    "冯": 8,
    "于": 5,
    "董": 8,
    "程": 6,
    "曹": 6,
    "袁": 4,
    "许": 6,
    "吕": 7,
    "贾": 12,
    "丁": 4,
    "魏": 6,
    "薛": 10,
    "卫": 6,
    "阎": 6,
    "闫": 7,
    "段": 7,
    "史": 7,
    "乔": 6,
    "常": 6,
    "武": 9,
    "侯": 6,
    "贺": 5,
    "田": 5,
    "任": 6,
    "范": 4,
    "石": 4,
    "姚": 4,
    "崔": 4,
    "康": 4,
    "郝": 5,
    "白": 4,
    "秦": 4,
    "柴": 3,
    "靳": 3,
    "畅": 2,
    "景": 2,
    "欧阳": 1,
    "司马": 1,
}
# Given-name characters by sex and generation (names given before 1975 read differently).
GIVEN = {
    ("M", "old"): "建国军民华明强林平德福生忠喜兵旺春海志文成永东红卫胜利宝全",
    ("M", "new"): "伟强磊勇杰涛斌超辉鹏飞鑫波宁峰龙亮俊晨浩宇轩睿博昊凯健晓泽瑞锋航子",
    ("F", "old"): "秀英桂兰芳玉凤珍琴霞梅红丽萍春花翠云荣娥香美爱淑",
    ("F", "new"): "娜敏静丽艳娟燕玲婷雪慧倩丹颖洁莉佳欣怡悦晶蓉露妍萱涵雯琪梦诗",
}
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    *(f"15{d}" for d in "01235789"),
    *(f"18{d}" for d in range(10)),
    *["166", "173", "175", "176", "177", "178", "191", "198", "199"],
]
VILLAGE_PREFIXES = "东西南北上下前后大小新中"
VILLAGE_CORES = "韩周王李常柳杨陈张赵刘郭孙许董吕侯贾薛段史乔贺梁卫曲望林槐桥"
VILLAGE_SUFFIXES = ["村", "庄", "家庄", "堡", "营", "寨", "峪", "坡", "头"]
COMMUNITY_NAMES = [
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
TOWN_WORKPLACES = [
    "曲沃县人民医院",
    "曲沃县中医医院",
    "曲沃中学",
    "曲沃县实验小学",
    "乐昌镇人民政府",
    "家家利超市",
    "快乐购超市",
    "兴隆街农贸市场",
    "曲沃县医药公司",
    "沃能集团",
    "国网曲沃县供电公司",
    "中国邮政曲沃县分公司",
    "个体经营",
    "个体经营",
]
WHEREABOUTS_AWAY = [
    ("赴太原市探亲,1月29日返曲", True),
    ("在临汾市尧都区过年,1月30日返曲", True),
    ("赴侯马市探亲,当日往返", True),
    ("在西安市过年,2月1日返曲", True),
    ("赴运城市探亲,1月28日返曲", True),
]
DEMO_TAGS = {
    "returnee": "返乡人员",
    "key_group": "重点人群",
    "risk_area_arrival": "重点地区来人",
    "elderly_alone": "独居老人",
}
CHINESE_DIGITS = "一二三四五六七八九十"


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
            f"{self.townships}个乡镇(街道)、{self.villages}个村(社区)、{self.grids}个网格、"
            f"{self.compounds}个小区(楼栋)、{self.households}户、{self.persons}人"
            f"(返乡人员{self.returnees}人、行程{self.travel_entries}条)、"
            f"单位摸底{self.staff_surveys}条、包联{self.assignments}条、账号{self.accounts}个,"
            f"用时{self.seconds:.1f}秒"
        )


# ---------------------------------------------------------------------------------------------
# Writing many rows


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
                insert_rows(model, rows)
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


# Fields whose Python value is already what the database driver takes.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
)


def insert_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT ``objs`` as bulk_create would (no signals; ``auto_now`` fields stamped), without
    compiling SQL per row: PostgreSQL's COPY through psycopg, or one ``executemany``. Values
    go through ``get_db_prep_save`` except where the Python value is already the database's;
    the primary key is written when the objects have one."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objs[0].pk is None)]
    now = timezone.now()
    getters = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = f.get_db_prep_save(now, conn)
            getters.append(lambda obj, stamp=stamp: stamp)
        elif isinstance(f, PLAIN_FIELDS):
            getters.append(attrgetter(f.attname))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(getattr(obj, f.attname), conn))
    quote = conn.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    rows = [[get(obj) for get in getters] for obj in objs]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Table and column names come from the model, quoted; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
            cursor.executemany(sql, rows)


@contextmanager
def sql_log_off():
    """With DEBUG on Django keeps every statement in ``connection.queries``: a million rows
    would fill memory and double the time. Management commands only."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


# ---------------------------------------------------------------------------------------------
# People


class PeopleMaker:
    """Builds households and their members: names, valid resident ID numbers, phones."""

    def __init__(self, rng: random.Random, *, local_area: str, local_share: float = 0.88):
        self.rng = rng
        self.local_area = local_area
        self.local_share = local_share
        self.other_areas = [a for a in AREAS if a != local_area]
        # Cumulative weights once: random.choices would sum them on every call.
        self.surnames = list(SURNAMES)
        self.surname_weights = list(accumulate(SURNAMES.values()))
        self.origins = list(ORIGIN_WEIGHTS)
        self.origin_weights = list(accumulate(ORIGIN_WEIGHTS.values()))
        self.used_ids: set[str] = set()
        # Numbers already in the database (another county, the demo): never generated again.
        self.taken_hashes: set[str] = set(Person.objects.values_list("id_number_hash", flat=True))
        self.tags = {t.code: t.pk for t in Tag.objects.all()}

    # --- small pieces
    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]

    def given_name(self, sex: str, born: date) -> str:
        chars = GIVEN[(sex, "old" if born.year < 1975 else "new")]
        if self.rng.random() < 0.25:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

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
        arrival = date(2020, 1, 10) + timedelta(days=self.rng.randrange(32))
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


# ---------------------------------------------------------------------------------------------
# Divisions


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


def grid_name(village: Division, n: int) -> str:
    return f"{village.name}第{CHINESE_DIGITS[n - 1]}网格"


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
            (village, DivisionKind.GRID, f"{i:02d}", grid_name(village, i)) for i in range(1, n + 1)
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


# ---------------------------------------------------------------------------------------------
# The demo county


def demo_exists() -> bool:
    return Division.objects.filter(path=f"{COUNTY_CODE}/").exists()


@transaction.atomic
def load_demo(*, persons: int = 20_000, seed: int = SEED, batch_size: int = 5000) -> Summary:
    """Create the demo county. The caller checks ``demo_exists`` first."""
    started = time.perf_counter()
    rng = random.Random(seed)
    summary = Summary()
    sync_roles()
    ensure_tags()
    departments = {
        code: Department.objects.get_or_create(code=code, defaults={"name": short})[0]
        for code, short, _full, _quota in DEPARTMENTS
    }
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

    # The seed community: 7 compounds/buildings, one grid each, 251 households.
    community = create_divisions(
        [(seat, DivisionKind.COMMUNITY, seat.code[:9] + SEED_COMMUNITY[0], SEED_COMMUNITY[1])]
    )[0]
    compounds = create_divisions([(community, k, c, n) for c, k, n, _h in SEED_COMPOUNDS])
    compound_grids = create_divisions(
        [(c, DivisionKind.GRID, "01", f"{c.name}网格") for c in compounds]
    )
    summary.townships = len(towns)
    summary.villages = len(plans) + 1
    summary.grids = sum(len(p.grids) for p in plans) + len(compound_grids)
    summary.compounds = len(compounds)

    writer = BulkWriter(batch_size=batch_size)
    maker = PeopleMaker(rng, local_area=COUNTY_CODE)
    staffing = Staffing(rng, departments)
    _populate_seed_community(
        maker,
        writer,
        summary,
        staffing,
        path=(seat, community),
        compounds=list(zip(compounds, compound_grids, strict=True)),
        persons=min(round(SEED_HOUSEHOLDS * 2.8), max(SEED_HOUSEHOLDS, persons // 3)),
    )

    def on_adult(person: Person, plan: VillagePlan) -> None:
        if plan.in_seat and 22 <= age_of(person) <= 59 and rng.random() < 0.2:
            staffing.hire_anywhere(person)

    populate_villages(
        maker,
        writer,
        plans,
        max(0, persons - summary.persons),
        summary,
        county_name=COUNTY_NAME,
        on_adult=on_adult,
    )
    _staff_survey(rng, writer, summary, staffing)
    writer.finish()

    summary.accounts = len(
        _create_accounts(
            county=county,
            seat=seat,
            community=community,
            compound_grids=compound_grids,
            plans=plans,
            departments=departments,
        )
    )
    summary.assignments = _create_assignments(
        rng, towns=towns, plans=plans, compounds=compounds, departments=departments
    )
    summary.seconds = time.perf_counter() - started
    record_event(
        action=AuditAction.IMPORT,
        object_type="demo",
        object_id=county.pk,
        summary=f"载入演示县 {COUNTY_NAME}:{summary.persons}人",
    )
    return summary


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


def _populate_seed_community(
    maker: PeopleMaker,
    writer: BulkWriter,
    summary: Summary,
    staffing: Staffing,
    *,
    path: tuple[Division, Division],
    compounds: list[tuple[Division, Division]],
    persons: int,
) -> None:
    """Seed 000's 251 households in 计委1–5号楼, 粮食局小区 and 物资小区, with ``persons`` members
    (at least one each). Returnees (返曲来曲人员) were registered household by household."""
    rng = maker.rng
    township, community = path
    sizes = [1] * SEED_HOUSEHOLDS
    extra = persons - SEED_HOUSEHOLDS
    while extra > 0:
        i = rng.randrange(SEED_HOUSEHOLDS)
        if sizes[i] < 6:
            sizes[i] += 1
            extra -= 1
    sizes_iter = iter(sizes)
    prefix = f"{COUNTY_NAME}{township.name}{community.name}"
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


def _staff_survey(
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
            notes = "与疑似病例密切接触者有过接触,居家隔离14天"
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


def _create_accounts(*, county, seat, community, compound_grids, plans, departments) -> list[User]:
    """One demo account per role (README): the password is settings.DEMO_PASSWORD."""
    second = next(
        p
        for p in plans
        if p.township != seat
        and p.township.kind == DivisionKind.TOWN
        and p.village.kind == DivisionKind.VILLAGE
    )
    places = {
        "county": county,
        "town1": seat,
        "village1": community,
        "grid1a": compound_grids[0],
        "grid1b": compound_grids[1],
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


LEADER_TITLES = ["县委书记", "县长", "县委副书记", "常务副县长", "县委常委", "副县长"]


def _create_assignments(rng, *, towns, plans, compounds, departments) -> int:
    """A3: a county leader for each township; departments for some villages; 发改局 for the 7
    compounds of seed 000."""
    division_type = ContentType.objects.get_for_model(Division)
    password = make_password(None)  # leaders do not log in to the demo
    rows = []
    for i, town in enumerate(towns, start=1):
        title = LEADER_TITLES[min(i - 1, len(LEADER_TITLES) - 1)]
        sex = "M" if rng.random() < 0.8 else "F"
        name = (
            rng.choice(list(SURNAMES)[:40])
            + rng.choice(GIVEN[(sex, "old")])
            + rng.choice(GIVEN[(sex, "new")])
        )
        leader = User.objects.create(
            username=f"leader{i:02d}",
            password=password,
            full_name=f"{name}({title})",
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
    villages = [p.village for p in plans if p.village.kind == DivisionKind.VILLAGE]
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
        for compound in compounds
    )
    Assignment.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def reset_demo() -> None:
    """Remove the demo county and everything load_demo made (not the audit trail)."""
    county = Division.objects.filter(path=f"{COUNTY_CODE}/").first()
    division_type = ContentType.objects.get_for_model(Division)
    usernames = [a[0] for a in DEMO_ACCOUNTS]
    users = User.objects.filter(is_demo=True, username__in=usernames) | User.objects.filter(
        is_demo=True, username__startswith="leader"
    )
    Assignment.objects.filter(leader__in=users).delete()
    if county is not None:
        subtree = Division.objects.filter(path__startswith=county.path)
        Assignment.objects.filter(
            content_type=division_type, object_id__in=subtree.values("pk")
        ).delete()
        persons = Person.objects.filter(division__path__startswith=county.path)
        StaffSurvey.objects.filter(person__in=persons).delete()
        persons.delete()
        Household.objects.filter(division__path__startswith=county.path).delete()
    users.delete()
    if county is not None:
        for level in range(5, 0, -1):
            Division.objects.filter(path__startswith=county.path, level=level).delete()


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

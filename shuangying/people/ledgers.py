"""The persons ledger (人员台账, B1) and the household files (一户一档, B2) as importable
ledgers, registered with the import pipeline in ``PeopleConfig.ready()``.

Each ledger checks one row at a time (``parse``) and then handles a batch of good rows against
the database (``process``): one query for what already exists, divisions resolved through one
``DivisionIndex`` built per import, and ``insert_rows`` (COPY on PostgreSQL) for what is new.
Values are validated and encrypted by this app's own services (``identity_and_facts``,
``phone_fields``): an import cannot accept what the forms would refuse.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from shuangying.divisions.choices import DivisionLevel
from shuangying.divisions.ledgers import DivisionIndex, Node
from shuangying.imports.bulk import insert_rows
from shuangying.imports.choices import ImportKind
from shuangying.imports.ledgers import BATCH_SIZE, Ledger, LedgerField, Row, choice_map

from .choices import DocumentType, Relation, Sex
from .identity import IdentityError, make_resident_id, normalize_name
from .models import Household, Person, Tag, TravelEntry
from .services import identity_and_facts, phone_fields

# Column orders of the rows handed to insert_rows.
PERSON_RECORD_KEYS = (
    "name",
    "sex",
    "birth_date",
    "address",
    "relation_to_head",
    "workplace",
    "document_type",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "id_last4",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "phone_last4",
)
PERSON_FIELDS = (
    *PERSON_RECORD_KEYS,
    "division_id",
    "household_id",
    "is_verified",
    "created_at",
    "updated_at",
)
HOUSEHOLD_FIELDS = ("division_id", "number", "address", "notes", "created_at", "updated_at")
TRAVEL_FIELDS = ("person_id", "origin", "origin_code", "via", "arrival_date", "created_at")
SPLIT_LIST = re.compile(r"[,，、;；/\s]+")

DOCUMENT_TYPES = choice_map(
    DocumentType.choices,
    {
        "身份证": DocumentType.RESIDENT_ID,
        "居民身份证号码": DocumentType.RESIDENT_ID,
        "港澳通行证": DocumentType.HK_MACAO_PERMIT,
        "回乡证": DocumentType.HK_MACAO_PERMIT,
        "台胞证": DocumentType.TAIWAN_PERMIT,
        "台湾通行证": DocumentType.TAIWAN_PERMIT,
    },
)
SEXES = choice_map(Sex.choices, {"男性": Sex.MALE, "女性": Sex.FEMALE})
RELATIONS = choice_map(
    Relation.choices,
    {
        "本人": Relation.HEAD,
        "妻子": Relation.SPOUSE,
        "丈夫": Relation.SPOUSE,
        "妻": Relation.SPOUSE,
        "夫": Relation.SPOUSE,
        "儿子": Relation.CHILD,
        "女儿": Relation.CHILD,
        "子": Relation.CHILD,
        "女": Relation.CHILD,
        "父亲": Relation.PARENT,
        "母亲": Relation.PARENT,
        "孙子": Relation.GRANDCHILD,
        "孙女": Relation.GRANDCHILD,
        "外孙": Relation.GRANDCHILD,
        "外孙女": Relation.GRANDCHILD,
        "祖父": Relation.GRANDPARENT,
        "祖母": Relation.GRANDPARENT,
        "兄弟": Relation.SIBLING,
        "姐妹": Relation.SIBLING,
    },
)


@dataclass
class PersonRecord:
    row: Row
    hash: str
    fields: dict
    node: Node
    household_number: str
    tag_ids: list[int]
    travel: tuple | None
    extra: dict = field(default_factory=dict)


class PersonLedger(Ledger):
    """人员台账 (B1): one person per row, deduplicated by the keyed hash of the document
    number. A person already registered is left as it is, except that tags and a travel
    entry listed in the row are added to them (counted as "updated") when they live in the
    importing user's jurisdiction."""

    kind = ImportKind.PERSONS
    title = "人员台账"
    permission = "people.import_person"
    audit_object = "person"
    fields = (
        LedgerField("name", "姓名", ("名字", "人员姓名"), True, 10, "必填"),
        LedgerField(
            "document_type",
            "证件类型",
            ("证件种类",),
            False,
            14,
            "居民身份证（默认）、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证",
        ),
        LedgerField(
            "id_number",
            "证件号码",
            ("身份证号", "身份证号码", "公民身份号码", "证件号", "身份证", "身份证件号码"),
            True,
            22,
            "必填。请把该列设为文本格式，18位身份证号码以数字格式保存会丢失末3位",
        ),
        LedgerField(
            "phone",
            "联系电话",
            ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
            False,
            14,
            "11位手机号或带区号的固定电话",
        ),
        LedgerField("sex", "性别", (), False, 6, "男/女；不填时按身份证号码"),
        LedgerField("birth_date", "出生日期", (), False, 12, "不填时按身份证号码；格式2020-01-25"),
        LedgerField(
            "division",
            "所属网格",
            ("网格", "所在网格", "所属区划", "区划", "网格路径", "所属网格路径", "网格代码"),
            True,
            22,
            "必填。区划路径（如130682/100/201/01/）、村代码/网格代码、或本辖区内唯一的网格名称",
        ),
        LedgerField(
            "household_number",
            "户编号",
            ("户号",),
            False,
            10,
            "按所属网格查找户；该户不存在时以“现住址”新建",
        ),
        LedgerField(
            "relation", "与户主关系", ("关系",), False, 10, "户主、配偶、子女、父母、孙子女……"
        ),
        LedgerField(
            "address", "现住址", ("住址", "地址", "现居住地址", "家庭住址", "现居住地"), False, 30
        ),
        LedgerField("workplace", "工作单位", ("单位", "工作单位名称"), False, 20),
        LedgerField(
            "tags",
            "标签",
            ("人员类别", "人员标签"),
            False,
            14,
            "多个标签用顿号分隔，如 返乡人员、重点人群",
        ),
        LedgerField("origin", "出发地", ("来源地", "从何地返回", "出发地点", "来自"), False, 14),
        LedgerField("origin_code", "出发地区划代码", (), False, 12, "6位县级区划代码，可不填"),
        LedgerField("via", "途经地", (), False, 14),
        LedgerField(
            "arrival_date",
            "抵达日期",
            ("返回日期", "到达日期", "抵达时间", "返回时间", "到达时间", "返乡日期"),
            False,
            12,
            "填写出发地时必填；格式2020-01-25",
        ),
    )

    def prepare(self) -> None:
        self.index = DivisionIndex(self.user)
        self.tags: dict[str, int] = {}
        for pk, code, name in Tag.objects.values_list("id", "code", "name"):
            self.tags[code] = pk
            self.tags[name] = pk
        self.tag_names = "、".join(Tag.objects.values_list("name", flat=True))
        self.seen: dict[str, int] = {}  # document hash -> first row
        self.households: dict[tuple[int, str], int | None] = {}  # None: to be created

    def parse(self, row: Row) -> PersonRecord | None:
        name = row.text("name", max_length=50)
        try:
            name = normalize_name(name)
        except IdentityError as exc:
            row.error("name", str(exc))
        if not name and "name" not in row.bad:
            row.error("name", "姓名不能为空")
        type_text = row.text("document_type")
        document_type = DOCUMENT_TYPES.get(type_text or "居民身份证")
        if document_type is None:
            row.error("document_type", "证件类型无效，应为居民身份证、护照、港澳或台湾通行证")
        ident: dict = {}
        facts: dict = {}
        id_text = row.text("id_number", exact_digits=True)
        if document_type and "id_number" not in row.bad:
            try:
                ident, facts = identity_and_facts(document_type, id_text)
            except IdentityError as exc:
                row.error("id_number", str(exc))
        phone = {}
        phone_text = row.text("phone", exact_digits=True)
        try:
            phone = phone_fields(phone_text)
        except IdentityError as exc:
            row.error("phone", str(exc))
        sex_text = row.text("sex")
        sex = SEXES.get(sex_text) if sex_text else facts.get("sex", Sex.UNKNOWN)
        if sex is None:
            row.error("sex", "性别应为男或女")
        elif sex_text and facts.get("sex") and facts["sex"] != sex:
            row.error("sex", "性别与身份证号码不符")
        birth_date = row.date("birth_date")
        if birth_date and facts.get("birth_date") and birth_date != facts["birth_date"]:
            row.error("birth_date", "出生日期与身份证号码不符")
        elif birth_date and birth_date > timezone.localdate():
            row.error("birth_date", "出生日期在未来")
        birth_date = birth_date or facts.get("birth_date")
        node = None
        division_text = row.text("division")
        if not division_text:
            row.error("division", "所属网格不能为空")
        else:
            node, problem = self.index.resolve(division_text)
            if problem:
                row.error("division", problem)
            elif node.level < DivisionLevel.VILLAGE:
                row.error("division", "人员应登记到村（社区）、小区楼栋或网格")
                node = None
        household_number = row.text("household_number", max_length=30)
        relation_text = row.text("relation")
        relation = RELATIONS.get(relation_text, "") if relation_text else ""
        if relation_text and not relation:
            row.error(
                "relation",
                "与户主关系无效，应为户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹或其他",
            )
        address = row.text("address", max_length=200)
        workplace = row.text("workplace", max_length=100)
        tag_ids = []
        for tag in SPLIT_LIST.split(row.text("tags")):
            if not tag:
                continue
            if tag not in self.tags:
                row.error("tags", f"标签“{tag[:20]}”不存在，可选：{self.tag_names}")
            elif self.tags[tag] not in tag_ids:
                tag_ids.append(self.tags[tag])
        travel = None
        origin = row.text("origin", max_length=100)
        origin_code = row.text("origin_code", exact_digits=True)
        if origin_code and not re.fullmatch(r"\d{6}", origin_code):
            row.error("origin_code", "出发地区划代码应为6位数字")
        via = row.text("via", max_length=200)
        arrival = row.date("arrival_date")
        if origin and not arrival and "arrival_date" not in row.bad:
            row.error("arrival_date", "填写出发地时请同时填写抵达日期")
        elif arrival and not origin:
            row.error("origin", "填写抵达日期时请同时填写出发地")
        elif origin and arrival:
            travel = (origin, origin_code, via, arrival)
        if ident:
            first = self.seen.get(ident["id_number_hash"])
            if first is not None:
                row.error("id_number", f"证件号码与第{first}行重复")
            else:
                self.seen[ident["id_number_hash"]] = row.number
        if row.failed:
            return None
        return PersonRecord(
            row=row,
            hash=ident["id_number_hash"],
            fields={
                "name": name,
                "sex": sex,
                "birth_date": birth_date,
                "address": address,
                "relation_to_head": relation,
                "workplace": workplace,
                **ident,
                **phone,
            },
            node=node,
            household_number=household_number,
            tag_ids=tag_ids,
            travel=travel,
        )

    def process(self, records: list[PersonRecord]) -> None:
        if not records:
            return
        by_id = self.index.by_id
        existing = {
            h: (pk, by_id[division_id].path)
            for h, pk, division_id in Person.objects.filter(
                id_number_hash__in=[r.hash for r in records]
            )
            .order_by()
            .values_list("id_number_hash", "id", "division_id")
        }
        new = [r for r in records if r.hash not in existing]
        self._resolve_households(new)
        new = [r for r in new if not r.row.failed]
        old = [r for r in records if r.hash in existing]
        additions = self._additions(old, existing)
        write = self.can_write()
        if write:
            self._write_households(new)
            self._write_new(new)
            self._write_additions(additions)
        self.report.created += len(new)
        self.report.updated += len(additions)
        self.report.existing += len(old) - len(additions)

    def _resolve_households(self, records: list[PersonRecord]) -> None:
        wanted = {
            (r.node.id, r.household_number)
            for r in records
            if r.household_number and (r.node.id, r.household_number) not in self.households
        }
        if wanted:
            found = (
                Household.objects.filter(
                    division_id__in={d for d, _n in wanted}, number__in={n for _d, n in wanted}
                )
                .order_by()
                .values_list("division_id", "number", "id")
            )
            for division_id, number, pk in found:
                if (division_id, number) in wanted:
                    self.households[(division_id, number)] = pk
        for r in records:
            if not r.household_number:
                continue
            key = (r.node.id, r.household_number)
            if key in self.households:
                continue
            if not r.fields["address"]:
                r.row.error("household_number", "该网格下没有这个户编号；新建户时请填写现住址")
                continue
            self.households[key] = None
            r.extra["new_household"] = True
            self.report.households_created += 1

    def _write_households(self, records: list[PersonRecord]) -> None:
        to_create = {}
        for r in records:
            if r.extra.get("new_household"):
                key = (r.node.id, r.household_number)
                to_create.setdefault(key, r.fields["address"])
        now = timezone.now()
        ids = insert_rows(
            Household,
            HOUSEHOLD_FIELDS,
            [(d, number, address, "", now, now) for (d, number), address in to_create.items()],
        )
        self.households.update(zip(to_create, ids, strict=True))

    def _write_new(self, records: list[PersonRecord]) -> None:
        now = timezone.now()
        households = self.households
        ids = insert_rows(
            Person,
            PERSON_FIELDS,
            [
                (
                    *(r.fields[key] for key in PERSON_RECORD_KEYS),
                    r.node.id,
                    households.get((r.node.id, r.household_number)) if r.household_number else None,
                    True,
                    now,
                    now,
                )
                for r in records
            ],
        )
        links, travel = [], []
        for pk, r in zip(ids, records, strict=True):
            links += [(pk, t) for t in r.tag_ids]
            if r.travel:
                travel.append((pk, *r.travel, now))
        insert_rows(Person.tags.through, ("person_id", "tag_id"), links)
        insert_rows(TravelEntry, TRAVEL_FIELDS, travel)

    def _additions(self, records: list[PersonRecord], existing: dict) -> dict[int, tuple]:
        """Tags and travel a row adds to an already registered person of this jurisdiction."""
        candidates = {}
        for r in records:
            pk, path = existing[r.hash]
            if (r.tag_ids or r.travel) and self.index.allowed(path):
                candidates[pk] = r
        if not candidates:
            return {}
        have_tags = defaultdict(set)
        for person_id, tag_id in Person.tags.through.objects.filter(
            person_id__in=candidates
        ).values_list("person_id", "tag_id"):
            have_tags[person_id].add(tag_id)
        have_travel = set(
            TravelEntry.objects.filter(person_id__in=candidates)
            .order_by()
            .values_list("person_id", "origin", "arrival_date")
        )
        additions = {}
        for pk, r in candidates.items():
            tags = [t for t in r.tag_ids if t not in have_tags[pk]]
            travel = (
                r.travel if r.travel and (pk, r.travel[0], r.travel[3]) not in have_travel else None
            )
            if tags or travel:
                additions[pk] = (tags, travel)
        return additions

    def _write_additions(self, additions: dict[int, tuple]) -> None:
        if not additions:
            return
        now = timezone.now()
        links = [(pk, t) for pk, (tags, _travel) in additions.items() for t in tags]
        insert_rows(Person.tags.through, ("person_id", "tag_id"), links)
        travel = [(pk, *travel, now) for pk, (_tags, travel) in additions.items() if travel]
        insert_rows(TravelEntry, TRAVEL_FIELDS, travel)
        Person.objects.filter(pk__in=list(additions)).update(updated_at=now)

    def sample_row(self) -> list:
        return [
            "【示例】张三",
            "居民身份证",
            make_resident_id("130682", date(1990, 3, 7), 17),
            "13800138000",
            "男",
            "1990-03-07",
            self.index.example_path(min_level=DivisionLevel.VILLAGE),
            "A001",
            "户主",
            "东村幸福路8号",
            "示范县第一中学",
            "返乡人员",
            "湖北省武汉市",
            "420100",
            "",
            "2020-01-22",
        ]


@dataclass
class HouseholdRecord:
    row: Row
    node: Node
    number: str
    address: str
    notes: str


class HouseholdLedger(Ledger):
    """一户一档 (B2): one household per row, unique by (division, number). A household that
    exists gets the row's address (and notes, when given): counted as "updated" when that
    changes anything."""

    kind = ImportKind.HOUSEHOLDS
    title = "一户一档"
    permission = "people.import_person"
    audit_object = "household"
    fields = (
        LedgerField(
            "division",
            "所属区划",
            ("所属网格", "所在区划", "区划", "网格", "所在网格", "区划路径"),
            True,
            22,
            "必填。区划路径（如130682/100/201/01/）、村代码/网格代码、或本辖区内唯一的名称",
        ),
        LedgerField("number", "户编号", ("户号",), True, 10, "必填，同一区划内唯一"),
        LedgerField("address", "住址", ("地址", "现住址", "家庭住址"), True, 30, "必填"),
        LedgerField("notes", "备注", (), False, 30),
    )

    def prepare(self) -> None:
        self.index = DivisionIndex(self.user)
        self.seen: dict[tuple[int, str], int] = {}

    def parse(self, row: Row) -> HouseholdRecord | None:
        node = None
        division_text = row.text("division")
        if not division_text:
            row.error("division", "所属区划不能为空")
        else:
            node, problem = self.index.resolve(division_text)
            if problem:
                row.error("division", problem)
            elif node.level < DivisionLevel.VILLAGE:
                row.error("division", "户应登记到村（社区）、小区楼栋或网格")
                node = None
        number = row.text("number", exact_digits=True, max_length=30)
        if not number and "number" not in row.bad:
            row.error("number", "户编号不能为空")
        address = row.text("address", max_length=200)
        if not address and "address" not in row.bad:
            row.error("address", "住址不能为空")
        notes = row.text("notes", max_length=1000)
        if node and number:
            first = self.seen.get((node.id, number))
            if first is not None:
                row.error("number", f"户编号与第{first}行重复（同一区划）")
            else:
                self.seen[(node.id, number)] = row.number
        if row.failed:
            return None
        return HouseholdRecord(row, node, number, address, notes)

    def process(self, records: list[HouseholdRecord]) -> None:
        if not records:
            return
        found = {
            (division_id, number): (pk, address, notes)
            for division_id, number, pk, address, notes in Household.objects.filter(
                division_id__in={r.node.id for r in records},
                number__in={r.number for r in records},
            )
            .order_by()
            .values_list("division_id", "number", "id", "address", "notes")
        }
        now = timezone.now()
        new, changed, same = [], [], 0
        for r in records:
            current = found.get((r.node.id, r.number))
            if current is None:
                new.append((r.node.id, r.number, r.address, r.notes, now, now))
                continue
            pk, address, notes = current
            if address != r.address or (r.notes and notes != r.notes):
                changed.append(
                    Household(pk=pk, address=r.address, notes=r.notes or notes, updated_at=now)
                )
            else:
                same += 1
        if self.can_write():
            insert_rows(Household, HOUSEHOLD_FIELDS, new)
            Household.objects.bulk_update(
                changed, ["address", "notes", "updated_at"], batch_size=BATCH_SIZE
            )
        self.report.created += len(new)
        self.report.updated += len(changed)
        self.report.existing += same

    def sample_row(self) -> list:
        return [
            "【示例】" + self.index.example_path(min_level=DivisionLevel.VILLAGE),
            "A001",
            "东村幸福路8号",
            "",
        ]

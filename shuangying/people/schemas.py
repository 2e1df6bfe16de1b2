"""API schemas for persons and households (B1, B2).

Output carries only the masked document number and phone (M1); the plaintext leaves the
server through ``RevealOut`` alone, after an audited reveal. Input titles are the Chinese
field names that validation errors quote.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from shuangying.apibase import PageParams

from .choices import DocumentType, Relation, RevealPurpose, Sex


class DivisionRef(Schema):
    id: int
    name: str
    code: str
    level: int


class HouseholdRef(Schema):
    id: int
    number: str
    address: str


class TravelOut(Schema):
    origin: str
    via: str
    arrival_date: date


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: date | None
    document_type: str
    id_number_masked: str
    phone_masked: str
    address: str
    division: DivisionRef
    household_id: int | None
    relation_to_head: str
    workplace: str
    is_verified: bool
    tags: list[str] = Field(..., description="标签代码")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [tag.code for tag in obj.tags.all()]


class PersonDetailOut(PersonOut):
    household: HouseholdRef | None
    travel: list[TravelOut]

    @staticmethod
    def resolve_travel(obj) -> list:
        return list(obj.travel_entries.all()[:20])


class PersonWriteOut(PersonDetailOut):
    created: bool = Field(..., description="true：新登记；false：证件号码已登记，返回已有记录")


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class PersonQuery(Schema):
    """The people list's filters: the same PersonFilter as the HTML list, plus an exact
    document number search."""

    q: str | None = Field(
        None,
        title="搜索",
        max_length=40,
        description="姓名；完整身份证号或手机号（按密钥哈希精确查找）；证件号或手机号后4位",
    )
    id_number: str | None = Field(
        None, title="证件号码", max_length=24, description="完整证件号码，精确查找"
    )
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="证件类型")
    division: int | None = Field(None, title="区划", description="区划ID，含其下级")
    tag: str | None = Field(None, title="标签", description="标签代码，如 returnee")
    sex: Sex | None = Field(None, title="性别")
    verified: str | None = Field(None, title="核实", description="yes 已核实 / no 待核实")
    sort: str | None = Field(
        None, title="排序", description="name、-name、created、-created、birth、-birth"
    )


class PersonSearchIn(PersonQuery, PageParams):
    """The same filters and page in a JSON body, so that a full number never appears in a
    URL (nor in access logs)."""


class PersonIn(Schema):
    name: str = Field(..., title="姓名", min_length=1, max_length=50)
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="证件类型")
    id_number: str = Field(..., title="证件号码", min_length=1, max_length=24)
    phone: str = Field("", title="联系电话", max_length=20)
    sex: Sex | None = Field(None, title="性别", description="留空则按身份证号码推算")
    birth_date: date | None = Field(None, title="出生日期", description="留空则按身份证号码推算")
    division: int = Field(..., title="所属网格", description="区划ID（村/社区及以下）")
    household: int | None = Field(None, title="户", description="户ID")
    relation_to_head: Relation | None = Field(None, title="与户主关系")
    address: str = Field("", title="现住址", max_length=200)
    workplace: str = Field("", title="工作单位", max_length=100)
    is_verified: bool = Field(True, title="已核实")
    tags: list[str] = Field(default_factory=list, title="标签", description="标签代码")


class PersonPatch(Schema):
    """Only the fields sent are changed. The document number identifies the person and is
    not changed here. ``phone`` "" clears it; ``household``, ``birth_date`` and
    ``relation_to_head`` null clear them; other fields do not accept null."""

    name: str = Field(None, title="姓名", min_length=1, max_length=50)
    phone: str = Field(None, title="联系电话", max_length=20)
    sex: Sex = Field(None, title="性别")
    birth_date: date | None = Field(None, title="出生日期")
    division: int = Field(None, title="所属网格")
    household: int | None = Field(None, title="户")
    relation_to_head: Relation | None = Field(None, title="与户主关系")
    address: str = Field(None, title="现住址", max_length=200)
    workplace: str = Field(None, title="工作单位", max_length=100)
    is_verified: bool = Field(None, title="已核实")
    tags: list[str] = Field(None, title="标签", description="标签代码；给出即整体替换")


class RevealIn(Schema):
    purpose: RevealPurpose = Field(..., title="查看用途", description="从列表中选择")
    reason: str = Field(
        ..., title="查看原因", max_length=200, description="具体原因，至少4个汉字、字母或数字"
    )


class RevealOut(Schema):
    id: int
    id_number: str
    phone: str


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    notes: str
    division: DivisionRef
    member_count: int


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]


class HouseholdPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[HouseholdOut]


class HouseholdQuery(Schema):
    q: str | None = Field(None, title="搜索", max_length=40, description="住址或户编号包含")
    division: int | None = Field(None, title="区划", description="区划ID，含其下级")


class HouseholdIn(Schema):
    division: int = Field(..., title="所在区划", description="区划ID（村/社区及以下）")
    number: str = Field(..., title="户编号", min_length=1, max_length=30)
    address: str = Field(..., title="住址", min_length=1, max_length=200)
    notes: str = Field("", title="备注")

"""API schemas for the fever loop (E1, E2). Output carries masked identity only (M1); input
titles are the Chinese names that validation errors quote."""

from __future__ import annotations

from datetime import date as dt_date
from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from shuangying.apibase import DbId
from shuangying.people.choices import DocumentType

from .choices import Channel, IsolationPlace, Outcome, Step


class FeverIn(Schema):
    channel: Channel = Field(..., title="渠道")
    person_id: DbId | None = Field(None, title="人员", description="登记在册的人员编号")
    name: str = Field("", max_length=50, title="姓名", description="未提供人员编号时")
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="证件类型")
    id_number: str = Field("", max_length=40, title="证件号码")
    phone: str = Field("", max_length=20, title="手机号")
    address: str = Field("", max_length=200, title="住址")
    temperature: Decimal | None = Field(None, title="体温", description="34.0–43.0 ℃")
    symptoms: str = Field("", max_length=200, title="症状")
    drug: str = Field("", max_length=100, title="所购药品", description="药店渠道必填")
    found_at: datetime | None = Field(None, title="发现时间", description="缺省为收到时")
    place_id: DbId | None = Field(None, title="场所")
    division_id: DbId | None = Field(
        None, title="所在地", description="人员不在册时，其所在的村（社区）或网格"
    )


class StepIn(Schema):
    step: Step = Field(..., title="环节")
    at: datetime | None = Field(None, title="时间", description="缺省为收到时")
    isolation_place: IsolationPlace | None = Field(None, title="隔离方式")
    isolation_note: str = Field("", max_length=100, title="隔离地点")
    barcode: str = Field("", max_length=40, title="样本条码")
    result: str = Field("", max_length=100, title="检测结果")
    outcome: Outcome | None = Field(None, title="结论")
    note: str = Field("", max_length=200, title="结案说明")


class FeverQuery(Schema):
    status: Step | None = Field(None, title="环节")
    channel: Channel | None = Field(None, title="渠道")
    overdue: bool | None = Field(None, title="超时", description="true：只看超时未办的")


class ReportOut(Schema):
    id: int
    channel: str
    reported_at: datetime
    temperature: Decimal | None
    symptoms: str
    drug: str
    source_ref: str
    place_id: int | None


class EpisodeOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number_masked: str
    division_id: int
    division_name: str
    status: str
    channel: str
    temperature: Decimal | None
    symptoms: str
    found_at: datetime
    registered_at: datetime | None
    isolated_at: datetime | None
    isolation_place: str
    isolation_note: str
    sampled_at: datetime | None
    sample_barcode: str
    resulted_at: datetime | None
    result: str
    closed_at: datetime | None
    outcome: str
    due_at: datetime | None = None
    is_overdue: bool = False

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return obj.person.id_number_masked

    @staticmethod
    def resolve_division_name(obj) -> str:
        return obj.division.name


class EpisodeDetailOut(EpisodeOut):
    reports: list[ReportOut]

    @staticmethod
    def resolve_reports(obj) -> list:
        return list(obj.reports.order_by("reported_at", "pk"))


class EpisodePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EpisodeOut]


class IntakeOut(Schema):
    created: bool = Field(..., description="true：新开发热记录；false：并入已有的未结案记录")
    report_id: int
    episode: EpisodeOut | None = Field(None, description="人员不在册时为空，待网格员核实")


class StatsQuery(Schema):
    date: dt_date | None = Field(
        None, title="日期", description="缺省为今日；过去的日期按当日结束时的情况统计"
    )


class FeverStatsOut(Schema):
    found: int = Field(..., description="当日发现的发热人员")
    open: int = Field(..., description="截至统计时刻未结案的")
    in_step: dict[str, int] = Field(..., description="截至统计时刻各环节的人数（found … resulted）")
    overdue: int = Field(..., description="截至统计时刻下一环节已超时的")
    overdue_by_step: dict[str, int] = Field(
        ..., description="按超时环节（registered、isolated、sampled）"
    )
    closed: dict[str, int] = Field(
        ..., description="当日结案，按结论（excluded、suspected、confirmed）"
    )


class SampleStatsOut(Schema):
    taken: int = Field(..., description="当日采样份数")
    resulted: int = Field(..., description="当日出结果的样本（混采样本随其混采管计）")
    positive: int = Field(..., description="当日阳性的单采样本")
    in_failed_pool: int = Field(..., description="当日阳性或无效混采管中的样本（待逐一复采）")


class CaseStatsOut(Schema):
    new: dict[str, int] = Field(..., description="当日进入各分类的病例")
    cumulative: dict[str, int] = Field(
        ..., description="截至统计时刻曾进入各分类的病例（治愈者仍计入确诊）"
    )
    current: dict[str, int] = Field(..., description="各病例当前的分类")


class DaysWithoutOut(Schema):
    name: str
    last_confirmed: dt_date | None
    days: int | None = Field(..., description="连续无新增确诊的天数；从未有确诊时为空")


class HealthStatsOut(Schema):
    date: dt_date
    as_of: datetime = Field(..., description="统计时刻：当日结束，或今日的此刻")
    fevers: FeverStatsOut
    samples: SampleStatsOut | None = Field(..., description="角色无权查看采样检测时为空")
    cases: CaseStatsOut | None = Field(..., description="角色无权查看病例时为空")
    days_without_confirmed: list[DaysWithoutOut] | None = Field(
        ..., description="全县及各乡镇连续无新增确诊的天数；角色无权查看病例时为空"
    )

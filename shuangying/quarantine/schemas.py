"""The quarantine API's shapes (OpenAPI): Chinese titles name the fields in error messages."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from ninja import Field, Schema

from shuangying.apibase import DbId

from .choices import OrderKind, OrderState, Reason


class OrderIn(Schema):
    person_id: DbId = Field(..., title="人员")
    kind: OrderKind = Field(..., title="隔离方式")
    reason: Reason = Field(..., title="隔离原因")
    reason_text: str = Field("", max_length=100, title="原因说明")
    start: date | None = Field(None, title="开始日期")
    days: int | None = Field(None, ge=1, le=60, title="天数")
    room_id: DbId | None = Field(None, title="房间")


class ChangeOut(Schema):
    kind: str
    days: int
    from_end: date
    to_end: date
    reason: str
    at: datetime
    by: str


class StayOut(Schema):
    site: str
    room: str
    bed: int
    from_at: datetime
    to_at: datetime | None


class OrderOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number_masked: str
    division: str
    kind: str
    kind_label: str
    reason: str
    reason_label: str
    start_date: date
    end_date: date
    days: int
    state: str
    state_label: str
    grid_worker: str
    released_at: datetime | None


class OrderDetailOut(OrderOut):
    changes: list[ChangeOut]
    stays: list[StayOut]
    unmet_conditions: list[str] = Field(..., description="今天解除隔离尚未满足的条件（已解除为空）")


class OpenOut(Schema):
    created: bool
    message: str
    order: OrderDetailOut


class OrderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrderOut]


class OrderQuery(Schema):
    state: OrderState | None = Field(None, title="状态")
    reason: Reason | None = Field(None, title="隔离原因")


class ExtendIn(Schema):
    days: int = Field(..., ge=-60, le=60, title="天数", description="正数延长，负数缩短")
    reason: str = Field(..., min_length=1, max_length=200, title="原因")


class ReleaseIn(Schema):
    note: str = Field("", max_length=200, title="解除说明")


class StatsQuery(Schema):
    date: dt.date | None = Field(None, title="日期")


class CountsOut(Schema):
    name: str
    cumulative: int
    released: int
    current: int


class StatsOut(Schema):
    date: dt.date
    cumulative: int
    released: int
    current: int
    due_today: int
    by_kind: list[CountsOut]
    by_reason: list[CountsOut]
    by_site: list[CountsOut]
    by_township: list[CountsOut]


class ReportIn(Schema):
    day: date = Field(..., title="日期")
    slot: int = Field(..., ge=1, le=2, title="时段")
    temperature: float = Field(..., title="体温")
    symptoms: str = Field("", max_length=100, title="症状")
    correction_reason: str = Field("", max_length=200, title="更正原因")


class BatchReportIn(ReportIn):
    order_id: DbId = Field(..., title="隔离令")


class ReportOut(Schema):
    id: int
    order_id: int
    day: date
    slot: int
    temperature: float
    symptoms: str
    abnormal: bool
    fever_episode_id: int | None
    created: bool
    corrected: bool


class BatchItemOut(Schema):
    index: int
    status: str = Field(..., description="created、unchanged、corrected 或 error")
    report_id: int | None = None
    field: str | None = None
    message: str = ""


class BatchOut(Schema):
    items: list[BatchItemOut]


class MissingQuery(Schema):
    date: dt.date | None = Field(None, title="日期")
    slot: int = Field(1, ge=1, le=2, title="时段")


class MissingOut(Schema):
    order_id: int
    person_name: str
    id_number_masked: str
    division: str
    grid_worker: str
    end_date: date


class MissingPage(Schema):
    date: dt.date
    slot: int
    level: str = Field(
        ..., description="grid（网格员：截止时间起）或 township（其他：截止后一小时起）"
    )
    count: int
    items: list[MissingOut]

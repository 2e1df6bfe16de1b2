"""API schemas for health codes (D1–D3). Names follow GB/T 38963-2020's operations."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from .choices import EventKind, EventSource, RiskLevel


class PersonIdIn(Schema):
    person_id: int = Field(..., title="人员")


class CodeOut(Schema):
    person_id: int
    colour: str = Field(..., description="码色代码，如 green、yellow、red")
    label: str = Field(..., description="码色名称，如 绿码")
    hex: str
    reason: str
    since: datetime | None
    until: datetime | None = Field(None, description="预计截止时间；为空表示至解除为止或无")
    ruleset_version: int | None


class IssueOut(CodeOut):
    token: str = Field(..., description="签名令牌 base64url(payload).base64url（Ed25519签名）")
    expires_at: datetime


class MineOut(Schema):
    items: list[IssueOut]


class VerifyIn(Schema):
    token: str = Field(..., min_length=1, max_length=400, title="健康码令牌")


class VerifyOut(Schema):
    valid: bool
    colour: str
    label: str
    hex: str
    masked_name: str
    expires_at: datetime | None
    message: str


class PublicKeyOut(Schema):
    alg: str
    issuer: str
    public_key: str = Field(..., description="Ed25519 公钥（32字节原始值的 base64url）")
    pem: str
    token_seconds: int


class EventOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    risk_level: str
    division_code: str
    source: str


class QueryOut(CodeOut):
    events: list[EventOut]


class DeclareHealthIn(PersonIdIn):
    fever: bool = Field(False, title="发热")
    symptoms: bool = Field(False, title="有咳嗽、乏力等症状")


class DeclareTripIn(PersonIdIn):
    origin_code: str = Field(..., pattern=r"^[0-9]{6}$", title="出发地区划代码")
    origin: str = Field("", max_length=100, title="出发地")
    arrival_date: date = Field(..., title="抵达日期")


class DeclareOut(CodeOut):
    events_recorded: int


class EventIn(PersonIdIn):
    kind: EventKind = Field(..., title="情形")
    occurred_at: datetime = Field(..., title="发生时间")
    source: EventSource = Field(EventSource.OFFICER, title="来源")
    division_code: str = Field("", pattern=r"^([0-9]{6})?$", title="来源地区划代码")


class CorrectIn(PersonIdIn):
    reason: str = Field(..., min_length=2, max_length=300, title="纠错理由")


class AppealOut(Schema):
    id: int
    person_id: int
    status: str
    colour_at_filing: str
    filed_at: datetime


class RiskAreaIn(Schema):
    code: str = Field(..., pattern=r"^[0-9]{6}$", title="区划代码")
    name: str = Field(..., min_length=1, max_length=100, title="地区名称")
    level: RiskLevel = Field(..., title="风险等级")
    start_date: date = Field(..., title="起始日期")
    end_date: date | None = Field(None, title="截止日期")
    notes: str = Field("", max_length=200, title="备注")


class RiskAreaPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100, title="地区名称")
    end_date: date | None = Field(None, title="截止日期")
    notes: str | None = Field(None, max_length=200, title="备注")


class RiskAreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    start_date: date
    end_date: date | None
    notes: str


class RiskAreaPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RiskAreaOut]


class RiskAreaQuery(Schema):
    code: str | None = Field(None, title="区划代码")
    active_on: date | None = Field(None, title="有效日期")


class ImportErrorOut(Schema):
    row: int
    message: str


class RiskAreaImportOut(Schema):
    created: int
    updated: int
    errors: list[ImportErrorOut]

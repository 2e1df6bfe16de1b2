"""API schemas of the check-ins (C2, C5). Out: masked values only (M1)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel

from shuangying.people.choices import DocumentType


class HealthCodeOut(Schema):
    colour: str = Field(..., description="颜色代码，如 green、yellow、red；未知为 unknown")
    label: str
    hex: str
    reason: str
    since: datetime | None = None
    until: datetime | None = None


class CompanionIn(Schema):
    name: str = Field(..., min_length=1, max_length=50, title="同行人姓名")
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="同行人证件类型")
    id_number: str = Field(..., min_length=1, max_length=30, title="同行人证件号码")


class CheckinIn(Schema):
    place_token: str = Field(..., min_length=1, max_length=200, title="场所码")
    client_uuid: UUID = Field(
        ..., title="客户端编号", description="客户端生成的UUID；重复提交只记一条"
    )
    person_ref: str | None = Field(
        None,
        max_length=40,
        title="人员引用",
        description="上次登记返回的 person.ref；给出时无需再填身份",
    )
    name: str | None = Field(None, max_length=50, title="姓名")
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="证件类型")
    id_number: str | None = Field(None, max_length=30, title="证件号码")
    phone: str | None = Field(None, max_length=20, title="手机号")
    otp: str | None = Field(
        None,
        max_length=8,
        title="短信验证码",
        description="手机号与登记信息不一致时发送到该手机号的验证码；随同一UUID再次提交即完成身份绑定",
    )
    temperature: float | None = Field(None, ge=34, le=43, title="体温")
    fever: bool = Field(False, title="发热")
    symptoms: list[str] = Field(default_factory=list, title="症状")
    travel: str = Field("none", title="14天内行程", description="none、other_province、risk_area")
    travel_from: str = Field("", max_length=50, title="来自")
    companions: list[CompanionIn] = Field(default_factory=list, max_length=5, title="同行人")
    checked_in_at: datetime | None = Field(
        None, title="登记时间", description="只接受服务器当前时间前后5分钟内；不填为当前时间"
    )


class PersonBrief(Schema):
    name: str = Field(..., description="脱敏姓名")
    ref: str | None = Field(
        None, description="不透明的人员引用（仅身份已绑定时），下次登记可代替身份信息"
    )


class CompanionOut(Schema):
    id: int
    created: bool
    person: PersonBrief
    health_code: HealthCodeOut | None = Field(None, description="仅可代为出示时（同户）")


class CheckinOut(Schema):
    id: int
    created: bool
    checked_in_at: datetime
    place: str
    bound: bool = Field(..., description="身份已绑定：姓名与登记一致，手机号为登记号码或已验证")
    otp_sent: bool = Field(False, description="已向所填手机号发送验证码")
    pending: bool = Field(False, description="申报的健康情况待网格员核实")
    person: PersonBrief
    health_code: HealthCodeOut | None = Field(None, description="仅身份已绑定时返回")
    companions: list[CompanionOut]


class BatchItemIn(BaseModel):
    """One item of an offline upload, for the OpenAPI document: the route reads the body
    itself (pydantic models for every item would be the upload's largest cost) and
    ``record_checkin_batch`` checks each item, answering a bad one with its own error."""

    client_uuid: str = Field(..., max_length=40, title="客户端编号")
    place_token: str = Field(..., max_length=200, title="场所码")
    name: str | None = Field(None, max_length=50, title="姓名")
    document_type: str | None = Field(None, max_length=20, title="证件类型")
    id_number: str | None = Field(None, max_length=30, title="证件号码")
    phone: str | None = Field(None, max_length=20, title="手机号")
    temperature: float | str | None = Field(None, title="体温")
    fever: bool = Field(False, title="发热")
    symptoms: list[str] | None = Field(None, title="症状")
    travel: str | None = Field(None, max_length=20, title="14天内行程")
    travel_from: str | None = Field(None, max_length=50, title="来自")
    checked_in_at: datetime | None = Field(None, title="登记时间")


BATCH_MAX_ITEMS = 10_000
BATCH_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "title": "BatchIn",
                "type": "object",
                "required": ["items"],
                "properties": {
                    "items": {
                        "title": "登记条目",
                        "type": "array",
                        "minItems": 1,
                        "maxItems": BATCH_MAX_ITEMS,
                        "items": BatchItemIn.model_json_schema(),
                    }
                },
            }
        }
    },
}


class ItemErrorOut(BaseModel):
    code: str
    field: str | None = None
    message: str


class BatchItemOut(BaseModel):
    client_uuid: str
    id: int | None = None
    created: bool = False
    error: ItemErrorOut | None = None


class BatchOut(Schema):
    received: int
    created: int
    duplicates: int
    errors: int
    items: list[BatchItemOut]


class WindowQuery(Schema):
    start: datetime | None = Field(
        None, title="开始时间", description="默认为结束时间前14天（场所为1天）"
    )
    end: datetime | None = Field(None, title="结束时间", description="默认为当前时间")


class PlaceBrief(Schema):
    id: int
    name: str
    division: str


KIND_DESCRIPTION = "checkin 为扫码登记，checkpoint 为卡口通行"


class PassageOut(Schema):
    direction: str = Field(..., description="in 进、out 出")
    outcome: str = Field(..., description="passed 放行、turned_back 劝返、fever_clinic 送发热门诊")
    is_vehicle: bool
    plate: str = Field(..., description="车牌号（车辆检查）")


class TrajectoryItem(Schema):
    kind: Literal["checkin", "checkpoint"] = Field(..., description=KIND_DESCRIPTION)
    id: int = Field(..., description="扫码登记或卡口检查记录的编号（按 kind 区分）")
    checked_in_at: datetime = Field(..., description="登记或通过卡口的时间")
    place: PlaceBrief = Field(..., description="场所或卡口")
    temperature: float | None
    has_fever: bool
    symptoms: list[str]
    travel: str = Field(..., description="申报的14天内行程；卡口通行为空")
    passage: PassageOut | None = Field(None, description="卡口通行的方向、处置和车辆")


class TrajectoryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TrajectoryItem]


class VisitorPerson(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    is_verified: bool


class VisitorItem(Schema):
    kind: Literal["checkin", "checkpoint"] = Field(..., description=KIND_DESCRIPTION)
    id: int = Field(..., description="扫码登记或卡口检查记录的编号（按 kind 区分）")
    checked_in_at: datetime = Field(..., description="登记或通过卡口的时间")
    person: VisitorPerson | None = Field(None, description="证件号未登记的卡口通行为空")
    id_number_masked: str = Field(..., description="脱敏证件号码")
    temperature: float | None
    has_fever: bool
    symptoms: list[str]
    travel: str
    passage: PassageOut | None = None


class VisitorPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VisitorItem]

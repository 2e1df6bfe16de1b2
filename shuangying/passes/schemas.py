"""API schemas for passes and gate checks (C4, C6)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from shuangying.people.schemas import DivisionRef

from .choices import Direction, Outcome, PassType, RefusalReason


class PassOut(Schema):
    id: int
    type: PassType
    division: DivisionRef
    household_id: int | None
    person_id: int | None
    holder_name: str
    plate: str
    route: str
    issuing_department_id: int | None
    purpose: str
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    revoked_at: datetime | None


class PassIssuedOut(PassOut):
    token: str = Field(..., description="通行证二维码内容（签名令牌）")


class PassPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PassOut]


class PassQuery(Schema):
    type: PassType | None = Field(None, title="类型")
    q: str | None = Field(None, title="持证人或车牌", max_length=40)
    active: bool | None = Field(None, title="仅有效", description="true：未作废且未过期")


class PassIn(Schema):
    type: PassType = Field(..., title="类型")
    division: int = Field(..., title="所属区划", description="区划ID，须在管辖范围内")
    household: int | None = Field(None, title="户", description="户ID（户出入证）")
    person: int | None = Field(None, title="人员", description="人员ID（个人出入证、外出证明）")
    holder_name: str = Field("", title="持证人/单位", max_length=100)
    plate: str = Field("", title="车牌号", max_length=12, description="运输通行证，如 晋L12345")
    route: str = Field("", title="通行路线", max_length=200)
    issuing_department: int | None = Field(None, title="签发部门", description="部门ID")
    purpose: str = Field("", title="事由", max_length=200)
    valid_from: datetime = Field(..., title="生效时间")
    valid_until: datetime = Field(..., title="有效期至")


class RevokeIn(Schema):
    reason: str = Field("", title="作废原因", max_length=200)


class CheckIn(Schema):
    token: str = Field(..., title="通行证码", min_length=1, max_length=200)
    place: int = Field(..., title="卡点", description="场所ID，须在管辖范围内")
    direction: Direction = Field(Direction.OUT, title="方向")
    plate: str = Field("", title="车牌号", max_length=12, description="运输通行证核对车牌")


class TurnBackIn(Schema):
    place: int = Field(..., title="卡点", description="场所ID，须在管辖范围内")
    direction: Direction = Field(Direction.IN, title="方向")


class CheckOut(Schema):
    id: int
    outcome: Outcome = Field(..., description="allowed 放行 / refused 劝返")
    allowed: bool
    reason: RefusalReason | None = Field(None, description="劝返原因代码")
    reason_label: str = Field("", description="劝返原因（中文）")
    pass_id: int | None
    holder_name: str = ""
    at: datetime

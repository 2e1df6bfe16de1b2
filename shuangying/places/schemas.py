"""API schemas for places and place codes (C1)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from shuangying.people.schemas import DivisionRef

from .choices import PlaceType


class PlaceCodeOut(Schema):
    issued_at: datetime
    valid_until: datetime | None
    token: str = Field(..., description="签名令牌（二维码内容的一部分），不是场所ID")
    checkin_url: str = Field(..., description="海报二维码中的登记网址")


class PlaceOut(Schema):
    id: int
    type: PlaceType
    name: str
    division: DivisionRef
    address: str
    responsible_unit_id: int | None
    contact_name: str
    is_active: bool


class PlaceDetailOut(PlaceOut):
    code: PlaceCodeOut | None = Field(None, description="当前有效的场所码；已作废则为空")


class PlacePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlaceOut]


class PlaceQuery(Schema):
    q: str | None = Field(None, title="名称或地址", max_length=40)
    type: PlaceType | None = Field(None, title="场所类型")
    division: int | None = Field(None, title="区划", description="区划ID，含其下级")


class PlaceIn(Schema):
    type: PlaceType = Field(..., title="场所类型")
    name: str = Field(..., title="名称", min_length=1, max_length=100)
    division: int = Field(..., title="所在区划", description="区划ID，须在管辖范围内")
    address: str = Field("", title="地址", max_length=200)
    responsible_unit: int | None = Field(None, title="责任单位", description="部门ID")
    contact_name: str = Field("", title="负责人", max_length=30)

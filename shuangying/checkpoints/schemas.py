"""API schemas for checkpoint records (C3). Output carries the masked document number only
(M1); input titles are the Chinese names that validation errors quote."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from shuangying.apibase import DbId
from shuangying.people.choices import DocumentType

from .choices import Direction, Outcome, VehicleType


class RecordIn(Schema):
    client_uuid: UUID = Field(
        ..., title="客户端编号", description="设备生成的UUID；同一编号重复提交只记一条"
    )
    checkpoint: DbId = Field(..., title="卡口")
    checked_at: datetime | None = Field(
        None, title="检查时间", description="离线时设备记录的时间；缺省为收到时"
    )
    temperature: Decimal = Field(..., title="体温", description="34.0–43.0 ℃;37.3 ℃ 及以上为发热")
    direction: Direction = Field(..., title="方向")
    outcome: Outcome = Field(..., title="处置")
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, title="证件类型")
    id_number: str = Field("", max_length=40, title="证件号码")
    health_code_token: str = Field(
        "", max_length=2000, title="健康码", description="扫描健康码得到的文本"
    )
    is_vehicle: bool = Field(False, title="车辆检查")
    plate: str = Field("", max_length=16, title="车牌号")
    vehicle_type: VehicleType | None = Field(None, title="车辆类型")
    origin: str = Field("", max_length=60, title="来自")
    passenger_count: int | None = Field(None, ge=1, le=99, title="车上人数")


BATCH_MAX_ITEMS = 10_000
# The upload's body for the OpenAPI document: the route reads the body itself and validates
# each item against RecordIn (registered in the document by the single-record route).
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
                        "title": "记录",
                        "type": "array",
                        "minItems": 1,
                        "maxItems": BATCH_MAX_ITEMS,
                        "items": {"$ref": "#/components/schemas/RecordIn"},
                    }
                },
            }
        }
    },
}


class CheckpointRef(Schema):
    id: int
    name: str


class RecordOut(Schema):
    id: int
    client_uuid: UUID
    checkpoint: CheckpointRef
    checked_at: datetime
    received_at: datetime
    direction: str
    outcome: str
    temperature: Decimal
    is_fever: bool
    person_id: int | None
    document_masked: str
    health_code_colour: str
    is_vehicle: bool
    plate: str
    vehicle_type: str
    origin: str
    passenger_count: int | None


class RecordWriteOut(RecordOut):
    created: bool


class BatchItemOut(Schema):
    client_uuid: str
    status: str = Field(
        ..., description="created 新增；duplicate 已有（重复提交）；rejected 被拒绝"
    )
    id: int | None = None
    is_fever: bool = False
    field: str | None = None
    message: str = ""


class BatchOut(Schema):
    created: int
    duplicate: int
    rejected: int
    items: list[BatchItemOut]


class RecordPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RecordOut]


class RecordQuery(Schema):
    checkpoint: DbId | None = Field(None, title="卡口")
    fever: bool | None = Field(None, title="仅发热")
    start: date | None = Field(None, title="开始日期")
    end: date | None = Field(None, title="结束日期")


class CounterQuery(Schema):
    checkpoint: DbId | None = Field(None, title="卡口")
    start: date | None = Field(None, title="开始日期")
    end: date | None = Field(None, title="结束日期")


class CounterRow(Schema):
    day: date
    checkpoint_id: int
    checkpoint_name: str
    persons: int
    vehicles: int
    fevers: int
    turned_back: int


class Totals(Schema):
    persons: int
    vehicles: int
    fevers: int
    turned_back: int


class CountersOut(Schema):
    totals: Totals
    rows: list[CounterRow]


class FeverOut(Schema):
    id: int
    checkpoint: CheckpointRef
    division: str
    checked_at: datetime
    temperature: Decimal
    outcome: str
    document_masked: str
    plate: str


class FeverPage(Schema):
    last_id: int
    items: list[FeverOut]

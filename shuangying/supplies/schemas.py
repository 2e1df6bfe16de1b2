"""API schemas of supplies (H5, H7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class ReportQuery(Schema):
    start: date | None = Field(None, title="开始日期", description="含当日；留空为最早")
    end: date | None = Field(None, title="结束日期", description="含当日；留空为今天")


class ItemReportRow(Schema):
    """One item over the period, quantities in its unit (H7)."""

    item: str
    unit: str
    opening: Decimal = Field(..., description="期初（含期内登记的期初储备）")
    purchased: Decimal = Field(..., description="采购入库")
    donated: Decimal = Field(..., description="捐赠入库")
    processed_in: Decimal = Field(..., description="加工产出")
    processed_out: Decimal = Field(..., description="加工投入")
    issued: Decimal = Field(..., description="发放")
    on_hand: Decimal = Field(..., description="期末库存")
    value: Decimal = Field(..., description="期末库存金额（元，加权平均成本）")


class StockRow(Schema):
    location_id: int
    location: str
    item_id: int
    item: str
    unit: str
    quantity: Decimal
    min_stock: Decimal


class IssueLineIn(Schema):
    line: int = Field(..., title="调用明细", description="调用指令明细行ID")
    quantity: Decimal = Field(..., title="发放数量", gt=0, description="按物资基本单位")


class IssueIn(Schema):
    lines: list[IssueLineIn] = Field(..., title="发放明细", min_length=1)


class IssueOut(Schema):
    id: int
    number: str
    order_id: int
    status: str
    issued_at: datetime

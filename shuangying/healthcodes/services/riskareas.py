"""Risk areas (D3): entered one by one or imported from the province's spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from ..choices import (
    RiskLevel,
)
from ..models import (
    RiskArea,
)
from .events import code_prefix, enqueue_reevaluation

# --- risk areas ------------------------------------------------------------------------------


@transaction.atomic
def save_risk_area(*, actor=None, area: RiskArea | None = None, **fields) -> RiskArea:
    area = area or RiskArea()
    for name, value in fields.items():
        setattr(area, name, value)
    area.code_prefix = code_prefix(area.code)
    if area.pk is None and actor is not None and getattr(actor, "is_authenticated", False):
        area.created_by = actor
    area.full_clean(exclude=["created_by"])
    created = area.pk is None
    area.save()
    area.log_action(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=actor,
        summary=f"{'新增' if created else '修改'}风险地区 {area.code} {area.name}",
    )
    return area


@transaction.atomic
def delete_risk_area(*, actor, area: RiskArea) -> None:
    area.log_action(
        AuditAction.DELETE,
        user=actor,
        summary=f"删除风险地区 {area.code} {area.name}",
    )
    area.delete()


# --- risk-area import ------------------------------------------------------------------------

RISK_AREA_ALIASES = {
    "区划代码": "code",
    "代码": "code",
    "行政区划代码": "code",
    "地区名称": "name",
    "名称": "name",
    "地区": "name",
    "风险等级": "level",
    "等级": "level",
    "起始日期": "start_date",
    "开始日期": "start_date",
    "生效日期": "start_date",
    "截止日期": "end_date",
    "结束日期": "end_date",
    "备注": "notes",
}
RISK_AREA_LABELS = {
    "code": "区划代码",
    "name": "地区名称",
    "level": "风险等级",
    "start_date": "起始日期",
    "end_date": "截止日期",
    "notes": "备注",
}
LEVEL_WORDS = {
    "高": RiskLevel.HIGH,
    "高风险": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
    "中": RiskLevel.MEDIUM,
    "中风险": RiskLevel.MEDIUM,
    "medium": RiskLevel.MEDIUM,
    "低": RiskLevel.LOW,
    "低风险": RiskLevel.LOW,
    "low": RiskLevel.LOW,
}


@dataclass
class RiskAreaImport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_risk_areas(data: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """Rows of a risk-area sheet as field dicts, and (Excel row, Chinese message) errors."""
    from shuangying.core.excel import CellError, cell_date, cell_text, check_xlsx, read_table

    check_xlsx(data)
    table = read_table(
        data,
        aliases=RISK_AREA_ALIASES,
        required=["code", "name", "level", "start_date"],
        labels=RISK_AREA_LABELS,
        max_rows=10_000,
    )
    rows, errors = [], []
    seen: dict[tuple, int] = {}
    for number, cells in table.rows():

        def cell(key, cells=cells):
            if key not in table.columns:
                return None
            index = table.columns[key][0]
            return cells[index] if index < len(cells) else None

        problems = []
        try:
            code = cell_text(cell("code"), exact_digits=True)
        except CellError as exc:
            code, problems = "", [f"区划代码：{exc}"]
        if not (len(code) == 6 and code.isdigit()):
            problems.append("区划代码：应为6位数字（GB/T 2260）")
        name = cell_text(cell("name"))[:100]
        if not name:
            problems.append("地区名称：不能为空")
        level = LEVEL_WORDS.get(cell_text(cell("level")).lower())
        if level is None:
            problems.append("风险等级：应为 高、中、低 之一")
        dates = {}
        for key in ("start_date", "end_date"):
            try:
                dates[key] = cell_date(cell(key))
            except CellError as exc:
                problems.append(f"{RISK_AREA_LABELS[key]}：{exc}")
        if not problems and dates.get("start_date") is None:
            problems.append("起始日期：不能为空")
        if (
            not problems
            and dates.get("end_date") is not None
            and dates["end_date"] < dates["start_date"]
        ):
            problems.append("截止日期：不能早于起始日期")
        if not problems:
            key = (code, level, dates["start_date"])
            if key in seen:
                problems.append(f"与第{seen[key]}行重复")
            seen[key] = number
        if problems:
            errors.append((number, "；".join(problems)))
            continue
        rows.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "start_date": dates["start_date"],
                "end_date": dates.get("end_date"),
                "notes": cell_text(cell("notes"))[:200],
            }
        )
    if not rows and not errors:
        errors.append((table.header_row, "表中没有数据行"))
    return rows, errors


@transaction.atomic
def import_risk_areas(*, actor, data: bytes, file_name: str = "") -> RiskAreaImport:
    """Import a risk-area list from xlsx: all rows or none. A row for an existing (code, level,
    start date) updates its name, end date and notes."""
    rows, errors = parse_risk_areas(data)
    if errors:
        return RiskAreaImport(errors=errors)
    report = RiskAreaImport(errors=[])
    existing = {
        (a.code, a.level, a.start_date): a
        for a in RiskArea.objects.filter(code__in={r["code"] for r in rows})
    }
    new = []
    for row in rows:
        area = existing.get((row["code"], row["level"], row["start_date"]))
        if area is None:
            new.append(
                RiskArea(
                    **row,
                    code_prefix=code_prefix(row["code"]),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
            continue
        area.name, area.end_date, area.notes = row["name"], row["end_date"], row["notes"]
        area.save(update_fields=["name", "end_date", "notes"])
        report.updated += 1
    RiskArea.objects.bulk_create(new)
    report.created = len(new)
    # Travel entries from the newly listed areas become arrivals; colours follow.
    transaction.on_commit(enqueue_reevaluation)
    record_event(
        user=actor,
        action=AuditAction.IMPORT,
        object_type="risk_area",
        summary=f"导入风险地区 {file_name[:60]}：新增{report.created}，更新{report.updated}",
    )
    return report

"""A lab's result sheet (barcode, result, time) as a ledger of the import pipeline (E3): dry
run, a report per row, all or nothing, idempotent (a repeated sheet changes nothing: the same
result again is "unchanged"). Registered in ``LabsConfig.ready()``. A CSV sheet is turned into
the same workbook first (``sheets.import_result_sheet``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from shuangying.imports.choices import ImportKind
from shuangying.imports.ledgers import Ledger, LedgerField, Row

from .choices import RESULT_WORDS, Result
from .services import ResultItem, record_results

RESULTS = {**{str(label): value for value, label in Result.choices}, **RESULT_WORDS}
RESULTS.update({value: value for value in Result.values})
DATETIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?)?"
)


def parse_time(value) -> dt.datetime | None:
    """A date-time cell or text such as 2020-02-10 14:30 (local time); None when unreadable."""
    if isinstance(value, dt.datetime):
        at = value
    elif isinstance(value, dt.date):
        at = dt.datetime(value.year, value.month, value.day)
    else:
        match = DATETIME.match(str(value or "").strip())
        if not match:
            return None
        try:
            at = dt.datetime(*(int(p) if p else 0 for p in match.groups()))
        except ValueError:
            return None
    return timezone.make_aware(at) if timezone.is_naive(at) else at


@dataclass
class ResultRecord:
    row: Row
    item: ResultItem


class LabResultLedger(Ledger):
    kind = ImportKind.LAB_RESULTS
    title = "检测结果表"
    permission = "labs.record_result"
    audit_object = "sample"
    fields = (
        LedgerField(
            "barcode", "条码", ("样本条码", "样本编号", "混采管条码", "管码"), True, 20, "必填"
        ),
        LedgerField("result", "结果", ("检测结果", "核酸结果"), True, 8, "阴性、阳性或无效"),
        LedgerField(
            "resulted_at",
            "出结果时间",
            ("时间", "报告时间", "检测时间"),
            True,
            18,
            "必填，如 2020-02-10 14:30",
        ),
    )

    def parse(self, row: Row) -> ResultRecord | None:
        barcode = row.text("barcode", max_length=40)
        if not barcode:
            row.error("barcode", "必填")
        word = row.text("result")
        result = RESULTS.get(word) or RESULTS.get(word.lower())
        if result is None:
            row.error("result", "应为阴性、阳性或无效")
        at = parse_time(row.raw("resulted_at"))
        if at is None:
            row.error("resulted_at", "时间格式应为 2020-02-10 14:30")
        if row.failed:
            return None
        return ResultRecord(row, ResultItem(barcode, result, at))

    def process(self, records: list[ResultRecord]) -> None:
        if not records:
            return
        outcomes = record_results(
            items=[r.item for r in records], actor=self.user, write=self.can_write()
        )
        for record, outcome in zip(records, outcomes, strict=True):
            if not outcome.ok:
                key = (
                    outcome.field
                    if outcome.field in ("barcode", "result", "resulted_at")
                    else "result"
                )
                record.row.error(key, outcome.message.split(":", 1)[-1])
            elif outcome.status == "unchanged":
                self.report.existing += 1
            elif outcome.status == "corrected":
                self.report.updated += 1
            else:
                self.report.created += 1

    def sample_row(self) -> list:
        return ["【示例】S20200210001", "阴性", "2020-02-10 14:30"]

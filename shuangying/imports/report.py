"""The report of one import run: what is wrong, row by row, and what was (or would be) written."""

from __future__ import annotations

from dataclasses import dataclass, field

from .choices import ImportMode

MAX_REPORTED_ERRORS = 1000
MAX_WARNINGS = 50


@dataclass
class ImportReport:
    """Counts and row errors of a dry run (``dry_run``) or a commit.

    ``created``/``existing``/``updated`` classify the valid rows: on a dry run what a commit
    would do with them, after a commit what was written. ``skipped`` is what was (or would be)
    left out: the bad rows, or every row when all-or-nothing meets a bad one. Errors carry
    the row number as Excel shows it, the column header as written in the file and a reason
    in Chinese; never the cell's value (it may be a document number)."""

    kind: str
    mode: str
    dry_run: bool = True
    total_rows: int = 0
    error_rows: int = 0
    error_count: int = 0
    created: int = 0
    existing: int = 0
    updated: int = 0
    households_created: int = 0
    committed: bool = False
    rolled_back: bool = False
    file_error: str = ""
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _rows_with_errors: set[int] = field(default_factory=set, repr=False)

    def add_error(self, row: int, column: str, message: str) -> None:
        if row not in self._rows_with_errors:
            self._rows_with_errors.add(row)
            self.error_rows += 1
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def blocked(self) -> bool:
        """All-or-nothing with a bad row: nothing is (or would be) written."""
        return self.mode == ImportMode.ALL_OR_NOTHING and self.error_rows > 0

    @property
    def skipped(self) -> int:
        if self.file_error:
            return self.total_rows
        if self.blocked or self.rolled_back:
            return self.total_rows
        return self.error_rows

    @property
    def valid_rows(self) -> int:
        return self.total_rows - self.error_rows

    def roll_back(self) -> None:
        """The commit's transaction was rolled back: nothing of it stays."""
        self.rolled_back = True
        self.committed = False
        self.created = self.existing = self.updated = self.households_created = 0

    def messages(self) -> list[str]:
        """Every reported error as one line, e.g. ``第12行 证件号码:身份证号码校验位错误``."""
        return [f"第{e['row']}行 {e['column']}：{e['message']}" for e in self.errors]

    def summary(self) -> str:
        if self.file_error:
            return self.file_error
        parts = [f"共{self.total_rows}行"]
        if self.dry_run:
            parts.append(f"其中有错误{self.error_rows}行")
            if self.blocked:
                parts.append("按“全部正确才导入”方式将不写入任何数据")
            else:
                parts.append(
                    f"可新增{self.created}条，已存在{self.existing}条，可更新{self.updated}条，"
                    f"将跳过{self.skipped}行"
                )
        elif self.rolled_back:
            parts.append(f"有错误{self.error_rows}行，按“全部正确才导入”方式未写入任何数据")
        else:
            parts.append(
                f"已新增{self.created}条，已存在{self.existing}条，已更新{self.updated}条，"
                f"跳过{self.skipped}行"
            )
        if self.households_created:
            parts.append(f"{'将' if self.dry_run else '已'}新建户{self.households_created}户")
        return "，".join(parts) + "。"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "error_rows": self.error_rows,
            "created": self.created,
            "existing": self.existing,
            "updated": self.updated,
            "skipped": self.skipped,
            "households_created": self.households_created,
            "committed": self.committed,
            "rolled_back": self.rolled_back,
            "blocked": self.blocked,
            "file_error": self.file_error,
            "errors": self.errors,
            "errors_truncated": self.errors_truncated,
            "warnings": self.warnings,
            "summary": self.summary(),
        }

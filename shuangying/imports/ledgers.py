"""The generic ledger pipeline's parts: a ledger's columns (``LedgerField``), one data row
(``Row``), the ``Ledger`` base, and the registry the apps fill in their ``AppConfig.ready()``
(the person and household ledgers in people, the division tree in divisions: each app keeps its
own bulk import, as NetBox does). This module imports no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shuangying.core.excel import CellError, cell_date, cell_text

from .choices import ImportMode
from .report import ImportReport

BATCH_SIZE = 2000


@dataclass(frozen=True)
class LedgerField:
    """A column of a ledger: its key, the header of the template, accepted synonyms, whether
    the column (not necessarily the cell) must be present, and the template's help."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: float = 14
    note: str = ""


class Row:
    """One data row: cells by field key, and errors reported against the file's headers."""

    __slots__ = ("number", "cells", "columns", "report", "bad")

    def __init__(self, number: int, cells: list, columns: dict, report: ImportReport):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.report = report
        self.bad: set[str] = set()  # keys of the columns with an error

    @property
    def failed(self) -> bool:
        return bool(self.bad)

    def raw(self, key: str) -> Any:
        column = self.columns.get(key)
        if column is None or column[0] >= len(self.cells):
            return None
        return self.cells[column[0]]

    def text(self, key: str, *, exact_digits: bool = False, max_length: int | None = None) -> str:
        raw = self.raw(key)
        if raw.__class__ is str:
            value = raw.strip()
        else:
            try:
                value = cell_text(raw, exact_digits=exact_digits)
            except CellError as exc:
                self.error(key, str(exc))
                return ""
        if max_length is not None and len(value) > max_length:
            self.error(key, f"内容过长（最多{max_length}个字）")
            return ""
        return value

    def date(self, key: str) -> date | None:
        try:
            return cell_date(self.raw(key))
        except CellError as exc:
            self.error(key, str(exc))
            return None

    def error(self, key: str, message: str) -> None:
        self.bad.add(key)
        column = self.columns.get(key)
        self.report.add_error(self.number, column[1] if column else key, message)


def choice_map(choices, extra: dict[str, str]) -> dict[str, str]:
    """Cell text -> choice value: the labels, the values themselves and ``extra`` synonyms."""
    mapping = {str(label): value for value, label in choices}
    mapping.update({value: value for value, _label in choices})
    mapping.update(extra)
    return mapping


class Ledger:
    """Base of a ledger. ``write`` is true for a commit; whether a batch is actually written
    also depends on the mode (all-or-nothing writes nothing once a row is bad)."""

    kind: str = ""
    title: str = ""
    fields: tuple[LedgerField, ...] = ()
    batch_size = BATCH_SIZE
    permission = ""  # the codename that lets a user import this ledger ("people.import_person")
    audit_object = ""  # the object type of the audit row of a commit

    def __init__(self, *, user, report: ImportReport, write: bool):
        self.user = user
        self.report = report
        self.write = write

    @classmethod
    def aliases(cls) -> dict[str, str]:
        from shuangying.core.excel import normalize_header

        mapping = {}
        for f in cls.fields:
            for name in (f.header, *f.aliases):
                mapping[normalize_header(name)] = f.key
        return mapping

    @classmethod
    def required_keys(cls) -> list[str]:
        return [f.key for f in cls.fields if f.required]

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {f.key: f.header for f in cls.fields}

    def can_write(self) -> bool:
        return self.write and (
            self.report.mode == ImportMode.VALID_ONLY or self.report.error_rows == 0
        )

    def prepare(self) -> None:
        """Build the lookups used by every row (once per import)."""

    def parse(self, row: Row) -> Any:
        raise NotImplementedError

    def process(self, records: list) -> None:
        raise NotImplementedError

    def sample_row(self) -> list:
        """The template's example row (after ``prepare``)."""
        raise NotImplementedError


# The ledgers by kind, filled by the apps that own them (``register_ledger`` in ready()).
LEDGERS: dict[str, type[Ledger]] = {}


def register_ledger(ledger: type[Ledger]) -> type[Ledger]:
    """Make ``ledger`` importable under its ``kind`` (usable as a class decorator)."""
    LEDGERS[ledger.kind] = ledger
    return ledger

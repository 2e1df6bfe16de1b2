"""The division tree as an importable ledger (A1), and the index every ledger that names
divisions resolves its cells through (``DivisionIndex``, used by people's ledgers too).
Registered with the import pipeline in ``DivisionsConfig.ready()``."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError

from shuangying.imports.choices import ImportKind
from shuangying.imports.ledgers import Ledger, LedgerField, Row, choice_map

from .choices import DivisionKind, DivisionLevel
from .models import Division
from .services import build_division, create_division

STAT_CODE = re.compile(r"^\d{12}$")
DIVISION_KINDS = choice_map(DivisionKind.choices, {"乡镇": DivisionKind.TOWN})


class Node(NamedTuple):
    id: int | None  # None: a division a dry run would create
    parent_id: int | None
    path: str
    code: str
    name: str
    level: int
    kind: str
    name_path: str
    is_active: bool

    def as_division(self) -> Division:
        """An unsaved stand-in carrying what ``build_division`` reads from a parent."""
        return Division(
            pk=self.id,
            parent_id=self.parent_id,
            path=self.path,
            code=self.code,
            name=self.name,
            level=self.level,
            kind=self.kind,
        )


class DivisionIndex:
    """Every division by path, statistical code, local code and name, with the user's
    jurisdiction: "所属网格" may be written as a path (``130682/100/201/01/``), a village code
    and local codes (``130682100201/01``), a 12-digit code, a local code or a name (unique
    within the user's jurisdiction), or a chain of names (``东村/东村一网格``)."""

    def __init__(self, user):
        self.paths = user.division_paths()
        self.by_path: dict[str, Node] = {}
        self.by_stat: dict[str, list[Node]] = defaultdict(list)
        self.by_code: dict[str, list[Node]] = defaultdict(list)
        self.by_name: dict[str, list[Node]] = defaultdict(list)
        self._resolved: dict[tuple[str, bool], tuple[Node | None, str]] = {}
        rows = Division.objects.order_by("path").values_list(
            "id", "parent_id", "path", "code", "name", "level", "kind", "is_active"
        )
        self.by_id: dict[int, Node] = {}
        for pk, parent_id, path, code, name, level, kind, active in rows:
            parent = self.by_id.get(parent_id)
            name_path = f"{parent.name_path}/{name}" if parent else name
            node = Node(pk, parent_id, path, code, name, level, kind, name_path, active)
            self.by_id[pk] = node
            self._index(node)

    def _index(self, node: Node) -> None:
        self._resolved.clear()
        self.by_path[node.path] = node
        if node.level <= DivisionLevel.VILLAGE:
            self.by_stat[node.code].append(node)
        else:
            self.by_code[node.code.upper()].append(node)
        self.by_name[node.name].append(node)

    def add(self, division: Division, parent: Node | None) -> Node:
        name_path = f"{parent.name_path}/{division.name}" if parent else division.name
        node = Node(
            division.pk,
            parent.id if parent else None,
            division.path,
            division.code,
            division.name,
            division.level,
            str(division.kind),
            name_path,
            True,
        )
        self._index(node)
        return node

    def allowed(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def _candidates(self, text: str) -> list[Node]:
        if "/" in text:
            parts = [p.strip() for p in text.split("/") if p.strip()]
            if not parts:
                return []
            node = self.by_path.get("/".join(p.upper() for p in parts) + "/")
            if node:
                return [node]
            if STAT_CODE.match(parts[0]):
                found = []
                for base in self.by_stat.get(parts[0], []):
                    path = base.path + "".join(p.upper() + "/" for p in parts[1:])
                    if path in self.by_path:
                        found.append(self.by_path[path])
                if found:
                    return found
            chain = "/".join(parts)
            return [
                n
                for n in self.by_name.get(parts[-1], [])
                if n.name_path == chain or n.name_path.endswith("/" + chain)
            ]
        if STAT_CODE.match(text):
            return list(self.by_stat.get(text, []))
        found = list(self.by_code.get(text.upper(), []))
        found += [n for n in self.by_name.get(text, []) if n not in found]
        return found

    def resolve(self, raw: str, *, jurisdiction: bool = True) -> tuple[Node | None, str]:
        """The one division ``raw`` names, or None and a Chinese reason (memoised: a ledger
        names the same few grids on thousands of rows)."""
        key = (raw, jurisdiction)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(raw, jurisdiction=jurisdiction)
        return found

    def _resolve(self, raw: str, *, jurisdiction: bool) -> tuple[Node | None, str]:
        text = raw.strip().replace("／", "/").replace("\\", "/")
        candidates = [n for n in self._candidates(text) if n.is_active]
        if not candidates:
            return None, f"“{text}”不存在"
        if not jurisdiction:
            if len(candidates) > 1:
                return None, f"“{text}”对应多个区划，请填写完整路径（如 {candidates[0].path}）"
            return candidates[0], ""
        inside = [n for n in candidates if self.allowed(n.path)]
        if not inside:
            return None, f"“{text}”不在您的管辖范围内"
        if len(inside) > 1:
            return None, f"“{text}”对应多个区划，请填写完整路径（如 {inside[0].path}）"
        return inside[0], ""

    def example_path(self, *, min_level: int) -> str:
        """The path of the first, deepest division the user holds (for a template's sample)."""
        usable = [
            n
            for n in self.by_path.values()
            if n.level >= min_level and n.is_active and self.allowed(n.path)
        ]
        best = max(usable, key=lambda n: n.level, default=None)
        return best.path if best else "130682/100/201/01/"


@dataclass
class DivisionRecord:
    row: Row
    parent_text: str
    kind: str
    code: str
    name: str


class DivisionLedger(Ledger):
    """行政区划 (A1): one division per row, parents before children (a parent may be a
    division already in the system or one on an earlier row). A division whose path exists is
    "existing", or "updated" when the row renames it. New divisions may only be placed under
    divisions the user holds; a county (no parent) only by a user who holds everything."""

    kind = ImportKind.DIVISIONS
    title = "行政区划"
    permission = "divisions.import_division"
    audit_object = "division"
    batch_size = 200
    fields = (
        LedgerField(
            "parent",
            "上级代码",
            ("上级区划代码", "上级", "上级区划", "父级代码", "上级路径"),
            True,
            22,
            "县级不填；乡镇、村填上级的12位代码；小区、楼栋、网格填 村代码/小区代码 或区划路径",
        ),
        LedgerField(
            "kind",
            "类型",
            ("区划类型",),
            True,
            8,
            "县、区、街道、镇、乡、村、社区、小区、楼栋、网格",
        ),
        LedgerField(
            "code",
            "代码",
            ("区划代码",),
            True,
            16,
            "县、乡、村为12位统计用区划代码；小区、楼栋、网格为1–6位字母或数字",
        ),
        LedgerField("name", "名称", ("区划名称",), True, 16, "必填"),
    )

    def prepare(self) -> None:
        self.index = DivisionIndex(self.user)
        self.seen: dict[str, int] = {}

    def parse(self, row: Row) -> DivisionRecord | None:
        parent_text = row.text("parent", exact_digits=True)
        kind_text = row.text("kind")
        kind = DIVISION_KINDS.get(kind_text)
        if kind is None:
            row.error("kind", "类型应为县、区、街道、镇、乡、村、社区、小区、楼栋或网格")
        code = row.text("code", exact_digits=True, max_length=12)
        if not code and "code" not in row.bad:
            row.error("code", "代码不能为空")
        name = row.text("name", max_length=60)
        if not name and "name" not in row.bad:
            row.error("name", "名称不能为空")
        if row.failed:
            return None
        return DivisionRecord(row, parent_text, kind, code, name)

    def process(self, records: list[DivisionRecord]) -> None:
        for r in records:
            self._one(r)

    def _one(self, r: DivisionRecord) -> None:
        row = r.row
        parent = None
        if r.parent_text:
            parent, problem = self.index.resolve(r.parent_text, jurisdiction=False)
            if problem:
                row.error("parent", "上级区划" + problem + "（上级需已存在或写在前面的行）")
                return
        try:
            division = build_division(
                parent=parent.as_division() if parent else None,
                kind=r.kind,
                code=r.code,
                name=r.name,
            )
        except ValidationError as exc:
            for key, messages in validation_messages(exc):
                row.error(key, messages)
            return
        first = self.seen.get(division.path)
        if first is not None:
            row.error("code", f"与第{first}行是同一区划")
            return
        self.seen[division.path] = row.number
        current = self.index.by_path.get(division.path)
        if current is not None:
            if not self.index.allowed(current.path):
                row.error("code", "该区划不在您的管辖范围内")
            elif current.name != division.name:
                if self.can_write():
                    Division.objects.filter(pk=current.id).update(name=division.name)
                self.report.updated += 1
            else:
                self.report.existing += 1
            return
        if parent is None and self.index.paths is not None:
            row.error("parent", "只有管辖全部区划的用户可以导入县级区划，请填写上级代码")
            return
        if parent is not None and not self.index.allowed(parent.path):
            row.error("parent", "上级区划不在您的管辖范围内")
            return
        if self.can_write():
            try:
                division = create_division(
                    parent=parent.as_division() if parent else None,
                    kind=r.kind,
                    code=r.code,
                    name=r.name,
                )
            except ValidationError as exc:
                for key, messages in validation_messages(exc):
                    row.error(key, messages)
                return
        self.index.add(division, parent)
        self.report.created += 1

    def sample_row(self) -> list:
        return ["【示例】130682100201", "网格", "03", "东村三网格"]


def validation_messages(exc: ValidationError):
    """A ValidationError of ``build_division`` as (ledger column key, message) pairs."""
    keys = {"kind": "kind", "code": "code", "name": "name", "parent": "parent"}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            yield keys.get(key, "code"), "；".join(errors)
    else:
        yield "code", "；".join(exc.messages)

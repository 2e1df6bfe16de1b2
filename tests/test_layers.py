"""The layering of docs/architecture.md, checked on the source: an app imports only apps in
layers below its own (its own layer's shared bases aside), at module level or inside a
function alike.

A small walk over the AST of every module under shuangying/ (tests aside: they build whole
counties and may reach anywhere). Besides ``import`` statements it catches the two ways an
app can lean on another without a plain import: ``importlib.import_module("shuangying.x…")``
with a literal name, and ``apps.is_installed("shuangying.x")`` (a soft dependency: the
layering already says which app may use which). A cross-app import of another app's views
or of a private ``_name`` is refused at any distance: apps meet through services and
querysets.

KNOWN_VIOLATIONS lists the violations of the day this test was written, outside the files of
its author, which their owners are removing; the test fails on any other violation, and on
any listed one that is gone (so the list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "shuangying"

# Bottom to top. Units on one line share a layer and may not import each other, except the
# shared bases of layer 1 (see SAME_LAYER_ALLOWED).
LAYERS: list[set[str]] = [
    {"core", "access"},
    {"audit", "apibase", "pages", "guards", "imports"},
    {"divisions"},
    {"accounts"},
    {"people"},
    {"identity", "places"},
    {"healthcodes"},
    {"cases"},
    {"labs"},
    {"fevers"},
    {"quarantine"},
    {"checkpoints"},
    {"checkins", "passes", "supplies"},
    {"dashboard", "urls", "api", "settings", "wsgi", "testing"},
]
LAYER = {unit: i for i, units in enumerate(LAYERS) for unit in units}
TOP = len(LAYERS) - 1  # the project's own wiring: its parts may use each other
# Within layer 1 the shared bases build on the audit log, and the generic import pipeline
# on all of them.
SAME_LAYER_ALLOWED = {
    # access (jurisdiction) is plumbing every app uses, like core: the template filters in
    # core ask it whether a link may be shown.
    ("core", "access"),
    ("apibase", "audit"),
    ("apibase", "guards"),
    ("pages", "audit"),
    ("imports", "audit"),
    ("imports", "pages"),
    ("imports", "apibase"),
}

# (importing module, imported unit): today's violations, being removed by their owners.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def unit_of(module: str) -> str | None:
    """``shuangying.people.services`` → ``people``; ``shuangying.access`` → ``access``."""
    parts = module.split(".")
    if parts[0] != "shuangying" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_test(path: Path) -> bool:
    rel = path.relative_to(ROOT).parts
    return "tests" in rel or rel[-1].startswith("test_") or rel[-1] == "conftest.py"


def resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def string_arg(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def imports_of(path: Path) -> list[tuple[str, str, int]]:
    """(imported module, what it is, line) for every import in the file, anywhere in it."""
    module = module_name(path)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "import", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, is_package, node)
            found.append((target, "import", node.lineno))
            for alias in node.names:
                # ``from shuangying.people import services`` imports the module people.services.
                found.append((f"{target}.{alias.name}", "name", node.lineno))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = string_arg(node)
            if arg and arg.startswith("shuangying.") and name in {"import_module", "is_installed"}:
                found.append((arg, name, node.lineno))
    return found


def violations() -> set[tuple[str, str, str]]:
    """(importing module, imported unit, why) for every import against the layering."""
    bad = set()
    for path in sorted(ROOT.rglob("*.py")):
        if is_test(path) or "migrations" in path.parts:
            continue
        module = module_name(path)
        unit = unit_of(module)
        for target, kind, line in imports_of(path):
            other = unit_of(target)
            if other is None or other == unit:
                continue
            if unit not in LAYER or other not in LAYER:
                bad.add((module, other, f"line {line}: {unit or '?'} or {other} has no layer"))
                continue
            here, there = LAYER[unit], LAYER[other]
            tail = target.split(".")[2:]
            if kind == "is_installed":
                bad.add((module, other, f"line {line}: apps.is_installed on one of our apps"))
            elif there > here:
                bad.add((module, other, f"line {line}: layer {here} imports layer {there}"))
            elif there == here and here != TOP and (unit, other) not in SAME_LAYER_ALLOWED:
                bad.add((module, other, f"line {line}: {unit} and {other} share layer {here}"))
            elif "views" in tail or any(p.startswith("_") and p != "__init__" for p in tail):
                bad.add((module, other, f"line {line}: {'.'.join(tail)} is not public"))
    return bad


def test_every_app_has_a_layer():
    units = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    units |= {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert units - set(LAYER) == set(), "add the new app to LAYERS (and docs/architecture.md)"


def test_imports_follow_the_layers():
    found = violations()
    new = sorted(v for v in found if v[:2] not in KNOWN_VIOLATIONS)
    assert not new, "imports against the layering:\n" + "\n".join(
        f"  {module} → {other} ({why})" for module, other, why in new
    )


def test_known_violations_are_still_there():
    """A violation fixed is taken off the list, so that it cannot come back unnoticed."""
    found = {v[:2] for v in violations()}
    assert sorted(KNOWN_VIOLATIONS - found) == []


def test_the_walk_sees_imports_inside_functions(tmp_path, monkeypatch):
    """The checker itself: a function-level import of an upper app is found."""
    app = tmp_path / "shuangying" / "divisions"
    app.mkdir(parents=True)
    (tmp_path / "shuangying" / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "services.py").write_text(
        "def f():\n    from shuangying.people.models import Person\n    return Person\n"
        "def g():\n    from django.apps import apps\n"
        "    return apps.is_installed('shuangying.core')\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "shuangying")
    found = {(m, o) for m, o, _why in violations()}
    assert found == {
        ("shuangying.divisions.services", "people"),
        ("shuangying.divisions.services", "core"),
    }

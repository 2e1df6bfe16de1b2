"""The layering of issue 15: divisions (layer 2) and the generic import pipeline (layer 1)
import no app above them; the apps above reach them through registries."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPPER = {
    "divisions": ("accounts", "people", "identity", "places", "healthcodes", "checkins"),
    "imports": ("divisions", "accounts", "people", "identity", "places", "healthcodes"),
}


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("app", sorted(UPPER))
def test_app_imports_no_upper_app(app):
    offending = []
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            if any(module.startswith(f"shuangying.{upper}") for upper in UPPER[app]):
                offending.append(f"{path.relative_to(ROOT)}: {module}")
    assert not offending


@pytest.mark.django_db
def test_person_and_household_counts_come_from_people(personas, county, people):
    from shuangying.divisions.counts import subtree_counts, subtree_total

    county_user = personas["county"]
    counts = subtree_counts("persons", county_user, [county.town1, county.town2])
    assert counts == {county.town1.pk: 2, county.town2.pk: 1}
    assert subtree_total("persons", personas["grid1a"], county.village1) == 1
    assert subtree_total("households", county_user, county.county) == 0

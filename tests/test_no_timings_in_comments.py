"""Issue 15: comments say why, not the history of how. Measured timings belong in
docs/scaling.md ("Measured"), not in the code's comments and docstrings."""

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A figure with a time unit, or a before → after. Rules stated in seconds
# ("a phone clock 30 seconds off", "1 s, 2 s, 4 s") are not measurements and do not match.
TIMING = re.compile(
    r"\d\s?ms\b|\d\s?µs\b|req/s|rows/s|"
    r"\d(\.\d+)?\s?s\s?(->|→|against)|(->|→)\s?\d[\d.,]*\s?(ms|s)\b|\bin \d[\d.]* s\b",
    re.IGNORECASE,
)


def _texts(path: Path):
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    if path.is_relative_to(ROOT / "bench"):
        return  # a benchmark's docstring states its targets and what it measures
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc:
                yield getattr(node, "lineno", 1), doc


def _code_files():
    for base in ("shuangying", "bench"):
        for path in sorted((ROOT / base).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


def test_no_measured_timings_in_code_comments():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {TIMING.search(text)[0]!r}"
        for path in _code_files()
        for line, text in _texts(path)
        if TIMING.search(text)
    ]
    assert not found, "timings belong in docs/scaling.md:\n" + "\n".join(found)


def test_the_pattern_finds_what_it_should():
    assert TIMING.search("# counting persons: 55 ms -> 540 ms")
    assert TIMING.search("(measured: 100,000 persons in 2.2 s against 10–12 s)")
    assert TIMING.search("100,000 rows: 11.6 s -> 7.5 s")
    assert not TIMING.search("# One step either side tolerates a phone clock 30 seconds off.")
    assert not TIMING.search("none up to the free allowance, then 1 s, 2 s, 4 s … up to")

"""`compare` on real public questionnaires, against coverage tables written by hand
(tests/compare/*.yaml: each status read from the form itself, with the reason beside it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

import paths
from migmodule.compare import compare

TABLES = sorted((Path(__file__).parent / "compare").glob("*.yaml"))
REQUIRED_AGREEMENT = 0.8


def _table(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def _coverage(path: Path):
    table = _table(path)
    files = [paths.CORPUS / name for name in table["form"]]
    if not all(f.exists() for f in files):
        pytest.skip(f"corpus {paths.CORPUS} is not available")
    return compare(files, table["module"])


def test_there_are_at_least_five_forms():
    assert len(TABLES) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("path", TABLES, ids=[p.stem for p in TABLES])
def test_coverage_agrees_with_the_hand_written_table(path):
    table = _table(path)
    coverage = _coverage(path)
    expected = table["expected"]
    assert set(expected) == {q.question for q in coverage.questions}, "table lists every question"
    wrong = {
        q.question: f"{q.status} (expected {expected[q.question]}: {q.summary})"
        for q in coverage.questions
        if q.status != expected[q.question]
    }
    agreement = 1 - len(wrong) / len(expected)
    assert agreement >= REQUIRED_AGREEMENT, f"{agreement:.0%} right; wrong: {wrong}"

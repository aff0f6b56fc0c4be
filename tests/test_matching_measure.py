"""The matcher measured: precision and recall of `map`'s proposals over the hand-labelled set in
tests/matching/ (real codebooks from the shared corpus and files built with public names/labels).
"""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest
import yaml

from migmodule.matching import match
from migmodule.matching.model import Item
from migmodule.matching.sources import items_from_data, read_codebook

CASES = Path(__file__).parent / "matching"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCORED = ("question", "derived", "id", "weight")


def build(case: dict, path: Path) -> Path:
    """Write the case's variables as a .dta or .sav file (labels, value labels, a few rows)."""
    import pandas as pd

    variables = case["variables"]
    frame = pd.DataFrame({name: [1.0, 2.0] for name in variables})
    labels = {name: spec.get("label", "") for name, spec in variables.items()}
    values = {
        name: {float(k): str(v) for k, v in spec["values"].items()}
        for name, spec in variables.items()
        if spec.get("values")
    }
    if path.suffix == ".sav":
        pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=values)
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=labels, variable_value_labels=values)
    return path


def items_of(case: dict, folder: Path) -> list[Item]:
    kind, _, where = case["source"].partition(":")
    if kind == "corpus":
        path = CORPUS / where
        if not path.exists():
            pytest.skip(f"shared corpus file {path} not present")
        items = read_codebook(path)
    elif kind == "sample":
        items = items_from_data(SAMPLES / where)
    else:
        items = items_from_data(build(case, folder / f"{case['name']}.{where}"))
    if case.get("languages"):
        keep = set(case["languages"])
        for item in items:
            item.labels = {k: v for k, v in item.labels.items() if k in keep}
            item.value_labels = {k: v for k, v in item.value_labels.items() if k in keep}
    return items


def score_case(case: dict, folder: Path) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, wrong proposals) of one case."""
    expected = {
        target: set(names) if isinstance(names, list) else {names}
        for target, names in case["expected"].items()
    }
    ignored = set(case.get("not_scored") or [])
    proposals = [
        p
        for p in match(items_of(case, folder), case["module"])
        if p.accepted and p.kind in SCORED and p.target not in ignored
    ]
    right = {p.target for p in proposals if p.item in expected.get(p.target, ())}
    wrong = [f"{p.target} <- {p.item}" for p in proposals if p.target not in right]
    return len(right), len(wrong), len(set(expected) - right), wrong


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        case["name"] = path.stem
        cases.append(case)
    return cases


def test_the_set_has_six_files_in_two_languages():
    cases = load_cases()
    assert (
        len({c["source"] for c in cases if c["source"].startswith("corpus:")})
        + len([c for c in cases if c["source"].startswith("built:")])
        >= 6
    )
    languages = {lang for c in cases for lang in c.get("languages", [])}
    assert {"en", "es", "fr"} <= languages


def measure(folder: Path) -> tuple[list[str], float, float]:
    """The docs table rows (one per case and the total), precision and recall."""
    totals = [0, 0, 0]
    rows = []
    for case in load_cases():
        tp, fp, fn, _ = score_case(case, folder)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        language = case.get("language") or ", ".join(case.get("languages", []))
        rows.append(
            f"| {case['name']} | {language} | {tp} | {fp} | {fn} | {precision:.2f} | {recall:.2f} |"
        )
    tp, fp, fn = totals
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    rows.append(f"| **total** | | {tp} | {fp} | {fn} | {precision:.2f} | {recall:.2f} |")
    return rows, precision, recall


@pytest.mark.slow
def test_precision_and_recall_over_the_whole_set(tmp_path):
    rows, precision, recall = measure(tmp_path)
    assert precision >= 0.9, rows
    assert recall >= 0.8, rows
    # the figures in docs/validation.md are the measured ones
    docs = (Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text("utf-8")
    stale = [row for row in rows if row not in docs]
    assert not stale, f"update the table in docs/validation.md: {stale}"


def test_a_wrong_answer_counts_against_precision(tmp_path):
    """The measure can fail: a case whose hand mapping disagrees scores a wrong and a miss."""
    case = next(c for c in load_cases() if c["name"] == "ipums_international_extract")
    case["expected"] = dict(case["expected"], sex="AGE")
    tp, fp, fn, wrong = score_case(case, tmp_path)
    assert "sex <- SEX" in wrong and fp == 1 and fn == 1

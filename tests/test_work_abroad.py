"""work-abroad 1.0.0: the one "worked abroad" filter that labour-migration 2.0.0 and
recruitment-costs 2.0.0 share (issue 13). Its levels and lists match person-core's, so a module
using both gets one roster; its universes, edit and derived variables on every realistic case."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from migmodule.export.xlsform import build_xlsform
from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.profile import adapt
from migmodule.spec.lint import lint_paths
from migmodule.spec.registry import load_module
from test_module_census import PARAMS, all_questions, failing, table, truth

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "work-abroad" / "1.0.0.yaml"
CORE = MODULES / "person-core" / "1.0.0.yaml"
QUESTIONS = [
    "worked_abroad",
    "country_of_work_abroad",
    "year_left_for_work_abroad",
    "works_abroad_now",
    "year_of_return",
]


@pytest.fixture(scope="module")
def abroad():
    return load_module(SPEC)


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths([str(SPEC)])
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]


def test_a_shared_module_with_plain_question_ids_documented_in_its_description(abroad):
    assert abroad.kind == "shared"
    assert [q.id for q in abroad.questions] == QUESTIONS
    for lang in ("en", "fr", "es"):
        for qid in QUESTIONS:
            assert f"`{qid}`" in abroad.description[lang], (lang, qid)


def test_levels_and_shared_lists_are_person_cores(abroad):
    """A module using both keeps the first one listed; they must not differ, or the roster and the
    country codes would depend on the order of `uses`."""
    core = load_module(CORE)

    def dump(items):
        return [item.model_dump(exclude={"shared_from"}) for item in items]

    assert dump(abroad.levels) == dump(core.levels)
    for list_id in ("yes_no", "countries", "year_specials"):
        assert dump([abroad.code_list_by_id[list_id]]) == dump([core.code_list_by_id[list_id]])
    for param_id in ("COUNTRY", "REF_DATE"):
        mine = next(p for p in abroad.parameters if p.id == param_id)
        theirs = next(p for p in core.parameters if p.id == param_id)
        assert (mine.type, mine.default) == (theirs.type, theirs.default)


USING_BOTH = """\
spec_format: 1
id: both
version: 1.0.0
status: draft
languages: [en]
title: {en: Uses person-core and work-abroad}
description: {en: Test module.}
uses:
  - module: person-core@1.0.0
    questions: [sex, age]
  - module: work-abroad@1.0.0
sources:
  - {id: T, citation: "Test"}
conditions:
  - id: adult_returnee
    expression: age >= 15 and returned_from_work_abroad
    text: {en: adult returnees}
questions:
  - id: own_question
    level: person
    type: integer
    universe: adult_returnee
    label: {en: "How many times?"}
    variable_label: {en: Times}
    status: core
    sources: [{source: T}]
"""


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank") / "both"
    folder.mkdir()
    path = folder / "1.0.0.yaml"
    path.write_text(USING_BOTH, encoding="utf-8")
    return path


def test_a_module_using_person_core_and_work_abroad_has_one_roster(both):
    module = load_module(both)
    assert [lv.id for lv in module.levels] == ["household", "person"]
    origin = {q.id: q.shared_from for q in module.questions}
    assert origin["age"] == "person-core@1.0.0"
    assert {origin[q] for q in QUESTIONS} == {"work-abroad@1.0.0"}
    findings = lint_paths([str(both)])
    assert [str(f) for f in findings if f.severity.value == "error"] == []
    sheets, export_findings = build_xlsform(
        adapt(None, str(both), country="SEN", languages=["en"]), ["en"]
    )
    names = [row["name"] for row in sheets["survey"] if row["type"] != "end_repeat"]
    assert [row["type"] for row in sheets["survey"]].count("begin_repeat") == 1
    for name in ["age", *QUESTIONS]:
        assert names.count(name) == 1, name
    assert names.index("worked_abroad") < names.index("own_question")


UNIVERSES = {
    "country_of_work_abroad": """
        | worked_abroad | asked   |
        | 1             | yes     |
        | 2             | no      |
        | 8             | unknown |
        |               | unknown |
    """,
    "year_left_for_work_abroad": """
        | worked_abroad | asked   |
        | 1             | yes     |
        | 2             | no      |
        | 9             | unknown |
    """,
    "works_abroad_now": """
        | worked_abroad | asked   |
        | 1             | yes     |
        | 2             | no      |
    """,
    "year_of_return": """
        | worked_abroad | works_abroad_now | asked   |
        | 1             | 2                | yes     |
        | 1             | 1                | no      |
        | 1             | 8                | unknown |
        | 2             |                  | no      |
        | 1             |                  | unknown |
    """,
}


def rows_of(text: str) -> pd.DataFrame:
    lines = text.strip().splitlines()
    rule = "|" + "|".join("---" for _ in lines[0].strip().strip("|").split("|")) + "|"
    return table("\n".join([lines[0], rule, *lines[1:]]))


def test_every_universe_has_a_table(abroad):
    assert set(UNIVERSES) == {q.id for q in abroad.questions if q.universe}


@pytest.mark.parametrize("qid", sorted(UNIVERSES))
def test_universe(abroad, qid):
    """Don't know and not stated are missing answers: the universe is unknown, not false."""
    rows = rows_of(UNIVERSES[qid])
    data = all_questions(abroad, rows.drop(columns=["asked"]))
    expected = [{"yes": True, "no": False, "unknown": None}[a] for a in rows["asked"]]
    got = truth(evaluate_frame(abroad, abroad.question_by_id[qid].universe, data, PARAMS))
    assert got == expected


def test_return_before_departure_is_an_error(abroad):
    rows = rows_of("""
        | worked_abroad | works_abroad_now | year_left_for_work_abroad | year_of_return | fails |
        | 1             | 2                | 2020                      | 2019           | yes   |
        | 1             | 2                | 2020                      | 2020           | no    |
        | 1             | 2                | 2015                      | 2022           | no    |
        | 1             | 2                | 9998                      | 2019           | no    |
        | 1             | 1                | 2020                      |                | no    |
    """)
    data = all_questions(abroad, rows.drop(columns=["fails"]))
    assert failing(abroad, "WA01_return_before_departure", data) == [
        f == "yes" for f in rows["fails"]
    ]
    assert (
        next(e for e in abroad.edits if e.id == "WA01_return_before_departure").severity == "error"
    )


def test_work_abroad_status_on_every_combination(abroad):
    rows = rows_of("""
        | worked_abroad | works_abroad_now | year_of_return | work_abroad_status | years_since_return |
        | 1             | 1                |                | 1                  |                    |
        | 1             | 2                | 2025           | 2                  | 5                  |
        | 1             | 2                | 9998           | 2                  |                    |
        | 2             |                  |                | 3                  |                    |
        | 1             | 8                |                | 9                  |                    |
        | 1             |                  |                | 9                  |                    |
        | 8             |                  |                | 9                  |                    |
        |               |                  |                | 9                  |                    |
    """)
    data = all_questions(abroad, rows.drop(columns=["work_abroad_status", "years_since_return"]))
    out = derive(abroad, data, PARAMS)
    for column in ("work_abroad_status", "years_since_return"):
        got = [None if pd.isna(v) else int(v) for v in out[column]]
        assert got == [None if pd.isna(v) else int(v) for v in rows[column]], column


def test_registered_when_released(abroad):
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    if abroad.status.value == "released":
        assert "work-abroad/1.0.0.yaml" in register

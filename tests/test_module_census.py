"""census-key-questions 1.0.0: release metadata, universes by age, migratory status, routing,
edits and the compilation of every rule, checked on small hand-made respondents.

Respondents and expected results are markdown tables (blank cell = blank answer), parsed by
`table()`. The census country is Kenya (404) with the module's default reference date 2030-01-01,
so the reference year is 2030, "one year ago" is 1 January 2029 and "five years ago" 1 January 2025.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.ast import Bool
from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import prepare
from migmodule.expr.sentence import describe_universe
from migmodule.expr.targets import CSProLogic, XPath
from migmodule.spec.lint import lint_paths
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from tables import raw_frame

SPEC = Path(__file__).resolve().parents[1] / "modules" / "census-key-questions" / "1.0.0.yaml"
KENYA = 404
PARAMS = {"COUNTRY": KENYA}
LANGS = ("en", "fr", "es")
OPENINGS = {"en": "Asked of ", "fr": "Posée ", "es": "Universo: "}


@pytest.fixture(scope="module")
def module():
    return load_module(SPEC)


def table(text: str) -> pd.DataFrame:
    """A markdown table as a frame: numeric cells are numbers, blank cells are missing, and the
    word COUNTRY stands for the census country."""
    out = raw_frame(text)
    for column in out.columns:
        out[column] = out[column].replace("COUNTRY", str(KENYA))
        converted = pd.to_numeric(out[column], errors="coerce")
        if converted.notna().sum() == out[column].notna().sum():
            out[column] = converted
    return out


def all_questions(module, data: pd.DataFrame) -> pd.DataFrame:
    """Add a blank column for every question and derived variable the table does not give."""
    out = data.copy()
    for name in [q.id for q in module.questions]:
        if name not in out.columns:
            out[name] = pd.NA
    return out


def truth(series: pd.Series) -> list:
    return [None if value is pd.NA else bool(value) for value in series]


# --- release metadata and lint ---------------------------------------------------------------


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths([str(SPEC)])
    serious = [str(f) for f in findings if f.severity.value in ("error", "warning")]
    assert serious == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]  # no missing translation


def test_release_metadata(module):
    assert module.id == "census-key-questions"
    assert module.version == "1.0.0"
    assert module.status.value == "released"
    assert module.languages == ["en", "fr", "es"]


def test_every_question_states_status_source_and_teaching_content(module):
    source_ids = {s.id for s in module.sources}
    for q in module.questions:
        assert q.status.value in ("core", "recommended", "additional", "optional"), q.id
        assert q.status_source, q.id
        assert q.sources and all(c.source in source_ids for c in q.sources), q.id
        assert q.definition and q.instructions, q.id
        assert q.common_mistakes, q.id


def test_topic_status_follows_pr_rev3_table_3(module):
    status = {q.id: q.status.value for q in module.questions}
    for core in (
        "country_of_birth",
        "citizenship",
        "year_of_arrival",
        "place_of_birth",
        "duration_of_residence",
        "previous_residence",
        "residence_1y_ago",
        "residence_5y_ago",
    ):
        assert status[core] == "core", core
    assert status["citizenship_acquisition"] == "additional"
    for recommended in (
        "country_of_birth_mother",
        "country_of_birth_father",
        "reason_for_migration",
        "ever_lived_abroad",
        "emigrants_any",
    ):
        assert status[recommended] == "recommended", recommended


def test_inferences_are_marked(module):
    assert any(n.kind == "inference" for n in module.notes)
    # the design choices named [I] in the reference carry an inference note
    for qid in (
        "reason_for_migration",
        "citizenship_acquisition",
        "duration_of_residence",
        "ever_lived_abroad",
        "residence_1y_ago",
    ):
        assert any(n.kind == "inference" for n in module.question_by_id[qid].notes), qid
    assert any(n.kind == "inference" for n in module.derived_by_id["migratory_status"].notes)


def test_country_special_codes_are_outside_m49(module):
    from migmodule.countries import by_m49

    for code_list in module.code_lists:
        if code_list.source == "builtin:countries":
            for code in code_list.codes:
                assert 900 <= code.code <= 999 and code.code not in by_m49(), (
                    code_list.id,
                    code.code,
                )


# --- universes by age ----------------------------------------------------------------------------


AGES = """
| age | residence_1y_ago | residence_5y_ago |
|-----|------------------|------------------|
| 0   | 3                | 3                |
| 1   | 3                | 3                |
| 4   | 3                | 3                |
| 5   | 3                | 3                |
| 999 | 3                | 3                |
"""


@pytest.mark.parametrize(
    "qid, answer",
    [
        ("residence_1y_ago", None),
        ("residence_1y_area", 3),
        ("residence_1y_country", 4),
    ],
)
def test_residence_one_year_ago_is_asked_from_age_1(module, qid, answer):
    data = all_questions(module, table(AGES))
    if answer is not None:
        data["residence_1y_ago"] = answer
    asked = truth(evaluate_frame(module, module.question_by_id[qid].universe, data, PARAMS))
    assert asked == [False, True, True, True, None]  # age 999 (not stated): cannot tell


@pytest.mark.parametrize(
    "qid, answer",
    [
        ("residence_5y_ago", None),
        ("residence_5y_area", 3),
        ("residence_5y_country", 4),
    ],
)
def test_residence_five_years_ago_is_asked_from_age_5(module, qid, answer):
    data = all_questions(module, table(AGES))
    if answer is not None:
        data["residence_5y_ago"] = answer
    asked = truth(evaluate_frame(module, module.question_by_id[qid].universe, data, PARAMS))
    assert asked == [False, False, False, True, None]


def test_minimum_age_is_a_parameter(module):
    data = all_questions(module, table(AGES))
    universe = module.question_by_id["residence_5y_ago"].universe
    asked = truth(evaluate_frame(module, universe, data, {**PARAMS, "MIN_AGE_RESIDENCE_5Y": 15}))
    assert asked == [False, False, False, False, None]


# --- migratory status -------------------------------------------------------------------------

# Every combination of country of birth and citizenship answer. 990 (at sea or in the air) counts
# as foreign-born; 998 and 999 are don't know / not stated; citizenship 8 and 9 likewise.
MIGRATORY_STATUS = """
| country_of_birth | citizenship | nativity | citizenship_status | migratory_status |
|------------------|-------------|----------|--------------------|------------------|
| COUNTRY          | 1           | 1        | 1                  | 1                |
| COUNTRY          | 2           | 1        | 1                  | 1                |
| COUNTRY          | 3           | 1        | 2                  | 2                |
| COUNTRY          | 4           | 1        | 2                  | 2                |
| COUNTRY          | 8           | 1        | 9                  | 9                |
| COUNTRY          | 9           | 1        | 9                  | 9                |
| COUNTRY          |             | 1        | 9                  | 9                |
| 250              | 1           | 2        | 1                  | 3                |
| 250              | 2           | 2        | 1                  | 3                |
| 250              | 3           | 2        | 2                  | 4                |
| 250              | 4           | 2        | 2                  | 4                |
| 250              | 8           | 2        | 9                  | 9                |
| 250              | 9           | 2        | 9                  | 9                |
| 990              | 3           | 2        | 2                  | 4                |
| 998              | 1           | 9        | 1                  | 9                |
| 998              | 2           | 9        | 1                  | 9                |
| 998              | 3           | 9        | 2                  | 9                |
| 998              | 4           | 9        | 2                  | 9                |
| 998              | 8           | 9        | 9                  | 9                |
| 998              | 9           | 9        | 9                  | 9                |
| 999              | 1           | 9        | 1                  | 9                |
| 999              | 2           | 9        | 1                  | 9                |
| 999              | 3           | 9        | 2                  | 9                |
| 999              | 4           | 9        | 2                  | 9                |
| 999              | 8           | 9        | 9                  | 9                |
| 999              | 9           | 9        | 9                  | 9                |
|                  | 3           | 9        | 2                  | 9                |
"""


def test_migratory_status_for_every_birth_and_citizenship_answer(module):
    expected = table(MIGRATORY_STATUS)
    data = all_questions(module, expected[["country_of_birth", "citizenship"]])
    out = derive(module, data, PARAMS)
    for column in ("nativity", "citizenship_status", "migratory_status"):
        assert out[column].tolist() == expected[column].tolist(), column


def test_stateless_persons_are_non_citizens(module):
    data = all_questions(
        module,
        table("""
        | country_of_birth | citizenship |
        |------------------|-------------|
        | 250              | 4           |
    """),
    )
    out = derive(module, data, PARAMS)
    assert out["citizenship_status"].tolist() == [2]
    assert out["migratory_status"].tolist() == [4]


# --- routing ----------------------------------------------------------------------------------


ARRIVAL_ROUTING = """
| who                         | country_of_birth | ever_lived_abroad | asked |
|-----------------------------|------------------|-------------------|-------|
| foreign-born                | 250              |                   | yes   |
| born at sea                 | 990              |                   | yes   |
| native returnee             | COUNTRY          | 1                 | yes   |
| native, never abroad        | COUNTRY          | 2                 | no    |
| native, abroad not stated   | COUNTRY          | 9                 | unknown |
| birth unknown, lived abroad | 998              | 1                 | yes   |
"""


def test_year_of_arrival_is_asked_of_foreign_born_and_returnees_only(module):
    rows = table(ARRIVAL_ROUTING)
    data = all_questions(module, rows.drop(columns=["who", "asked"]))
    expected = [{"yes": True, "no": False, "unknown": None}[a] for a in rows["asked"]]
    for qid in ("year_of_arrival", "reason_for_migration"):
        assert (
            truth(evaluate_frame(module, module.question_by_id[qid].universe, data, PARAMS))
            == expected
        )
    lived_abroad_asked = truth(
        evaluate_frame(module, module.question_by_id["ever_lived_abroad"].universe, data, PARAMS)
    )
    assert lived_abroad_asked == [False, False, True, True, True, True]


# Respondents built to reach every person-level question (answers as the questionnaire routes them).
RESPONDENTS = """
| who                      | current_residence_area | sex | age | country_of_birth | place_of_birth | ever_lived_abroad | year_of_arrival | reason_for_migration | citizenship | citizenship_acquisition | country_of_citizenship | country_of_birth_mother | country_of_birth_father | duration_of_residence | previous_residence | previous_residence_area | previous_residence_country | residence_1y_ago | residence_1y_area | residence_1y_country | residence_5y_ago | residence_5y_area | residence_5y_country |
|--------------------------|---|---|----|---------|---|---|------|---|---|---|-----|---------|---------|----|---|---|-----|---|---|-----|---|---|-----|
| native stayer            | 1 | 1 | 40 | COUNTRY | 1 | 2 |      |   | 1 |   |     | COUNTRY | COUNTRY | 96 |   |   |     | 1 |   |     | 1 |   |     |
| native returnee          | 1 | 2 | 34 | COUNTRY | 1 | 1 | 2029 | 6 | 1 |   |     | COUNTRY | COUNTRY | 0  | 2 |   | 724 | 4 |   | 724 | 4 |   | 724 |
| internal migrant         | 1 | 1 | 25 | COUNTRY | 2 | 2 |      |   | 1 |   |     | COUNTRY | COUNTRY | 3  | 1 | 2 |     | 1 |   |     | 3 | 2 |     |
| foreign-born citizen     | 3 | 2 | 45 | 156     |   |   | 2010 | 2 | 2 | 2 |     | 156     | 156     | 19 | 2 |   | 156 | 1 |   |     | 1 |   |     |
| foreign-born non-citizen | 2 | 1 | 29 | 760     |   |   | 2027 | 4 | 3 |   | 760 | 760     | 760     | 1  | 1 | 1 |     | 3 | 1 |     | 4 |   | 760 |
| stateless person         | 2 | 2 | 31 | 999     |   | 2 |      |   | 4 |   |     | 999     | 999     | 12 | 1 | 3 |     | 1 |   |     | 1 |   |     |
| child under 1            | 3 | 2 | 0  | COUNTRY | 3 | 2 |      |   | 3 |   | 760 | 760     | 760     | 96 |   |   |     |   |   |     |   |   |     |
"""


def test_every_person_question_is_reached_by_some_respondent(module):
    data = table(RESPONDENTS)
    for q in module.questions:
        if q.level != "person":
            continue
        asked = (
            truth(evaluate_frame(module, q.universe, data, PARAMS))
            if q.universe
            else [True] * len(data)
        )
        assert any(a is True for a in asked), f"{q.id} is asked of nobody"


def test_respondents_answer_exactly_what_they_are_asked(module):
    """Each respondent answers the questions of their universe and leaves the others blank."""
    data = table(RESPONDENTS)
    for q in module.questions:
        if q.level != "person" or not q.universe:
            continue
        asked = [
            a is True for a in truth(evaluate_frame(module, q.universe, data, PARAMS))
        ]  # unknown: not asked
        answered = data[q.id].notna().tolist()
        assert asked == answered, (q.id, list(zip(data["who"], asked, answered, strict=True)))


def test_respondents_pass_every_error_edit(module):
    data = table(RESPONDENTS)
    for edit in module.edits:
        if edit.level == "person" and edit.severity == "error":
            failed = failing(module, edit.id, data)
            assert not any(failed), (edit.id, list(zip(data["who"], failed, strict=True)))


HOUSEHOLDS = """
| hh_id | emigrants_any | emigrants_number |
|-------|---------------|------------------|
| 1     | 1             | 2                |
| 2     | 2             |                  |
| 3     | 8             |                  |
"""


def test_household_and_emigrant_questions_are_reached(module):
    households = table(HOUSEHOLDS)
    asked = truth(
        evaluate_frame(
            module, module.question_by_id["emigrants_number"].universe, households, PARAMS
        )
    )
    assert asked == [True, False, None]
    assert module.level_by_id["emigrant"].count == "emigrants_number"
    emigrant_questions = [q for q in module.questions if q.level == "emigrant"]
    assert {q.id for q in emigrant_questions} == {
        "emigrant_sex",
        "emigrant_age_at_departure",
        "emigrant_year_of_departure",
        "emigrant_destination",
        "emigrant_reason",
    }
    assert all(q.universe is None for q in emigrant_questions)  # every listed emigrant is asked


def test_no_universe_folds_to_false(module):
    for params in (PARAMS, {**PARAMS, "ARRIVAL_DEFINITION": "first"}):
        values = resolve_parameters(module, params)
        for q in module.questions:
            if q.universe:
                assert prepare(module, q.universe, values) != Bool(False), q.id


# --- edits --------------------------------------------------------------------------------------


def failing(module, edit_id: str, data: pd.DataFrame, params=PARAMS) -> list[bool]:
    """Rows where the edit fails: `when` is true and `check` is false (unknown is not a failure)."""
    edit = next(e for e in module.edits if e.id == edit_id)
    when = (
        evaluate_frame(module, edit.when, data, params)
        if edit.when
        else pd.Series(True, index=data.index, dtype="boolean")
    )
    check = evaluate_frame(module, edit.check, data, params)
    return (when.fillna(False) & (~check).fillna(False)).astype(bool).tolist()


def test_year_of_arrival_between_birth_and_census(module):
    data = all_questions(
        module,
        table("""
        | age | country_of_birth | year_of_arrival |
        |-----|------------------|-----------------|
        | 10  | 250              | 2018            |
        | 10  | 250              | 2019            |
        | 10  | 250              | 2030            |
        | 10  | 250              | 9998            |
        | 999 | 250              | 1950            |
    """),
    )
    assert failing(module, "C03_arrival_before_birth", data) == [True, False, False, False, False]
    assert failing(module, "C04_arrival_after_census", data) == [False] * 5


def test_native_who_never_lived_abroad_has_no_year_of_arrival(module):
    data = all_questions(
        module,
        table("""
        | country_of_birth | ever_lived_abroad | year_of_arrival |
        |------------------|-------------------|-----------------|
        | COUNTRY          | 2                 | 2010            |
        | COUNTRY          | 2                 | 9999            |
        | COUNTRY          | 2                 |                 |
        | COUNTRY          | 1                 | 2010            |
    """),
    )
    assert failing(module, "C01_native_no_arrival", data) == [True, True, False, False]


def test_abroad_one_year_ago_depends_on_the_arrival_definition(module):
    data = all_questions(
        module,
        table("""
        | age | country_of_birth | ever_lived_abroad | year_of_arrival | residence_1y_ago |
        |-----|------------------|-------------------|-----------------|------------------|
        | 30  | 250              |                   | 2015            | 4                |
        | 30  | 250              |                   | 2029            | 4                |
        | 30  | COUNTRY          | 1                 | 2015            | 4                |
        | 30  | COUNTRY          | 2                 |                 | 4                |
    """),
    )
    recent, first = PARAMS, {**PARAMS, "ARRIVAL_DEFINITION": "first"}
    assert failing(module, "C06_abroad_1y_arrival", data, recent) == [True, False, False, False]
    assert failing(module, "C06_abroad_1y_arrival", data, first) == [False] * 4
    assert failing(module, "C06_abroad_1y_arrival_first", data, first) == [
        True,
        False,
        False,
        False,
    ]
    assert failing(module, "C06_abroad_1y_arrival_first", data, recent) == [False] * 4
    assert failing(module, "C07_abroad_1y_return_year", data) == [False, False, True, False]
    assert failing(module, "C07_abroad_1y_native_returnee", data) == [False, False, False, True]


def test_arrival_definition_edits_are_error_and_warning_pairs(module):
    severity = {e.id: e.severity for e in module.edits}
    for rule in ("C06_abroad_1y_arrival", "C08_abroad_5y_arrival"):
        assert severity[rule] == "error" and severity[rule + "_first"] == "warning"
    for params, off in ((PARAMS, "_first"), ({**PARAMS, "ARRIVAL_DEFINITION": "first"}, "")):
        values = resolve_parameters(module, params)
        for rule in ("C06_abroad_1y_arrival", "C08_abroad_5y_arrival"):
            edit = next(e for e in module.edits if e.id == rule + off)
            assert prepare(module, edit.when, values) == Bool(False), edit.id


def test_abroad_five_years_ago_against_year_of_arrival(module):
    data = all_questions(
        module,
        table("""
        | age | country_of_birth | year_of_arrival | residence_5y_ago |
        |-----|------------------|-----------------|------------------|
        | 30  | 250              | 2020            | 4                |
        | 30  | 250              | 2025            | 4                |
        | 30  | 250              | 2027            | 1                |
        | 30  | 250              | 2024            | 2                |
    """),
    )
    assert failing(module, "C08_abroad_5y_arrival", data) == [True, False, False, False]
    assert failing(module, "C08_here_5y_arrival", data) == [False, False, True, False]


def test_foreign_born_citizen_by_birth_is_a_warning_only(module):
    edit = next(e for e in module.edits if e.id == "C16_foreign_born_citizen_by_birth")
    assert edit.severity == "warning"
    data = all_questions(
        module,
        table("""
        | country_of_birth | citizenship |
        |------------------|-------------|
        | 250              | 1           |
        | 250              | 2           |
        | COUNTRY          | 1           |
    """),
    )
    assert failing(module, edit.id, data) == [True, False, False]


def test_answers_outside_the_age_universe_are_errors(module):
    data = all_questions(
        module,
        table("""
        | age | residence_1y_ago | residence_5y_ago |
        |-----|------------------|------------------|
        | 0   | 1                |                  |
        | 0   |                  |                  |
        | 3   | 1                | 1                |
        | 7   | 1                | 1                |
    """),
    )
    assert failing(module, "C23_residence_1y_not_born", data) == [True, False, False, False]
    assert failing(module, "C23_residence_5y_not_born", data) == [False, False, True, False]


def test_census_country_is_not_a_country_abroad(module):
    data = all_questions(
        module,
        table("""
        | residence_1y_country | country_of_citizenship |
        |----------------------|------------------------|
        | COUNTRY              | COUNTRY                |
        | 724                  | 724                    |
        | 998                  | 996                    |
    """),
    )
    assert failing(module, "C22_residence_1y_country", data) == [True, False, False]
    assert failing(module, "C22_citizenship_country", data) == [True, False, False]


# --- other derived variables ------------------------------------------------------------------


DERIVED = """
| country_of_birth | ever_lived_abroad | year_of_arrival | years_since_arrival | recent_migrant_1y | recent_migrant_5y |
|------------------|-------------------|-----------------|---------------------|-------------------|-------------------|
| 250              |                   | 2029            | 1                   | 1                 | 1                 |
| 250              |                   | 2026            | 4                   | 2                 | 1                 |
| 250              |                   | 2010            | 20                  | 2                 | 2                 |
| 250              |                   | 9998            |                     | 9                 | 9                 |
| COUNTRY          | 1                 | 2030            | 0                   | 1                 | 1                 |
| COUNTRY          | 2                 |                 |                     | 2                 | 2                 |
| COUNTRY          | 8                 |                 |                     | 9                 | 9                 |
"""


def test_years_since_arrival_and_recent_migrants(module):
    expected = table(DERIVED)
    data = all_questions(
        module, expected[["country_of_birth", "ever_lived_abroad", "year_of_arrival"]]
    )
    out = derive(module, data, PARAMS)
    assert [None if pd.isna(v) else int(v) for v in out["years_since_arrival"]] == [
        None if pd.isna(v) else int(v) for v in expected["years_since_arrival"]
    ]
    for column in ("recent_migrant_1y", "recent_migrant_5y"):
        assert out[column].tolist() == expected[column].tolist(), column


GENERATIONS = """
| country_of_birth | country_of_birth_mother | country_of_birth_father | at_least_one_parent | both_parents |
|------------------|-------------------------|-------------------------|---------------------|--------------|
| COUNTRY          | 250                     | 250                     | 1                   | 1            |
| COUNTRY          | 250                     | COUNTRY                 | 1                   | 2            |
| COUNTRY          | COUNTRY                 | COUNTRY                 | 2                   | 2            |
| COUNTRY          | 250                     | 998                     | 1                   | 9            |
| COUNTRY          | COUNTRY                 | 998                     | 9                   | 2            |
| 250              | 250                     | 250                     | 7                   | 7            |
| 999              | 250                     | 250                     | 9                   | 9            |
"""


@pytest.mark.parametrize("rule", ["at_least_one_parent", "both_parents"])
def test_second_generation_follows_the_rule_parameter(module, rule):
    expected = table(GENERATIONS)
    data = all_questions(
        module, expected[["country_of_birth", "country_of_birth_mother", "country_of_birth_father"]]
    )
    out = derive(module, data, {**PARAMS, "SECOND_GENERATION_RULE": rule})
    assert out["second_generation"].tolist() == expected[rule].tolist()


def test_lifetime_internal_migrant(module):
    data = all_questions(
        module,
        table("""
        | current_residence_area | country_of_birth | place_of_birth |
        |------------------------|------------------|----------------|
        | 1                      | COUNTRY          | 2              |
        | 1                      | COUNTRY          | 1              |
        | 1                      | COUNTRY          | 9998           |
        | 1                      | 250              |                |
    """),
    )
    assert derive(module, data, PARAMS)["lifetime_internal_migrant"].tolist() == [1, 2, 9, 7]


# --- every rule compiles to every target and reads in every language ---------------------------


def rules(module):
    """(label, level, expression, is_condition) for every universe, edit and derived rule."""
    for q in module.questions:
        if q.universe:
            yield f"universe of {q.id}", q.level, q.universe, True
    for e in module.edits:
        for key in ("when", "check"):
            if getattr(e, key):
                yield f"edit {e.id} {key}", e.level, getattr(e, key), True
    for d in module.derived:
        for i, case in enumerate(d.cases or []):
            if case.when:
                yield f"derived {d.id} case {i + 1}", d.level, case.when, True
        if d.when:
            yield f"derived {d.id} when", d.level, d.when, True
        if d.expression:
            yield f"derived {d.id} expression", d.level, d.expression, False


@pytest.mark.parametrize(
    "params",
    [
        PARAMS,
        {**PARAMS, "ARRIVAL_DEFINITION": "first", "SECOND_GENERATION_RULE": "both_parents"},
        {},
    ],
)
def test_every_rule_compiles_to_xlsform_and_cspro(module, params):
    values = resolve_parameters(module, params)
    xpath, cspro = XPath(module), CSProLogic(module)
    for label, _, text, is_condition in rules(module):
        tree = prepare(module, text, values)
        if is_condition:
            assert xpath.true_form(tree) and xpath.false_form(tree), label
            assert cspro.true_form(tree) and cspro.false_form(tree), label
        else:
            assert xpath.expression_value(tree), label
            assert cspro.value(tree), label


@pytest.mark.parametrize("lang", LANGS)
def test_every_rule_reads_as_a_sentence(module, lang):
    values = resolve_parameters(module, PARAMS)
    for label, level, text, is_condition in rules(module):
        if not is_condition:
            continue
        sentence = describe_universe(module, text, level, lang, values)
        assert sentence.startswith(OPENINGS[lang]) and sentence.endswith("."), (label, sentence)
        assert "?" not in sentence and "{" not in sentence, (label, sentence)


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Asked of persons born abroad or who have lived abroad."),
        ("fr", "Posée aux personnes nées à l'étranger ou ayant vécu à l'étranger."),
        ("es", "Universo: personas nacidas en el extranjero o que han vivido en el extranjero."),
    ],
)
def test_year_of_arrival_universe_sentence(module, lang, expected):
    values = resolve_parameters(module, PARAMS)
    universe = module.question_by_id["year_of_arrival"].universe
    assert describe_universe(module, universe, "person", lang, values) == expected


# --- training exercises -------------------------------------------------------------------------


def test_exercises_are_consistent_with_universes_and_edits(module):
    for exercise in module.exercises:
        answers = {k: (KENYA if v == "COUNTRY" else v) for k, v in exercise.answers.items()}
        unknown = set(answers) - set(module.question_by_id)
        assert not unknown, (exercise.id, unknown)
        levels = {module.question_by_id[k].level for k in answers}
        data = all_questions(module, pd.DataFrame([answers]))
        for q in module.questions:
            if q.level not in levels or not q.universe:
                continue
            asked = truth(evaluate_frame(module, q.universe, data, PARAMS))[0]
            assert (asked is True) == (q.id in answers), (exercise.id, q.id, asked)
        for edit in module.edits:
            if edit.severity == "error" and edit.level in levels:
                assert failing(module, edit.id, data) == [False], (exercise.id, edit.id)

"""labour-migration 2.0.0 (issue 13): the ICLS-20 groups on every realistic case, on the shared
person-core and work-abroad questions, and the language fixes of the review.

Tables are markdown, as a user would write them; COUNTRY stands for the survey country (Kenya, 404).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.spec.diff import diff_modules, required_bump
from migmodule.spec.lint import lint_paths
from migmodule.spec.registry import load_module
from test_module_census import PARAMS, all_questions, failing, table, truth
from test_module_census2 import questions_read

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "labour-migration" / "2.0.0.yaml"
BIRTH = {**PARAMS, "MIGRANT_BASIS": "birth"}
UNION = {**PARAMS, "MIGRANT_BASIS": "citizenship_or_birth"}
RECENT = {**PARAMS, "RETURN_PERIOD_YEARS": 5}
RUNS = {"citizenship": PARAMS, "birth": BIRTH, "union": UNION, "recent": RECENT}


@pytest.fixture(scope="module")
def labour2():
    return load_module(SPEC)


def md(text: str) -> pd.DataFrame:
    """A markdown table without its separator row (added here), numbers as numbers."""
    lines = text.strip().splitlines()
    rule = "|" + "|".join("---" for _ in lines[0].strip().strip("|").split("|")) + "|"
    return table("\n".join([lines[0], rule, *lines[1:]]))


# --- release, lint, shared questions -------------------------------------------------------------


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths(
        [
            str(SPEC),
            str(MODULES / "person-core" / "1.0.0.yaml"),
            str(MODULES / "work-abroad" / "1.0.0.yaml"),
        ]
    )
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]


def test_uses_the_shared_person_and_work_abroad_questions(labour2):
    assert [u.module for u in labour2.uses] == ["person-core@1.0.0", "work-abroad@1.0.0"]
    origin = {q.id: q.shared_from for q in labour2.questions}
    for qid in ("sex", "age", "country_of_birth", "citizenship", "year_of_arrival"):
        assert origin[qid] == "person-core@1.0.0"
    for qid in ("worked_abroad", "country_of_work_abroad", "works_abroad_now", "year_of_return"):
        assert origin[qid] == "work-abroad@1.0.0"
    # 1.0.0's own copies are gone: one "worked abroad" filter, the shared one
    assert "ever_worked_abroad" not in origin and "country_of_return" not in origin
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    assert "labour-migration/1.0.0.yaml" in register  # 1.0.0 stays, unchanged
    if labour2.status.value == "released":
        assert "labour-migration/2.0.0.yaml" in register


def test_diff_from_1_0_0_is_major_and_names_the_changes(labour2):
    old = load_module(MODULES / "labour-migration" / "1.0.0.yaml")
    changes = diff_modules(old, labour2)
    assert required_bump(changes) == "major"
    items = {c.item for c in changes}
    for item in (
        "ever_worked_abroad",
        "resident_working_abroad",
        "MIGRANT_BASIS",
        "status_in_employment",
        "for_work_international_migrant",
    ):
        assert item in items, item


def test_context_items_are_the_icls_tabulation_variables(labour2):
    context = {q.id for q in labour2.questions if q.section == "context" and not q.shared_from}
    assert context == {
        "labour_force_status",
        "status_in_employment",
        "occupation",
        "industry",
        "education_level",
        "hours_usually_worked",
        "monthly_earnings",
    }
    for qid in context:
        q = labour2.question_by_id[qid]
        assert q.instructions["en"].startswith("Not asked in this module"), qid
    assert [c.code for c in labour2.code_list_by_id["icse18"].codes if not c.special] == [
        11, 12, 21, 22, 30, 41, 42, 43, 44, 51,
    ]  # fmt: skip
    assert [c.code for c in labour2.code_list_by_id["isced2011"].codes if not c.special] == list(
        range(9)
    )


def test_migrant_basis_is_a_national_choice_with_citizenship_as_default(labour2):
    basis = next(p for p in labour2.parameters if p.id == "MIGRANT_BASIS")
    assert basis.choices == ["citizenship", "birth", "citizenship_or_birth"]
    assert basis.default == "citizenship"
    assert basis.required_in_profile
    assert "non-standard" in basis.description["en"]


def test_no_question_is_routed_on_an_answer_not_yet_given(labour2):
    order = {q.id: i for i, q in enumerate(labour2.questions)}
    for q in labour2.questions:
        if q.universe:
            later = [n for n in questions_read(labour2, q.universe) if order[n] > order[q.id]]
            assert later == [], (q.id, later)


# --- realistic respondents, and the three cases of the issue ----------------------------------------

# REF_DATE 2030-01-01. Uganda 800, Qatar 634, India 356, France 250, South Africa 710.
RESPONDENTS = """
| who                        | age | country_of_birth | citizenship | country_of_citizenship | ever_lived_abroad | year_of_arrival | reason_for_migration | country_previous_residence | worked_abroad | country_of_work_abroad | year_left_for_work_abroad | works_abroad_now | year_of_return | type_of_work_abroad | occupation_abroad | labour_force_status |
| frontier worker now        | 35  | COUNTRY          | 1           |                        | 2                 |                 |                      |                            | 1             | 800                    | 2020                      | 1                |                | 1                   | 7115              | 1                   |
| native back for a job      | 40  | COUNTRY          | 1           |                        | 1                 | 2029            | 1                    | 634                        | 1             | 634                    | 2020                      | 2                | 2029           | 5                   | 9313              | 1                   |
| native-born foreigner      | 30  | COUNTRY          | 3           | 800                    | 2                 |                 |                      |                            | 2             |                        |                           |                  |                |                     |                   | 1                   |
| new foreign worker         | 28  | 356              | 3           | 356                    |                   | 2029            | 1                    | 356                        | 2             |                        |                           |                  |                |                     |                   | 1                   |
| naturalised, came for family | 50 | 250             | 2           |                        | 1                 | 2000            | 2                    | 250                        | 2             |                        |                           |                  |                |                     |                   | 2                   |
| seasonal returnee long ago | 45  | COUNTRY          | 1           |                        | 2                 |                 |                      |                            | 1             | 710                    | 2010                      | 2                | 2011           | 2                   | 9211              | 3                   |
| stateless, never moved     | 33  | COUNTRY          | 4           |                        | 2                 |                 |                      |                            | 2             |                        |                           |                  |                |                     |                   | 1                   |
| child                      | 8   | COUNTRY          | 1           |                        | 2                 |                 |                      |                            | 2             |                        |                           |                  |                |                     |                   |                     |
| job seeker who came back   | 24  | COUNTRY          | 1           |                        | 1                 | 2029            | 1                    | 634                        | 1             | 634                    | 2028                      | 2                | 2029           | 6                   |                   | 2                   |
"""


@pytest.fixture(scope="module")
def respondents():
    data = md(RESPONDENTS)
    return data


def derived_for(module, data: pd.DataFrame, params) -> pd.DataFrame:
    return derive(module, all_questions(module, data), params).set_index(data["who"])


def test_a_frontier_worker_now_is_a_resident_working_abroad_not_a_return_migrant_worker(
    labour2, respondents
):
    out = derived_for(labour2, respondents, PARAMS)
    assert out.loc["frontier worker now", "resident_working_abroad"] == 1
    assert out.loc["frontier worker now", "return_international_migrant_worker"] == 2
    assert out.loc["frontier worker now", "work_abroad_status"] == 1
    # no year of return is recorded for a person still working abroad (the 1.0.0 rule is gone)
    asked = evaluate_frame(
        labour2, labour2.question_by_id["year_of_return"].universe, respondents, PARAMS
    )
    assert truth(asked)[0] is False


def test_a_native_citizen_who_came_back_for_a_job_is_a_for_work_migrant(labour2, respondents):
    for params in (PARAMS, BIRTH, UNION):
        out = derived_for(labour2, respondents, params)
        assert out.loc["native back for a job", "for_work_international_migrant"] == 1
        assert out.loc["native back for a job", "for_work_migrant_group"] == 1  # national
        assert out.loc["native back for a job", "return_international_migrant_worker"] == 1
        assert out.loc["native back for a job", "international_migrant"] == 2
        assert out.loc["new foreign worker", "for_work_migrant_group"] == 2  # non-national


def test_a_native_born_foreign_citizen_who_never_moved_is_not_a_migrant_by_birth(
    labour2, respondents
):
    by_birth = derived_for(labour2, respondents, BIRTH)
    assert by_birth.loc["native-born foreigner", "international_migrant"] == 2
    assert by_birth.loc["native-born foreigner", "international_migrant_worker"] == 2
    assert by_birth.loc["native-born foreigner", "migrant_basis"] == 2
    # ILOSTAT's citizenship series counts the person, and says so
    by_citizenship = derived_for(labour2, respondents, PARAMS)
    assert by_citizenship.loc["native-born foreigner", "international_migrant_worker"] == 1
    assert by_citizenship.loc["native-born foreigner", "migrant_basis"] == 1
    assert by_birth.loc["native-born foreigner", "imw_by_citizenship"] == 1
    assert by_birth.loc["native-born foreigner", "imw_by_birth"] == 2
    assert by_birth.loc["native-born foreigner", "for_work_international_migrant"] == 2


def test_respondents_answer_exactly_what_they_are_asked(labour2, respondents):
    data = all_questions(labour2, respondents)
    for q in labour2.questions:
        if q.section == "context" or not q.universe or q.id not in respondents.columns:
            continue
        asked = [a is True for a in truth(evaluate_frame(labour2, q.universe, data, PARAMS))]
        answered = respondents[q.id].notna().tolist()
        assert asked == answered, (
            q.id,
            list(zip(respondents["who"], asked, answered, strict=True)),
        )


def test_respondents_pass_every_error_edit(labour2, respondents):
    data = all_questions(labour2, respondents)
    for edit in labour2.edits:
        if edit.severity == "error":
            failed = failing(labour2, edit.id, data, PARAMS)
            assert not any(failed), (edit.id, list(zip(respondents["who"], failed, strict=True)))


# Every derived classification on every respondent, under each basis. Columns: the derived
# variable, then one column per run (citizenship = default profile).
EXPECTED = """
| who                          | variable                            | citizenship | birth | union | recent |
| frontier worker now          | international_migrant_worker        | 2           | 2     | 2     | 2      |
| frontier worker now          | resident_working_abroad             | 1           | 1     | 1     | 1      |
| frontier worker now          | return_international_migrant_worker | 2           | 2     | 2     | 2      |
| frontier worker now          | for_work_international_migrant      | 2           | 2     | 2     | 2      |
| frontier worker now          | for_work_migrant_group              | 7           | 7     | 7     | 7      |
| native back for a job        | international_migrant_worker        | 2           | 2     | 2     | 2      |
| native back for a job        | resident_working_abroad             | 2           | 2     | 2     | 2      |
| native back for a job        | return_international_migrant_worker | 1           | 1     | 1     | 1      |
| native back for a job        | years_worked_abroad                 | 9           | 9     | 9     | 9      |
| native-born foreigner        | international_migrant               | 1           | 2     | 1     | 1      |
| native-born foreigner        | international_migrant_worker        | 1           | 2     | 1     | 1      |
| native-born foreigner        | return_international_migrant_worker | 2           | 2     | 2     | 2      |
| new foreign worker           | international_migrant_worker        | 1           | 1     | 1     | 1      |
| new foreign worker           | for_work_international_migrant      | 1           | 1     | 1     | 1      |
| new foreign worker           | imw_by_citizenship                  | 1           | 1     | 1     | 1      |
| new foreign worker           | imw_by_birth                        | 1           | 1     | 1     | 1      |
| naturalised, came for family | international_migrant_worker        | 2           | 1     | 1     | 2      |
| naturalised, came for family | for_work_international_migrant      | 2           | 2     | 2     | 2      |
| naturalised, came for family | for_work_migrant_group              | 7           | 7     | 7     | 7      |
| naturalised, came for family | years_since_arrival                 | 30          | 30    | 30    | 30     |
| seasonal returnee long ago   | return_international_migrant_worker | 1           | 1     | 1     | 2      |
| seasonal returnee long ago   | resident_working_abroad             | 2           | 2     | 2     | 2      |
| seasonal returnee long ago   | years_worked_abroad                 | 1           | 1     | 1     | 1      |
| seasonal returnee long ago   | international_migrant_worker        | 2           | 2     | 2     | 2      |
| stateless, never moved       | international_migrant_worker        | 1           | 2     | 1     | 1      |
| stateless, never moved       | imw_by_citizenship                  | 1           | 1     | 1     | 1      |
| stateless, never moved       | imw_by_birth                        | 2           | 2     | 2     | 2      |
| child                        | age_group                           | 7           | 7     | 7     | 7      |
| child                        | international_migrant_worker        | 2           | 2     | 2     | 2      |
| child                        | return_international_migrant_worker | 2           | 2     | 2     | 2      |
| child                        | resident_working_abroad             | 2           | 2     | 2     | 2      |
| child                        | for_work_international_migrant      | 2           | 2     | 2     | 2      |
| job seeker who came back     | for_work_international_migrant      | 1           | 1     | 1     | 1      |
| job seeker who came back     | return_international_migrant_worker | 1           | 1     | 1     | 1      |
| job seeker who came back     | age_group                           | 1           | 1     | 1     | 1      |
| job seeker who came back     | years_worked_abroad                 | 1           | 1     | 1     | 1      |
"""


@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_group_on_every_respondent(labour2, respondents, run):
    out = derived_for(labour2, respondents, RUNS[run])
    for row in md(EXPECTED).itertuples():
        value = out.loc[row.who, row.variable]
        got = 9 if pd.isna(value) else int(value)
        assert got == getattr(row, run), (row.who, row.variable, run)


def test_migrant_basis_is_recorded_on_every_row(labour2, respondents):
    for run, code in (("citizenship", 1), ("birth", 2), ("union", 3)):
        out = derived_for(labour2, respondents, RUNS[run])
        assert set(out["migrant_basis"]) == {code}


# --- each derived classification on all combinations of its inputs ------------------------------

DERIVED = {
    "resident_working_abroad": (
        PARAMS,
        """
        | age | worked_abroad | works_abroad_now | resident_working_abroad |
        | 30  | 1             | 1                | 1                       |
        | 30  | 1             | 2                | 2                       |
        | 30  | 2             |                  | 2                       |
        | 12  | 1             | 1                | 2                       |
        | 30  | 1             | 8                | 9                       |
        | 30  | 8             |                  | 9                       |
        | 999 | 1             | 1                | 9                       |
        """,
    ),
    "return_international_migrant_worker": (
        RECENT,
        """
        | age | worked_abroad | works_abroad_now | year_of_return | return_international_migrant_worker |
        | 30  | 1             | 2                | 2027           | 1                                   |
        | 30  | 1             | 2                | 2025           | 1                                   |
        | 30  | 1             | 2                | 2024           | 2                                   |
        | 30  | 1             | 2                | 9998           | 9                                   |
        | 30  | 1             | 1                |                | 2                                   |
        | 30  | 2             |                  |                | 2                                   |
        | 12  | 1             | 2                | 2029           | 2                                   |
        | 30  | 1             | 8                |                | 9                                   |
        """,
    ),
    "for_work_international_migrant": (
        PARAMS,
        """
        | age | country_of_birth | citizenship | ever_lived_abroad | year_of_arrival | reason_for_migration | for_work_international_migrant |
        | 30  | COUNTRY          | 1           | 1                 | 2029            | 1                    | 1                              |
        | 30  | COUNTRY          | 1           | 1                 | 2029            | 6                    | 2                              |
        | 30  | COUNTRY          | 1           | 1                 | 2027            | 1                    | 2                              |
        | 30  | COUNTRY          | 1           | 2                 |                 |                      | 2                              |
        | 30  | 356              | 3           |                   | 2030            | 1                    | 1                              |
        | 30  | 356              | 2           | 1                 | 2029            | 1                    | 1                              |
        | 30  | 356              | 3           |                   | 9998            | 1                    | 9                              |
        | 30  | 356              | 3           |                   | 2029            | 98                   | 9                              |
        | 12  | 356              | 3           |                   | 2029            | 1                    | 2                              |
        """,
    ),
    "for_work_migrant_group": (
        PARAMS,
        """
        | age | country_of_birth | citizenship | ever_lived_abroad | year_of_arrival | reason_for_migration | for_work_migrant_group |
        | 30  | COUNTRY          | 1           | 1                 | 2029            | 1                    | 1                      |
        | 30  | 356              | 2           | 1                 | 2029            | 1                    | 1                      |
        | 30  | 356              | 3           |                   | 2029            | 1                    | 2                      |
        | 30  | 356              | 4           |                   | 2029            | 1                    | 2                      |
        | 30  | 356              | 5           |                   | 2029            | 1                    | 2                      |
        | 30  | 356              | 9           |                   | 2029            | 1                    | 9                      |
        | 30  | 356              | 3           |                   | 2029            | 2                    | 7                      |
        """,
    ),
    "international_migrant": (
        BIRTH,
        """
        | country_of_birth | citizenship | international_migrant |
        | COUNTRY          | 3           | 2                     |
        | 356              | 1           | 1                     |
        | 990              | 2           | 1                     |
        | 998              | 3           | 9                     |
        """,
    ),
    "international_migrant_worker": (
        UNION,
        """
        | age | country_of_birth | citizenship | labour_force_status | international_migrant_worker |
        | 30  | COUNTRY          | 1           | 1                   | 2                            |
        | 30  | COUNTRY          | 3           | 1                   | 1                            |
        | 30  | 356              | 1           | 2                   | 1                            |
        | 30  | 356              | 3           | 3                   | 2                            |
        | 30  | COUNTRY          | 9           | 1                   | 9                            |
        | 30  | 998              | 1           | 1                   | 9                            |
        | 30  | 998              | 3           | 1                   | 1                            |
        | 12  | 356              | 3           |                     | 2                            |
        """,
    ),
    "imw_by_citizenship": (
        BIRTH,
        """
        | age | country_of_birth | citizenship | labour_force_status | imw_by_citizenship |
        | 30  | COUNTRY          | 3           | 1                   | 1                  |
        | 30  | 356              | 2           | 1                   | 2                  |
        | 30  | 356              | 5           | 2                   | 1                  |
        | 30  | 356              | 3           | 3                   | 2                  |
        | 30  | 356              | 9           | 1                   | 9                  |
        """,
    ),
    "imw_by_birth": (
        PARAMS,
        """
        | age | country_of_birth | citizenship | labour_force_status | imw_by_birth |
        | 30  | COUNTRY          | 3           | 1                   | 2            |
        | 30  | 356              | 1           | 1                   | 1            |
        | 30  | 996              | 1           | 2                   | 1            |
        | 30  | 998              | 1           | 1                   | 9            |
        | 30  | 356              | 1           | 9                   | 9            |
        """,
    ),
    "age_group": (
        PARAMS,
        """
        | age | age_group |
        | 14  | 7         |
        | 15  | 1         |
        | 24  | 1         |
        | 25  | 2         |
        | 55  | 3         |
        | 65  | 4         |
        | 999 | 9         |
        """,
    ),
    "years_worked_abroad": (
        PARAMS,
        """
        | worked_abroad | works_abroad_now | year_left_for_work_abroad | year_of_return | years_worked_abroad |
        | 1             | 2                | 2015                      | 2020           | 5                   |
        | 1             | 2                | 9998                      | 2020           |                     |
        | 1             | 1                | 2015                      |                |                     |
        """,
    ),
}


def test_every_own_derived_variable_has_a_table(labour2):
    own = {d.id for d in labour2.derived if not d.shared_from}
    assert set(DERIVED) | {"migrant_basis", "years_since_arrival"} == own


@pytest.mark.parametrize("derived_id", sorted(DERIVED))
def test_derived(labour2, derived_id):
    params, text = DERIVED[derived_id]
    rows = md(text)
    data = all_questions(labour2, rows.drop(columns=[derived_id]))
    out = derive(labour2, data, params)[derived_id]
    got = [None if pd.isna(v) else int(v) for v in out]
    assert got == [None if pd.isna(v) else int(v) for v in rows[derived_id]]


# --- universes of the module's own questions ------------------------------------------------------

UNIVERSES = {
    "labour_force_status": """
        | age | asked   |
        | 15  | yes     |
        | 14  | no      |
        | 999 | unknown |
    """,
    "status_in_employment": """
        | age | labour_force_status | asked |
        | 30  | 1                   | yes   |
        | 30  | 2                   | no    |
        | 14  |                     | no    |
    """,
    "occupation": """
        | age | labour_force_status | asked |
        | 30  | 1                   | yes   |
        | 30  | 3                   | no    |
    """,
    "industry": """
        | age | labour_force_status | asked |
        | 30  | 1                   | yes   |
        | 30  | 2                   | no    |
    """,
    "education_level": """
        | age | asked |
        | 30  | yes   |
        | 10  | no    |
    """,
    "hours_usually_worked": """
        | age | labour_force_status | asked |
        | 30  | 1                   | yes   |
        | 30  | 3                   | no    |
    """,
    "monthly_earnings": """
        | age | labour_force_status | asked |
        | 30  | 1                   | yes   |
        | 30  | 2                   | no    |
    """,
    "country_previous_residence": """
        | country_of_birth | citizenship | ever_lived_abroad | asked |
        | 356              | 3           |                   | yes   |
        | COUNTRY          | 1           | 1                 | yes   |
        | COUNTRY          | 1           | 2                 | no    |
    """,
    "type_of_work_abroad": """
        | age | worked_abroad | asked |
        | 30  | 1             | yes   |
        | 30  | 2             | no    |
        | 12  | 1             | no    |
    """,
    "occupation_abroad": """
        | age | worked_abroad | type_of_work_abroad | asked |
        | 30  | 1             | 1                   | yes   |
        | 30  | 1             | 5                   | yes   |
        | 30  | 1             | 6                   | no    |
        | 30  | 2             |                     | no    |
    """,
}


def test_every_own_universe_has_a_table(labour2):
    own = {q.id for q in labour2.questions if q.universe and not q.shared_from}
    assert set(UNIVERSES) == own


@pytest.mark.parametrize("qid", sorted(UNIVERSES))
def test_universe(labour2, qid):
    rows = md(UNIVERSES[qid])
    data = all_questions(labour2, rows.drop(columns=["asked"]))
    expected = [{"yes": True, "no": False, "unknown": None}[a] for a in rows["asked"]]
    got = truth(evaluate_frame(labour2, labour2.question_by_id[qid].universe, data, PARAMS))
    assert got == expected


# --- edits, on rows that should and should not trigger them -------------------------------------

EDITS = {
    "LM01_worked_abroad_below_working_age": """
        | age | worked_abroad | fails |
        | 12  | 1             | yes   |
        | 15  | 1             | no    |
        | 12  | 2             | no    |
    """,
    "LM02_left_for_work_before_birth": """
        | age | worked_abroad | year_left_for_work_abroad | fails |
        | 20  | 1             | 2005                      | yes   |
        | 20  | 1             | 2009                      | no    |
        | 20  | 2             | 2005                      | no    |
        | 20  | 1             | 9998                      | no    |
    """,
    "LM03_work_abroad_in_survey_country": """
        | worked_abroad | country_of_work_abroad | fails |
        | 1             | COUNTRY                | yes   |
        | 1             | 800                    | no    |
        | 2             | COUNTRY                | no    |
    """,
    "LM04_previous_residence_in_survey_country": """
        | country_of_birth | citizenship | ever_lived_abroad | country_previous_residence | fails |
        | 356              | 3           |                   | COUNTRY                    | yes   |
        | COUNTRY          | 1           | 1                 | 634                        | no    |
        | COUNTRY          | 1           | 2                 | COUNTRY                    | no    |
    """,
    "LM05_working_abroad_outside_labour_force": """
        | age | worked_abroad | works_abroad_now | labour_force_status | fails |
        | 30  | 1             | 1                | 3                   | yes   |
        | 30  | 1             | 1                | 1                   | no    |
        | 30  | 1             | 2                | 3                   | no    |
    """,
}


def test_every_own_edit_has_a_table(labour2):
    assert set(EDITS) == {e.id for e in labour2.edits if not e.shared_from}


@pytest.mark.parametrize("edit_id", sorted(EDITS))
def test_edit(labour2, edit_id):
    rows = md(EDITS[edit_id])
    data = all_questions(labour2, rows.drop(columns=["fails"]))
    assert failing(labour2, edit_id, data, PARAMS) == [f == "yes" for f in rows["fails"]]


def test_a_file_with_the_survey_country_for_non_movers_raises_no_edit_error(labour2):
    """The 1.0.0 edits fired on every row that carried the survey country (review P1-3)."""
    rows = md("""
        | country_of_birth | citizenship | ever_lived_abroad | country_previous_residence | worked_abroad | country_of_work_abroad |
        | COUNTRY          | 1           | 2                 | COUNTRY                    | 2             | COUNTRY                |
    """)
    data = all_questions(labour2, rows)
    for edit_id in (
        "LM03_work_abroad_in_survey_country",
        "LM04_previous_residence_in_survey_country",
    ):
        assert failing(labour2, edit_id, data, PARAMS) == [False], edit_id


# --- the words --------------------------------------------------------------------------------------

NAME_FILL = {"en": "[NAME]", "fr": "[NOM]", "es": "[NOMBRE]"}


def texts(module, lang: str):
    """Every text of the released module a person reads, with where it is."""
    for q in module.questions:
        for field in ("label", "instructions", "hint", "definition"):
            value = getattr(q, field, None)
            if value and value.get(lang):
                yield f"{q.id}.{field}", value[lang]
    for code_list in module.code_lists:
        for code in code_list.codes:
            yield f"{code_list.id}.{code.code}", code.label[lang]
    for d in module.derived:
        for field in ("label", "variable_label", "description"):
            value = getattr(d, field, None)
            if value and value.get(lang):
                yield f"{d.id}.{field}", value[lang]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_no_text_that_cannot_be_read_aloud(labour2, lang):
    """1.0.0 asked '(re)gresó', '(re)venue', 'come (back)'."""
    for where, text in texts(labour2, lang):
        assert not re.search(r"\(re\)|come \(back\)", text), where


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_own_questions_name_the_person_and_read_no_instruction(labour2, lang):
    for q in labour2.questions:
        if q.shared_from:
            continue
        assert NAME_FILL[lang] in q.label[lang], q.id
        assert not re.search(r"Cocher|Marque|Lire les|Lea las|Read the|Record", q.label[lang]), q.id


def test_french_month_and_country_phrases(labour2):
    for where, text in texts(labour2, "fr"):
        assert not text.startswith("Quel mois"), where
        if where.endswith(".label") and where.split(".")[0] in labour2.question_by_id:
            assert "dans le pays" not in text, where


def test_one_spanish_register_usted(labour2):
    """Instructions to the interviewer and words to the respondent use usted, never tú."""
    tu = re.compile(r"\b(Anota|Registra|Marca|Copia|Pregúntale|tienes|eres|has trabajado|tu)\b")
    for where, text in texts(labour2, "es"):
        assert not tu.search(text), (where, text)
    usted = [t for w, t in texts(labour2, "es") if w.endswith(".instructions")]
    assert any(re.search(r"\b(Copie|Anote|Lea)\b", t) for t in usted)


# --- exported with recruitment-costs 2.0.0: the LFS plus SDG 10.7.1 pairing -----------------------

RECRUITMENT2 = MODULES / "recruitment-costs" / "2.0.0.yaml"


@pytest.fixture(scope="module")
def pairing():
    if not RECRUITMENT2.exists():
        pytest.skip("recruitment-costs 2.0.0 is not written yet (helper N2)")
    from migmodule.profile import adapt

    refs = [str(SPEC), str(RECRUITMENT2)]
    adapted = [a for ref in refs for a in adapt(None, ref, country="KEN", languages=["en"])]
    shared = set()
    for ref in refs:
        shared |= {q.id for q in load_module(ref).questions if q.shared_from}
    return adapted, shared


def test_xlsform_of_the_pairing_asks_each_shared_question_once_and_one_worked_abroad_filter(
    pairing,
):
    from migmodule.export.xlsform import build_xlsform, convert_sheets

    adapted, shared = pairing
    sheets, _ = build_xlsform(adapted, ["en"])
    names = [row["name"] for row in sheets["survey"] if row["type"] != "end_repeat"]
    assert {"worked_abroad", "sex", "age"} <= shared
    for name in sorted(shared):
        assert names.count(name) == 1, name
        assert not [
            n
            for n in names
            if n.startswith(name + "_") and n[len(name) + 1 :] in ("lm", "rc", "a", "b")
        ], name
    # one filter: the shared one; neither 1.0.0 filter survives under any name
    assert not [n for n in names if n in ("ever_worked_abroad", "worked_abroad_period")]
    assert [row["type"] for row in sheets["survey"]].count("begin_repeat") == 1
    assert convert_sheets(sheets) == []


def test_cspro_dictionary_of_the_pairing_has_one_item_per_shared_question(pairing, tmp_path):
    from pycspro import DictionaryParser

    from migmodule.export.cspro import export_cspro

    adapted, shared = pairing
    result = export_cspro(adapted, tmp_path / "lfs.dcf")
    parser = DictionaryParser(result.paths[0].read_text(encoding="utf-8"))
    parser.parse()
    records = parser.parsed_dictionary["Dictionary"]["Level"]["Records"]
    items = [i["Name"] for r in records for i in r["Items"]]
    for name in sorted(shared):
        assert items.count(name.upper()) == 1, name
    assert "EVER_WORKED_ABROAD" not in items and "WORKED_ABROAD_PERIOD" not in items
    assert [r["Name"] for r in records].count("PERSON_REC") == 1


# --- validating a data file ---------------------------------------------------------------------


def validation_findings(report, code: str) -> dict[str, list[int]]:
    return {
        (r.question or r.edit): [e["row"] for e in r.examples]
        for r in report.results
        if r.finding is not None and r.code == code
    }


def test_validating_the_respondents_file_finds_no_edit_or_universe_error(respondents, tmp_path):
    from migmodule.validate.engine import validate_data

    data = respondents.drop(columns=["who"])
    data.insert(0, "person_no", range(1, len(data) + 1))
    data.insert(0, "hh_id", 1)
    data.insert(2, "sex", 1)
    path = tmp_path / "persons.csv"
    data.to_csv(path, index=False)
    report = validate_data({"person": path}, SPEC, country="404")
    assert validation_findings(report, "DATA-EDIT-001") == {}
    assert validation_findings(report, "DATA-UNIV-001") == {}


def test_a_file_filling_the_survey_country_for_everyone_is_reported_once(tmp_path):
    """1.0.0 raised an edit error on top of the universe finding for such rows (review P1-3)."""
    from migmodule.validate.engine import validate_data

    rows = md("""
        | hh_id | person_no | sex | age | country_of_birth | citizenship | ever_lived_abroad | worked_abroad | country_previous_residence | country_of_work_abroad |
        | 1     | 1         | 1   | 30  | COUNTRY          | 1           | 2                 | 2             | COUNTRY                    | COUNTRY                |
        | 1     | 2         | 2   | 28  | COUNTRY          | 1           | 2                 | 2             | COUNTRY                    | COUNTRY                |
    """)
    path = tmp_path / "persons.csv"
    rows.to_csv(path, index=False)
    report = validate_data({"person": path}, SPEC, country="404")
    assert validation_findings(report, "DATA-EDIT-001") == {}
    outside = validation_findings(report, "DATA-UNIV-001")
    assert outside["country_previous_residence"] == [1, 2]
    assert outside["country_of_work_abroad"] == [1, 2]


def test_validation_reports_a_country_of_work_abroad_that_is_the_survey_country(tmp_path):
    from migmodule.validate.engine import validate_data

    rows = md("""
        | hh_id | person_no | sex | age | country_of_birth | citizenship | ever_lived_abroad | worked_abroad | country_of_work_abroad | year_left_for_work_abroad | works_abroad_now |
        | 1     | 1         | 1   | 30  | COUNTRY          | 1           | 2                 | 1             | COUNTRY                | 2020                      | 1                |
        | 1     | 2         | 2   | 28  | COUNTRY          | 1           | 2                 | 1             | 800                    | 2020                      | 1                |
    """)
    path = tmp_path / "persons.csv"
    rows.to_csv(path, index=False)
    report = validate_data({"person": path}, SPEC, country="404")
    assert validation_findings(report, "DATA-EDIT-001") == {
        "LM03_work_abroad_in_survey_country": [1]
    }

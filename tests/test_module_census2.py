"""census-key-questions 2.0.0: the 1.0.0 combination tests where the concept did not change, run on
both versions, and every universe, edit and derived variable of 2.0.0 on rows that should and
should not trigger it. The released text is read for the wording fixes of issue 12.

Tables as in test_module_census.py: the census country is Kenya (404), the reference date the
module default 2030-01-01 unless a case says otherwise; a blank cell is a blank answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import test_module_census as v1
from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import prepare
from migmodule.expr.targets import CSProLogic, XPath
from migmodule.spec.diff import diff_modules, required_bump
from migmodule.spec.lint import lint_paths
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from migmodule.spec.text import fill
from migmodule.validate.engine import validate_data
from test_module_census import KENYA, PARAMS, all_questions, failing, table, truth

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "census-key-questions" / "2.0.0.yaml"
FIRST = {**PARAMS, "ARRIVAL_DEFINITION": "first"}
JULY = {**PARAMS, "REF_DATE": "2030-07-15"}


@pytest.fixture(scope="module", params=["1.0.0", "2.0.0"])
def module(request):
    """Both versions: the 1.0.0 tests below hold for 2.0.0 wherever the concept did not change."""
    return load_module(MODULES / "census-key-questions" / f"{request.param}.yaml")


@pytest.fixture(scope="module")
def census2():
    return load_module(SPEC)


# --- 1.0.0 combination tests, reused on both versions (concept unchanged) ------------------------

test_every_question_states_status_source_and_teaching_content = (
    v1.test_every_question_states_status_source_and_teaching_content
)
test_inferences_are_marked = v1.test_inferences_are_marked
test_country_special_codes_are_outside_m49 = v1.test_country_special_codes_are_outside_m49
test_residence_one_year_ago_is_asked_from_age_1 = v1.test_residence_one_year_ago_is_asked_from_age_1
test_residence_five_years_ago_is_asked_from_age_5 = (
    v1.test_residence_five_years_ago_is_asked_from_age_5
)
test_minimum_age_is_a_parameter = v1.test_minimum_age_is_a_parameter
test_migratory_status_for_every_birth_and_citizenship_answer = (
    v1.test_migratory_status_for_every_birth_and_citizenship_answer
)
test_stateless_persons_are_non_citizens = v1.test_stateless_persons_are_non_citizens
test_household_and_emigrant_questions_are_reached = (
    v1.test_household_and_emigrant_questions_are_reached
)
test_no_universe_folds_to_false = v1.test_no_universe_folds_to_false
test_year_of_arrival_between_birth_and_census = v1.test_year_of_arrival_between_birth_and_census
test_abroad_one_year_ago_depends_on_the_arrival_definition = (
    v1.test_abroad_one_year_ago_depends_on_the_arrival_definition
)
test_arrival_definition_edits_are_error_and_warning_pairs = (
    v1.test_arrival_definition_edits_are_error_and_warning_pairs
)
test_abroad_five_years_ago_against_year_of_arrival = (
    v1.test_abroad_five_years_ago_against_year_of_arrival
)
test_years_since_arrival_and_recent_migrants = v1.test_years_since_arrival_and_recent_migrants
test_second_generation_follows_the_rule_parameter = (
    v1.test_second_generation_follows_the_rule_parameter
)
test_lifetime_internal_migrant = v1.test_lifetime_internal_migrant
test_every_rule_compiles_to_xlsform_and_cspro = v1.test_every_rule_compiles_to_xlsform_and_cspro
test_every_rule_reads_as_a_sentence = v1.test_every_rule_reads_as_a_sentence
test_year_of_arrival_universe_sentence = v1.test_year_of_arrival_universe_sentence
test_exercises_are_consistent_with_universes_and_edits = (
    v1.test_exercises_are_consistent_with_universes_and_edits
)


# --- release, lint, shared questions -------------------------------------------------------------


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths([str(SPEC), str(MODULES / "person-core" / "1.0.0.yaml")])
    serious = [str(f) for f in findings if f.severity.value in ("error", "warning")]
    assert serious == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]


def test_release_metadata_and_shared_questions(census2):
    assert census2.ref == "census-key-questions@2.0.0"
    assert census2.status.value == "released"
    assert [u.module for u in census2.uses] == ["person-core@1.0.0"]
    shared = {q.id for q in census2.questions if q.shared_from == "person-core@1.0.0"}
    assert shared == {
        "sex",
        "age",
        "country_of_birth",
        "place_of_birth",
        "ever_lived_abroad",
        "year_of_arrival",
        "month_of_arrival",
        "reason_for_migration",
        "citizenship",
        "country_of_citizenship",
    }
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    assert "census-key-questions/2.0.0.yaml" in register
    assert "person-core/1.0.0.yaml" in register
    assert "census-key-questions/1.0.0.yaml" in register  # 1.0.0 stays, unchanged


def test_one_residence_item_at_a_past_date_is_core(census2):
    status = {q.id: q.status.value for q in census2.questions}
    assert [
        status[q] for q in ("residence_5y_ago", "residence_5y_area", "residence_5y_country")
    ] == ["core"] * 3
    assert [
        status[q] for q in ("residence_1y_ago", "residence_1y_area", "residence_1y_country")
    ] == ["recommended"] * 3
    for core in ("country_of_birth", "citizenship", "year_of_arrival", "place_of_birth"):
        assert status[core] == "core", core
    assert status["country_last_residence_abroad"] == "recommended"
    assert status["month_of_arrival"] == status["reason_for_internal_move"] == "optional"


def test_diff_from_1_0_0_explains_the_change(census2):
    old = load_module(MODULES / "census-key-questions" / "1.0.0.yaml")
    changes = diff_modules(old, census2)
    assert required_bump(changes) == "major"
    items = {c.item for c in changes}
    for item in (
        "citizenship",  # code 5 added, labels reworded
        "ever_lived_abroad",  # asked of citizens too
        "month_of_arrival",
        "country_last_residence_abroad",
        "reason_for_internal_move",
        "C16_foreign_born_citizen_by_birth",
        "C01_native_no_arrival",
        "C22_citizenship_country",
        "C13_duration_residence_1y",
        "return_migrant",
        "recent_migrant_12m",
        "residence_1y_ago",  # core -> recommended
    ):
        assert item in items, item


def questions_read(module, expression: str) -> set[str]:
    """The questions a rule depends on, through the conditions and derived variables it names."""
    from migmodule.expr.columns import column_names

    found, todo = set(), list(column_names(expression))
    while todo:
        name = todo.pop()
        if name in module.question_by_id:
            found.add(name)
        elif name in module.condition_by_id:
            todo += column_names(module.condition_by_id[name].expression)
    return found


@pytest.mark.parametrize("spec", ["census-key-questions/2.0.0.yaml", "person-core/1.0.0.yaml"])
def test_no_question_is_routed_on_an_answer_not_yet_given(spec):
    """ever_lived_abroad is asked of citizens, so citizenship must come before it (a paper form
    cannot route backwards, and a CAPI form would show the question late)."""
    module = load_module(MODULES / spec)
    order = {q.id: i for i, q in enumerate(module.questions)}
    for q in module.questions:
        if q.universe:
            later = [
                name for name in questions_read(module, q.universe) if order[name] > order[q.id]
            ]
            assert later == [], (q.id, later)


# --- universes ------------------------------------------------------------------------------------

# Each table: the answers that decide, and whether the question is asked (yes / no / unknown).
UNIVERSES = {
    "place_of_birth": """
        | country_of_birth | asked   |
        |------------------|---------|
        | COUNTRY          | yes     |
        | 250              | no      |
        | 998              | unknown |
    """,
    "ever_lived_abroad": """
        | country_of_birth | citizenship | asked   |
        |------------------|-------------|---------|
        | COUNTRY          | 3           | yes     |
        | 998              | 3           | yes     |
        | 250              | 1           | yes     |
        | 250              | 2           | yes     |
        | 250              | 3           | no      |
        | 250              | 4           | no      |
        | 250              | 5           | no      |
        | 250              | 9           | unknown |
    """,
    "year_of_arrival": """
        | country_of_birth | citizenship | ever_lived_abroad | asked   |
        |------------------|-------------|-------------------|---------|
        | 250              | 3           |                   | yes     |
        | 250              | 1           | 1                 | yes     |
        | COUNTRY          | 1           | 1                 | yes     |
        | COUNTRY          | 1           | 2                 | no      |
        | COUNTRY          | 1           | 9                 | unknown |
    """,
    "reason_for_migration": """
        | country_of_birth | ever_lived_abroad | asked   |
        |------------------|-------------------|---------|
        | 250              |                   | yes     |
        | COUNTRY          | 1                 | yes     |
        | COUNTRY          | 2                 | no      |
    """,
    "month_of_arrival": """
        | country_of_birth | ever_lived_abroad | year_of_arrival | asked   |
        |------------------|-------------------|-----------------|---------|
        | 250              |                   | 2030            | yes     |
        | 250              |                   | 2029            | yes     |
        | 250              |                   | 2028            | no      |
        | 250              |                   | 9998            | unknown |
        | COUNTRY          | 1                 | 2029            | yes     |
        | COUNTRY          | 2                 |                 | no      |
    """,
    "country_of_citizenship": """
        | citizenship | asked   |
        |-------------|---------|
        | 1           | no      |
        | 2           | no      |
        | 3           | yes     |
        | 4           | no      |
        | 5           | no      |
        | 8           | unknown |
    """,
    "country_last_residence_abroad": """
        | country_of_birth | ever_lived_abroad | asked   |
        |------------------|-------------------|---------|
        | 250              |                   | yes     |
        | COUNTRY          | 1                 | yes     |
        | COUNTRY          | 2                 | no      |
        | 998              | 1                 | yes     |
    """,
    "citizenship_acquisition": """
        | citizenship | asked |
        |-------------|-------|
        | 2           | yes   |
        | 1           | no    |
        | 5           | no    |
    """,
    "previous_residence": """
        | duration_of_residence | asked   |
        |-----------------------|---------|
        | 3                     | yes     |
        | 96                    | no      |
        | 98                    | unknown |
    """,
    "previous_residence_area": """
        | duration_of_residence | previous_residence | asked |
        |-----------------------|--------------------|-------|
        | 3                     | 1                  | yes   |
        | 3                     | 2                  | no    |
        | 96                    |                    | no    |
    """,
    "reason_for_internal_move": """
        | duration_of_residence | previous_residence | asked   |
        |-----------------------|--------------------|---------|
        | 3                     | 1                  | yes     |
        | 3                     | 2                  | no      |
        | 96                    |                    | no      |
        | 3                     | 9                  | unknown |
    """,
    "previous_residence_country": """
        | duration_of_residence | previous_residence | asked |
        |-----------------------|--------------------|-------|
        | 3                     | 2                  | yes   |
        | 3                     | 1                  | no    |
    """,
    "residence_1y_ago": """
        | age | asked   |
        |-----|---------|
        | 0   | no      |
        | 1   | yes     |
        | 999 | unknown |
    """,
    "residence_1y_area": """
        | age | residence_1y_ago | asked |
        |-----|------------------|-------|
        | 30  | 3                | yes   |
        | 30  | 4                | no    |
        | 0   | 3                | no    |
    """,
    "residence_1y_country": """
        | age | residence_1y_ago | asked |
        |-----|------------------|-------|
        | 30  | 4                | yes   |
        | 30  | 1                | no    |
    """,
    "residence_5y_ago": """
        | age | asked |
        |-----|-------|
        | 4   | no    |
        | 5   | yes   |
    """,
    "residence_5y_area": """
        | age | residence_5y_ago | asked |
        |-----|------------------|-------|
        | 30  | 3                | yes   |
        | 3   | 3                | no    |
        | 30  | 2                | no    |
    """,
    "residence_5y_country": """
        | age | residence_5y_ago | asked |
        |-----|------------------|-------|
        | 30  | 4                | yes   |
        | 30  | 3                | no    |
    """,
    "emigrants_number": """
        | emigrants_any | asked   |
        |---------------|---------|
        | 1             | yes     |
        | 2             | no      |
        | 8             | unknown |
    """,
}


def test_every_universe_of_2_0_0_has_a_table(census2):
    assert set(UNIVERSES) == {q.id for q in census2.questions if q.universe}


@pytest.mark.parametrize("qid", sorted(UNIVERSES))
def test_universe(census2, qid):
    rows = table(UNIVERSES[qid])
    data = all_questions(census2, rows.drop(columns=["asked"]))
    expected = [{"yes": True, "no": False, "unknown": None}[a] for a in rows["asked"]]
    assert truth(evaluate_frame(census2, census2.question_by_id[qid].universe, data, PARAMS)) == (
        expected
    )


# --- edits ------------------------------------------------------------------------------------------

# Each table: answers, then `fails` (default parameters: most recent arrival, reference date
# 2030-01-01) and, where the arrival definition matters, `fails_first`; `fails_july` runs with the
# reference date 2030-07-15.
EDITS = {
    "C03_arrival_before_birth": """
        | age | country_of_birth | year_of_arrival | fails |
        | 10  | 250              | 2018            | yes   |
        | 10  | 250              | 2019            | no    |
    """,
    "C04_arrival_after_census": """
        | country_of_birth | year_of_arrival | fails |
        | 250              | 2031            | yes   |
        | 250              | 2030            | no    |
    """,
    "C04_month_after_census": """
        | country_of_birth | year_of_arrival | month_of_arrival | fails_july |
        | 250              | 2030            | 8                | yes        |
        | 250              | 2030            | 7                | no         |
        | 250              | 2029            | 12               | no         |
        | 250              | 2030            | 98               | no         |
    """,
    "C06_abroad_1y_arrival": """
        | age | country_of_birth | year_of_arrival | residence_1y_ago | fails | fails_first |
        | 30  | 250              | 2015            | 4                | yes   | no          |
        | 30  | 250              | 2029            | 4                | no    | no          |
    """,
    "C06_abroad_1y_arrival_first": """
        | age | country_of_birth | year_of_arrival | residence_1y_ago | fails | fails_first |
        | 30  | 250              | 2015            | 4                | no    | yes         |
        | 30  | 250              | 2029            | 4                | no    | no          |
    """,
    "C07_abroad_1y_native_returnee": """
        | age | country_of_birth | ever_lived_abroad | residence_1y_ago | fails |
        | 30  | COUNTRY          | 2                 | 4                | yes   |
        | 30  | COUNTRY          | 1                 | 4                | no    |
    """,
    "C07_abroad_1y_return_year": """
        | age | country_of_birth | ever_lived_abroad | year_of_arrival | residence_1y_ago | fails |
        | 30  | COUNTRY          | 1                 | 2015            | 4                | yes   |
        | 30  | COUNTRY          | 1                 | 2029            | 4                | no    |
    """,
    "C08_abroad_5y_arrival": """
        | age | country_of_birth | year_of_arrival | residence_5y_ago | fails | fails_first |
        | 30  | 250              | 2020            | 4                | yes   | no          |
        | 30  | 250              | 2025            | 4                | no    | no          |
    """,
    "C08_abroad_5y_arrival_first": """
        | age | country_of_birth | year_of_arrival | residence_5y_ago | fails | fails_first |
        | 30  | 250              | 2020            | 4                | no    | yes         |
        | 30  | 250              | 2025            | 4                | no    | no          |
    """,
    "C08_here_5y_arrival": """
        | age | country_of_birth | year_of_arrival | residence_5y_ago | fails | fails_first |
        | 30  | 250              | 2027            | 1                | yes   | no          |
        | 30  | 250              | 2024            | 1                | no    | no          |
    """,
    "C08_here_5y_arrival_first": """
        | age | country_of_birth | year_of_arrival | residence_5y_ago | fails | fails_first |
        | 30  | 250              | 2027            | 1                | no    | yes         |
        | 30  | 250              | 2024            | 1                | no    | no          |
    """,
    "C10_here_1y_arrived_this_year": """
        | age | country_of_birth | ever_lived_abroad | year_of_arrival | residence_1y_ago | fails | fails_first |
        | 30  | 250              |                   | 2030            | 1                | yes   | no          |
        | 30  | 250              |                   | 2029            | 1                | no    | no          |
        | 30  | COUNTRY          | 1                 | 2030            | 2                | yes   | yes         |
    """,
    "C10_here_1y_arrived_this_year_first": """
        | age | country_of_birth | ever_lived_abroad | year_of_arrival | residence_1y_ago | fails | fails_first |
        | 30  | 250              |                   | 2030            | 1                | no    | yes         |
        | 30  | 250              |                   | 2029            | 1                | no    | no          |
        | 30  | COUNTRY          | 1                 | 2030            | 2                | no    | no          |
    """,
    "C11_duration_over_age": """
        | age | duration_of_residence | fails |
        | 10  | 20                    | yes   |
        | 10  | 5                     | no    |
        | 10  | 96                    | no    |
    """,
    "C11_duration_before_arrival": """
        | country_of_birth | year_of_arrival | duration_of_residence | fails |
        | 250              | 2020            | 15                    | yes   |
        | 250              | 2020            | 10                    | no    |
    """,
    "C11_arrival_and_move_from_abroad": """
        | country_of_birth | ever_lived_abroad | year_of_arrival | duration_of_residence | previous_residence | fails | fails_first |
        | 250              |                   | 2010            | 3                     | 2                  | yes   | no          |
        | 250              |                   | 2027            | 3                     | 2                  | no    | no          |
        | COUNTRY          | 1                 | 2010            | 3                     | 2                  | yes   | yes         |
        | 250              |                   | 2010            | 3                     | 1                  | no    | no          |
    """,
    "C11_arrival_and_move_from_abroad_first": """
        | country_of_birth | ever_lived_abroad | year_of_arrival | duration_of_residence | previous_residence | fails | fails_first |
        | 250              |                   | 2010            | 3                     | 2                  | no    | yes         |
        | 250              |                   | 2027            | 3                     | 2                  | no    | no          |
        | COUNTRY          | 1                 | 2010            | 3                     | 2                  | no    | no          |
    """,
    "C12_since_birth_native": """
        | country_of_birth | duration_of_residence | fails |
        | 250              | 96                    | yes   |
        | COUNTRY          | 96                    | no    |
    """,
    "C12_since_birth_area": """
        | current_residence_area | country_of_birth | place_of_birth | duration_of_residence | fails |
        | 1                      | COUNTRY          | 2              | 96                    | yes   |
        | 1                      | COUNTRY          | 1              | 96                    | no    |
    """,
    "C12_since_birth_residence_1y": """
        | age | duration_of_residence | residence_1y_ago | fails |
        | 30  | 96                    | 3                | yes   |
        | 30  | 96                    | 1                | no    |
    """,
    "C12_since_birth_residence_5y": """
        | age | duration_of_residence | residence_5y_ago | fails |
        | 30  | 96                    | 4                | yes   |
        | 30  | 96                    | 2                | no    |
    """,
    "C12_since_birth_lived_abroad": """
        | country_of_birth | duration_of_residence | ever_lived_abroad | fails |
        | COUNTRY          | 96                    | 1                 | yes   |
        | COUNTRY          | 96                    | 2                 | no    |
        | COUNTRY          | 4                     | 1                 | no    |
    """,
    "C13_duration_residence_1y": """
        | age | duration_of_residence | residence_1y_ago | fails |
        | 30  | 10                    | 4                | yes   |
        | 30  | 1                     | 3                | yes   |
        | 30  | 10                    | 2                | no    |
        | 30  | 0                     | 4                | no    |
        | 30  | 96                    | 3                | no    |
    """,
    "C13_duration_residence_5y": """
        | age | duration_of_residence | residence_5y_ago | fails |
        | 30  | 10                    | 3                | yes   |
        | 30  | 4                     | 3                | no    |
        | 30  | 10                    | 1                | no    |
    """,
    "C13_moved_this_year_same_locality_1y": """
        | age | duration_of_residence | residence_1y_ago | fails |
        | 30  | 0                     | 1                | yes   |
        | 30  | 0                     | 2                | yes   |
        | 30  | 0                     | 3                | no    |
        | 30  | 1                     | 1                | no    |
    """,
    "C14_previous_abroad_native": """
        | country_of_birth | ever_lived_abroad | duration_of_residence | previous_residence | fails |
        | COUNTRY          | 2                 | 3                     | 2                  | yes   |
        | COUNTRY          | 1                 | 3                     | 2                  | no    |
    """,
    "C15_native_naturalised": """
        | country_of_birth | citizenship | fails |
        | COUNTRY          | 2           | yes   |
        | COUNTRY          | 1           | no    |
    """,
    "C21_departure_in_window": """
        | emigrant_year_of_departure | fails |
        | 2015                       | yes   |
        | 2025                       | no    |
    """,
    "C21_destination_abroad": """
        | emigrant_destination | fails |
        | COUNTRY              | yes   |
        | 634                  | no    |
    """,
    "C22_citizenship_country": """
        | citizenship | country_of_citizenship | fails |
        | 3           | COUNTRY                | yes   |
        | 1           | COUNTRY                | no    |
        | 4           | COUNTRY                | no    |
        | 3           | 724                    | no    |
    """,
    "C22_previous_country": """
        | duration_of_residence | previous_residence | previous_residence_country | fails |
        | 3                     | 2                  | COUNTRY                    | yes   |
        | 3                     | 1                  | COUNTRY                    | no    |
        | 96                    |                    | COUNTRY                    | no    |
    """,
    "C22_residence_1y_country": """
        | age | residence_1y_ago | residence_1y_country | fails |
        | 30  | 4                | COUNTRY              | yes   |
        | 30  | 1                | COUNTRY              | no    |
        | 0   | 4                | COUNTRY              | no    |
    """,
    "C22_residence_5y_country": """
        | age | residence_5y_ago | residence_5y_country | fails |
        | 30  | 4                | COUNTRY              | yes   |
        | 30  | 3                | COUNTRY              | no    |
    """,
    "C22_last_residence_abroad_country": """
        | country_of_birth | ever_lived_abroad | country_last_residence_abroad | fails |
        | 250              |                   | COUNTRY                       | yes   |
        | COUNTRY          | 2                 | COUNTRY                       | no    |
        | 250              |                   | 724                           | no    |
    """,
    "C14_previous_country_is_last_abroad": """
        | country_of_birth | duration_of_residence | previous_residence | previous_residence_country | country_last_residence_abroad | fails |
        | 250              | 3                     | 2                  | 724                        | 250                           | yes   |
        | 250              | 3                     | 2                  | 724                        | 724                           | no    |
        | 250              | 3                     | 1                  |                            | 250                           | no    |
    """,
    "C26_abroad_5y_native_returnee": """
        | age | country_of_birth | ever_lived_abroad | residence_5y_ago | fails |
        | 30  | COUNTRY          | 2                 | 4                | yes   |
        | 30  | COUNTRY          | 1                 | 4                | no    |
    """,
    "C26_abroad_5y_return_year": """
        | age | country_of_birth | ever_lived_abroad | year_of_arrival | residence_5y_ago | fails |
        | 30  | COUNTRY          | 1                 | 2020            | 4                | yes   |
        | 30  | COUNTRY          | 1                 | 2026            | 4                | no    |
    """,
    "C26_here_5y_abroad_1y": """
        | age | residence_5y_ago | residence_1y_ago | fails |
        | 30  | 1                | 4                | yes   |
        | 30  | 1                | 1                | no    |
    """,
    "C30_born_at_sea": """
        | country_of_birth | fails |
        | 990              | yes   |
        | 250              | no    |
    """,
}
RUNS = {"fails": PARAMS, "fails_first": FIRST, "fails_july": JULY}


def edit_table(text: str) -> pd.DataFrame:
    lines = [line for line in text.strip().splitlines()]
    header = lines[0]
    rule = "|" + "|".join("---" for _ in header.strip().strip("|").split("|")) + "|"
    return table("\n".join([header, rule, *lines[1:]]))


def test_every_edit_of_2_0_0_has_a_table(census2):
    assert set(EDITS) == {e.id for e in census2.edits}


@pytest.mark.parametrize("edit_id", sorted(EDITS))
def test_edit(census2, edit_id):
    rows = edit_table(EDITS[edit_id])
    runs = [c for c in rows.columns if c in RUNS]
    data = rows.drop(columns=runs)
    level = next(e.level for e in census2.edits if e.id == edit_id)
    if level == "person":
        data = all_questions(census2, data)
    outcomes = []
    for run in runs:
        expected = [value == "yes" for value in rows[run]]
        assert failing(census2, edit_id, data, RUNS[run]) == expected, run
        outcomes += expected
    assert any(outcomes) and not all(outcomes), f"{edit_id}: a row that fails and one that passes"


SEVERITY_BY_ARRIVAL_DEFINITION = {
    # edit id: severity; the `_first` edit is the one that runs under ARRIVAL_DEFINITION first
    "C06_abroad_1y_arrival": ("error", "warning"),
    "C08_abroad_5y_arrival": ("error", "warning"),
    "C11_arrival_and_move_from_abroad": ("error", "warning"),
    "C08_here_5y_arrival": ("warning", "error"),
    "C10_here_1y_arrived_this_year": ("warning", "error"),
}


def test_severities_follow_the_arrival_definition(census2):
    severity = {e.id: e.severity for e in census2.edits}
    for rule, (most_recent, first) in SEVERITY_BY_ARRIVAL_DEFINITION.items():
        assert (severity[rule], severity[rule + "_first"]) == (most_recent, first), rule


def test_edits_that_only_repeated_a_universe_are_gone(census2):
    ids = {e.id for e in census2.edits}
    for gone in (
        "C01_native_no_arrival",
        "C17_stateless_no_country",
        "C23_residence_1y_not_born",
        "C23_residence_5y_not_born",
        "C16_foreign_born_citizen_by_birth",
    ):
        assert gone not in ids


# A delivery that codes the census country in every country column, for citizens and non-movers
# as well (IPUMS-style files, national files that fill "country of previous residence" with the
# own country). The rows are consistent otherwise.
CENSUS_COUNTRY_FILE = """
| hh_id | person_no | sex | age | country_of_birth | place_of_birth | ever_lived_abroad | citizenship | country_of_citizenship | country_of_birth_mother | country_of_birth_father | duration_of_residence | previous_residence | previous_residence_area | previous_residence_country | residence_1y_ago | residence_1y_country | residence_5y_ago | residence_5y_area | residence_5y_country | country_last_residence_abroad |
|---|---|---|----|---------|---|---|---|---------|---------|---------|----|---|---|---------|---|---------|---|---|---------|---------|
| 1 | 1 | 1 | 40 | COUNTRY | 1 | 2 | 1 | COUNTRY | COUNTRY | COUNTRY | 96 |   |   | COUNTRY | 1 | COUNTRY | 1 |   | COUNTRY | COUNTRY |
| 1 | 2 | 2 | 38 | COUNTRY | 1 | 2 | 1 | COUNTRY | COUNTRY | COUNTRY | 10 | 1 | 2 | COUNTRY | 2 | COUNTRY | 2 |   | COUNTRY | COUNTRY |
| 2 | 1 | 2 | 25 | COUNTRY | 3 | 2 | 2 | COUNTRY | COUNTRY | COUNTRY | 3  | 1 | 3 | COUNTRY | 2 | COUNTRY | 3 | 3 | COUNTRY | COUNTRY |
"""


@pytest.fixture(scope="module")
def census_country_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("census2") / "persons.csv"
    table(CENSUS_COUNTRY_FILE).to_csv(path, index=False)
    return path


def findings(report, code: str) -> dict[str, list[int]]:
    return {
        (r.question or r.edit): [e["row"] for e in r.examples]
        for r in report.results
        if r.finding is not None and r.code == code
    }


def test_census_country_for_citizens_and_non_movers_is_no_edit_error(census_country_file):
    report = validate_data({"person": census_country_file}, SPEC, country=str(KENYA))
    assert findings(report, "DATA-EDIT-001") == {}
    # the out-of-universe answers are reported once, by the universe check
    outside = findings(report, "DATA-UNIV-001")
    for column in (
        "country_of_citizenship",
        "previous_residence_country",
        "residence_1y_country",
        "residence_5y_country",
        "country_last_residence_abroad",
    ):
        assert outside[column] == [1, 2, 3], column
    # 1.0.0 counted the same rows a second time, as C22 errors
    old = validate_data(
        {"person": census_country_file},
        MODULES / "census-key-questions" / "1.0.0.yaml",
        country=str(KENYA),
    )
    assert set(findings(old, "DATA-EDIT-001")) == {
        "C22_citizenship_country",
        "C22_previous_country",
        "C22_residence_1y_country",
        "C22_residence_5y_country",
    }


def test_a_country_asking_only_residence_five_years_ago_misses_no_core_item(census_country_file):
    data = pd.read_csv(census_country_file)
    five_only = census_country_file.with_name("five_only.csv")
    data.drop(columns=["residence_1y_ago", "residence_1y_country"]).to_csv(five_only, index=False)
    report = validate_data({"person": five_only}, SPEC, country=str(KENYA))
    assert not {"residence_1y_ago", "residence_1y_area", "residence_1y_country"} & set(
        findings(report, "DATA-COVER-001")
    )
    assert "residence_1y_ago" in findings(
        report, "DATA-COVER-002"
    )  # recommended: reported, no error


# --- derived variables ---------------------------------------------------------------------------

DERIVED = {
    "nativity": (
        PARAMS,
        """
        | country_of_birth | nativity |
        | COUNTRY          | 1        |
        | 250              | 2        |
        | 990              | 2        |
        | 999              | 9        |
        """,
    ),
    "citizenship_status": (
        PARAMS,
        """
        | citizenship | citizenship_status |
        | 1           | 1                  |
        | 2           | 1                  |
        | 3           | 2                  |
        | 4           | 2                  |
        | 5           | 2                  |
        | 9           | 9                  |
        """,
    ),
    "migratory_status": (
        PARAMS,
        """
        | country_of_birth | citizenship | migratory_status |
        | COUNTRY          | 5           | 2                |
        | 250              | 5           | 4                |
        | 250              | 1           | 3                |
        | 998              | 5           | 9                |
        """,
    ),
    "years_since_arrival": (
        PARAMS,
        """
        | country_of_birth | year_of_arrival | years_since_arrival |
        | 250              | 2020            | 10                  |
        | 250              | 9998            |                     |
        """,
    ),
    "recent_migrant_1y": (
        PARAMS,
        """
        | country_of_birth | ever_lived_abroad | year_of_arrival | recent_migrant_1y |
        | 250              |                   | 2029            | 1                 |
        | 250              |                   | 2027            | 2                 |
        | COUNTRY          | 2                 |                 | 2                 |
        | 250              |                   | 9998            | 9                 |
        """,
    ),
    "recent_migrant_5y": (
        PARAMS,
        """
        | country_of_birth | ever_lived_abroad | year_of_arrival | recent_migrant_5y |
        | 250              |                   | 2025            | 1                 |
        | 250              |                   | 2024            | 2                 |
        | COUNTRY          | 8                 |                 | 9                 |
        """,
    ),
    # reference date 15 July 2030: arrivals after the end of July 2029 are within 12 months
    "recent_migrant_12m": (
        JULY,
        """
        | country_of_birth | ever_lived_abroad | year_of_arrival | month_of_arrival | recent_migrant_12m |
        | 250              |                   | 2030            | 3                | 1                  |
        | 250              |                   | 2029            | 8                | 1                  |
        | 250              |                   | 2029            | 7                | 2                  |
        | 250              |                   | 2029            | 1                | 2                  |
        | 250              |                   | 2029            |                  | 9                  |
        | 250              |                   | 2029            | 98               | 9                  |
        | 250              |                   | 2028            |                  | 2                  |
        | COUNTRY          | 1                 | 2029            | 12               | 1                  |
        | COUNTRY          | 2                 |                 |                  | 2                  |
        """,
    ),
    "lifetime_internal_migrant": (
        PARAMS,
        """
        | current_residence_area | country_of_birth | place_of_birth | lifetime_internal_migrant |
        | 1                      | COUNTRY          | 2              | 1                         |
        | 1                      | COUNTRY          | 1              | 2                         |
        | 1                      | 250              |                | 7                         |
        """,
    ),
    "second_generation": (
        PARAMS,
        """
        | country_of_birth | country_of_birth_mother | country_of_birth_father | second_generation |
        | COUNTRY          | 250                     | COUNTRY                 | 1                 |
        | COUNTRY          | COUNTRY                 | COUNTRY                 | 2                 |
        | 250              | 250                     | 250                     | 7                 |
        """,
    ),
    "return_migrant": (
        PARAMS,
        """
        | country_of_birth | citizenship | ever_lived_abroad | return_migrant |
        | COUNTRY          | 1           | 1                 | 1              |
        | COUNTRY          | 2           | 1                 | 1              |
        | COUNTRY          | 3           | 1                 | 2              |
        | 250              | 1           | 1                 | 3              |
        | COUNTRY          | 1           | 2                 | 4              |
        | 250              | 2           | 1                 | 4              |
        | 250              | 3           |                   | 4              |
        | 250              | 5           |                   | 4              |
        | COUNTRY          | 1           | 9                 | 9              |
        | 998              | 1           | 1                 | 9              |
        """,
    ),
    "forced_internal_move": (
        PARAMS,
        """
        | duration_of_residence | previous_residence | reason_for_internal_move | forced_internal_move |
        | 3                     | 1                  | 4                        | 1                    |
        | 3                     | 1                  | 5                        | 1                    |
        | 3                     | 1                  | 1                        | 2                    |
        | 3                     | 1                  | 96                       | 2                    |
        | 96                    |                    |                          | 2                    |
        | 3                     | 2                  |                          | 2                    |
        | 3                     | 1                  | 98                       | 9                    |
        | 3                     | 1                  |                          | 9                    |
        """,
    ),
}


def test_every_derived_variable_of_2_0_0_has_a_table(census2):
    assert set(DERIVED) == {d.id for d in census2.derived}


@pytest.mark.parametrize("derived_id", sorted(DERIVED))
def test_derived(census2, derived_id):
    params, text = DERIVED[derived_id]
    rows = edit_table(text)
    data = all_questions(census2, rows.drop(columns=[derived_id]))
    out = derive(census2, data, params)[derived_id]
    got = [None if pd.isna(v) else int(v) for v in out]
    assert got == [None if pd.isna(v) else int(v) for v in rows[derived_id]]


@pytest.mark.parametrize("ref_date", ["2030-01-01", "2029-08-24", "2030-12-31"])
def test_month_rules_compile_for_any_reference_date(census2, ref_date):
    values = resolve_parameters(census2, {**PARAMS, "REF_DATE": ref_date})
    xpath, cspro = XPath(census2), CSProLogic(census2)
    for label, _, text, is_condition in v1.rules(census2):
        tree = prepare(census2, text, values)
        if is_condition:
            assert xpath.true_form(tree) and cspro.true_form(tree), label


# --- respondents: every question reached, answered exactly where asked, no error edit -----------

RESPONDENTS = """
| who                      | current_residence_area | sex | age | country_of_birth | place_of_birth | ever_lived_abroad | year_of_arrival | month_of_arrival | country_last_residence_abroad | reason_for_migration | citizenship | citizenship_acquisition | country_of_citizenship | country_of_birth_mother | country_of_birth_father | duration_of_residence | previous_residence | previous_residence_area | reason_for_internal_move | previous_residence_country | residence_1y_ago | residence_1y_area | residence_1y_country | residence_5y_ago | residence_5y_area | residence_5y_country |
|--------------------------|---|---|----|---------|---|---|------|---|-----|---|---|---|-----|---------|---------|----|---|---|---|-----|---|---|-----|---|---|-----|
| native stayer            | 1 | 1 | 40 | COUNTRY | 1 | 2 |      |   |     |   | 1 |   |     | COUNTRY | COUNTRY | 96 |   |   |   |     | 1 |   |     | 1 |   |     |
| native returnee          | 1 | 2 | 34 | COUNTRY | 1 | 1 | 2029 | 4 | 724 | 6 | 1 |   |     | COUNTRY | COUNTRY | 0  | 2 |   |   | 724 | 4 |   | 724 | 4 |   | 724 |
| internal migrant         | 1 | 1 | 25 | COUNTRY | 2 | 2 |      |   |     |   | 1 |   |     | COUNTRY | COUNTRY | 3  | 1 | 2 | 1 |     | 1 |   |     | 3 | 2 |     |
| displaced person         | 3 | 1 | 40 | COUNTRY | 1 | 2 |      |   |     |   | 1 |   |     | COUNTRY | COUNTRY | 3  | 1 | 1 | 4 |     | 1 |   |     | 3 | 1 |     |
| foreign-born citizen     | 3 | 2 | 45 | 156     |   | 1 | 2010 |   | 156 | 2 | 2 | 2 |     | 156     | 156     | 19 | 2 |   |   | 156 | 1 |   |     | 1 |   |     |
| citizen by descent       | 2 | 1 | 8  | 250     |   | 1 | 2023 |   | 250 | 2 | 1 |   |     | COUNTRY | COUNTRY | 6  | 2 |   |   | 250 | 1 |   |     | 1 |   |     |
| foreign-born non-citizen | 2 | 1 | 29 | 760     |   |   | 2027 |   | 422 | 4 | 3 |   | 760 | 760     | 760     | 0  | 1 | 1 | 1 |     | 3 | 1 |     | 4 |   | 422 |
| undetermined nationality | 2 | 2 | 50 | 250     |   |   | 2000 |   | 250 | 1 | 5 |   |     | 250     | 250     | 30 | 2 |   |   | 250 | 1 |   |     | 1 |   |     |
| stateless person         | 2 | 2 | 31 | 999     |   | 2 |      |   |     |   | 4 |   |     | 999     | 999     | 12 | 1 | 3 | 2 |     | 1 |   |     | 1 |   |     |
| child under 1            | 3 | 2 | 0  | COUNTRY | 3 | 2 |      |   |     |   | 3 |   | 760 | 760     | 760     | 96 |   |   |   |     |   |   |     |   |   |     |
"""


def test_every_person_question_is_reached_by_some_respondent(census2):
    data = table(RESPONDENTS)
    for q in census2.questions:
        if q.level != "person":
            continue
        asked = (
            truth(evaluate_frame(census2, q.universe, data, PARAMS))
            if q.universe
            else [True] * len(data)
        )
        assert any(a is True for a in asked), f"{q.id} is asked of nobody"


def test_respondents_answer_exactly_what_they_are_asked(census2):
    data = table(RESPONDENTS)
    for q in census2.questions:
        if q.level != "person" or not q.universe:
            continue
        asked = [a is True for a in truth(evaluate_frame(census2, q.universe, data, PARAMS))]
        answered = data[q.id].notna().tolist()
        assert asked == answered, (q.id, list(zip(data["who"], asked, answered, strict=True)))


@pytest.mark.parametrize("params", [PARAMS, FIRST], ids=["most_recent", "first"])
def test_respondents_pass_every_error_edit(census2, params):
    data = table(RESPONDENTS)
    for edit in census2.edits:
        if edit.level == "person" and edit.severity == "error":
            failed = failing(census2, edit.id, data, params)
            assert not any(failed), (edit.id, list(zip(data["who"], failed, strict=True)))


def test_respondents_derive_return_displacement_and_status(census2):
    data = table(RESPONDENTS)
    out = derive(census2, data, PARAMS).set_index(data["who"])
    assert out.loc["native returnee", "return_migrant"] == 1
    assert out.loc["citizen by descent", "return_migrant"] == 3
    assert out.loc["foreign-born citizen", "return_migrant"] == 4
    assert out.loc["displaced person", "forced_internal_move"] == 1
    assert out.loc["internal migrant", "forced_internal_move"] == 2
    assert out.loc["native returnee", "recent_migrant_12m"] == 1  # April 2029, census January 2030
    assert out.loc["undetermined nationality", "migratory_status"] == 4
    assert out.loc["stateless person", "citizenship_status"] == 2


# --- the words: [NAME], French country phrases, nationalité / nacionalidad, wording fixes --------

NAME_FILL = {"en": "[NAME]", "fr": "[NOM]", "es": "[NOMBRE]"}
NOT_ABOUT_A_PERSON = {
    "current_residence_area",
    "previous_residence_area",
    "previous_residence_country",
    "emigrants_any",
    "emigrants_number",
}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_questions_name_the_person(census2, lang):
    for q in census2.questions:
        if q.id in NOT_ABOUT_A_PERSON:
            continue
        label = q.label[lang]
        assert NAME_FILL[lang] in label, (q.id, label)
        assert "this person" not in label and "cette personne" not in label, (q.id, label)
        assert "esta persona" not in label, (q.id, label)


def french_texts(module) -> list[tuple[str, str]]:
    texts = [(f"question {q.id}", q.label["fr"]) for q in module.questions]
    texts += [(f"condition {c.id}", c.text["fr"]) for c in module.conditions if c.text]
    return texts


def test_french_says_the_country_with_its_preposition(census2):
    for where, text in french_texts(census2):
        assert "dans le pays" not in text and "du pays" not in text, (where, text)
    label = census2.question_by_id["year_of_arrival"].label["fr"]
    for country, phrase in ((686, "au Sénégal"), (384, "en Côte d'Ivoire"), (174, "aux Comores")):
        assert fill(label, census2, {"COUNTRY": country}, "fr").endswith(f"vivre {phrase} ?")
    nationality = census2.question_by_id["citizenship_acquisition"].label["fr"]
    assert "la nationalité du Sénégal" in fill(nationality, census2, {"COUNTRY": 686}, "fr")


READ_TO_RESPONDENTS = ("citizenship", "citizenship_acquisition", "country_of_citizenship")


def test_nationality_is_the_word_read_in_french_and_spanish(census2):
    for qid in READ_TO_RESPONDENTS:
        label = census2.question_by_id[qid].label
        assert "nationalité" in label["fr"] and "citoyenneté" not in label["fr"], qid
        assert "nacionalidad" in label["es"] and "ciudadanía" not in label["es"], qid
    for code in census2.code_list_by_id["citizenship"].codes:
        if code.special is None:
            assert "citoyen" not in code.label["fr"].lower(), code.label["fr"]
            assert "ciudadan" not in code.label["es"].lower(), code.label["es"]


def test_spanish_citizen_by_birth_is_por_nacimiento(census2):
    labels = {c.code: c.label["es"] for c in census2.code_list_by_id["citizenship"].codes}
    assert "por nacimiento" in labels[1]
    assert not any("de nacimiento" in label for label in labels.values())


def test_undetermined_nationality_has_a_code(census2):
    labels = {c.code: c.label for c in census2.code_list_by_id["citizenship"].codes}
    assert labels[5] == {
        "en": "Nationality undetermined",
        "fr": "Nationalité indéterminée",
        "es": "Nacionalidad indeterminada",
    }


def test_acquisition_by_declaration_is_a_full_phrase(census2):
    label = next(c.label for c in census2.code_list_by_id["acquisition"].codes if c.code == 3)
    assert label["fr"] == "Par déclaration ou option, ou en tant qu'enfant mineur avec un parent"
    assert label["es"] == "Por declaración u opción, o siendo menor, junto con uno de sus padres"


@pytest.mark.parametrize("age", [1, 2, 15])
def test_french_minimum_age_reads_for_any_value(census2, age):
    text = census2.condition_by_id["aged_1_plus"].text["fr"]
    filled = fill(text, census2, {"COUNTRY": KENYA, "MIN_AGE_RESIDENCE_1Y": age}, "fr")
    assert filled == f"âgées d'au moins {age} an(s)"


def test_conference_of_european_statisticians_is_cse_and_cee(census2):
    text = census2.parameter_by_id["ARRIVAL_DEFINITION"].description
    assert "CSE" in text["fr"] and "CES" not in text["fr"]
    assert "CEE" in text["es"] and "CES" not in text["es"]


def test_recent_migrant_labels_state_the_rule(census2):
    one_year = census2.derived_by_id["recent_migrant_1y"]
    assert (
        "24" in one_year.label["en"]
        and "24" in one_year.label["fr"]
        and "24" in one_year.label["es"]
    )
    assert "hace un año o menos" not in one_year.label["es"]
    assert "environ un an" not in one_year.label["fr"]
    twelve = census2.derived_by_id["recent_migrant_12m"]
    for lang in ("en", "fr", "es"):
        assert "12" in twelve.label[lang] and "12" in twelve.variable_label[lang], lang

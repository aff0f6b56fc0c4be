"""labour-migration 1.0.0: release metadata, the three ICLS classifications and the routing,
checked on small hand-made persons.

Expected results are written as markdown tables (as pyxform's tests write forms) and parsed here.
The survey country is Kenya (404) and the reference date 30 June 2030; person factors are turned
into answers by `person()`, so each table row reads like an interviewer's summary of a person.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.spec.load import load_spec_file
from tables import parse_table
from tables import questions_frame as frame

SPEC = Path(__file__).resolve().parents[1] / "modules" / "labour-migration" / "1.0.0.yaml"
COUNTRY = 404  # Kenya plays the survey country
VIET_NAM, MALAYSIA = 704, 458
REF_YEAR = 2030
PARAMS = {"COUNTRY": COUNTRY, "REF_DATE": "2030-06-30", "RETURN_PERIOD_YEARS": 5}


@pytest.fixture(scope="module")
def module():
    return load_spec_file(SPEC).module


def person(
    born: str,
    citizenship: str,
    lf_status: str,
    came_for_work: str,
    worked_abroad: str,
    age: int = 30,
) -> dict:
    """Answers of a usual resident (an LFS roster member) described by the table factors."""
    answers: dict = {"age": age, "sex": 1}
    answers["country_of_birth"] = {"here": COUNTRY, "abroad": VIET_NAM, "unknown": 998}[born]
    answers["citizenship"] = {"citizen": 1, "non-citizen": 3}[citizenship]
    if citizenship == "non-citizen":
        answers["country_of_citizenship"] = VIET_NAM
    if age >= 15:
        answers["labour_force_status"] = {"employed": 1, "unemployed": 2, "outside": 3}[lf_status]
    if born != "abroad":  # born here or birthplace unknown: asked whether they lived abroad
        answers["ever_lived_abroad"] = 1 if came_for_work == "yes" else 2
    if born == "abroad" or came_for_work == "yes":
        answers["country_previous_residence"] = VIET_NAM if born == "abroad" else MALAYSIA
        answers["year_of_arrival"] = REF_YEAR - 1
        answers["reason_for_coming"] = 1 if came_for_work == "yes" else 3  # work / family
    if age >= 15:
        answers["ever_worked_abroad"] = 1 if worked_abroad == "yes" else 2
        if worked_abroad == "yes":
            answers["country_of_return"] = MALAYSIA
            answers["year_of_return"] = REF_YEAR - 2
    return answers


# Every combination of birthplace x citizenship x labour force status x came for work x worked
# abroad and returned within the 5-year window, for usual residents aged 30, with the default
# MIGRANT_BASIS (born abroad or not a citizen). 1 yes, 2 no, 9 unknown.
ICLS_TABLE = """
| born    | citizenship | lf_status  | came_for_work | worked_abroad | imw | for_work | return_imw |
|---------|-------------|------------|---------------|---------------|-----|----------|------------|
| here    | citizen     | employed   | yes           | yes           | 2   | 2        | 1          |
| here    | citizen     | employed   | yes           | no            | 2   | 2        | 2          |
| here    | citizen     | employed   | no            | yes           | 2   | 2        | 1          |
| here    | citizen     | employed   | no            | no            | 2   | 2        | 2          |
| here    | citizen     | unemployed | yes           | yes           | 2   | 2        | 1          |
| here    | citizen     | unemployed | yes           | no            | 2   | 2        | 2          |
| here    | citizen     | unemployed | no            | yes           | 2   | 2        | 1          |
| here    | citizen     | unemployed | no            | no            | 2   | 2        | 2          |
| here    | citizen     | outside    | yes           | yes           | 2   | 2        | 1          |
| here    | citizen     | outside    | yes           | no            | 2   | 2        | 2          |
| here    | citizen     | outside    | no            | yes           | 2   | 2        | 1          |
| here    | citizen     | outside    | no            | no            | 2   | 2        | 2          |
| here    | non-citizen | employed   | yes           | yes           | 1   | 1        | 1          |
| here    | non-citizen | employed   | yes           | no            | 1   | 1        | 2          |
| here    | non-citizen | employed   | no            | yes           | 1   | 2        | 1          |
| here    | non-citizen | employed   | no            | no            | 1   | 2        | 2          |
| here    | non-citizen | unemployed | yes           | yes           | 1   | 1        | 1          |
| here    | non-citizen | unemployed | yes           | no            | 1   | 1        | 2          |
| here    | non-citizen | unemployed | no            | yes           | 1   | 2        | 1          |
| here    | non-citizen | unemployed | no            | no            | 1   | 2        | 2          |
| here    | non-citizen | outside    | yes           | yes           | 2   | 1        | 1          |
| here    | non-citizen | outside    | yes           | no            | 2   | 1        | 2          |
| here    | non-citizen | outside    | no            | yes           | 2   | 2        | 1          |
| here    | non-citizen | outside    | no            | no            | 2   | 2        | 2          |
| abroad  | citizen     | employed   | yes           | yes           | 1   | 1        | 1          |
| abroad  | citizen     | employed   | yes           | no            | 1   | 1        | 2          |
| abroad  | citizen     | employed   | no            | yes           | 1   | 2        | 1          |
| abroad  | citizen     | employed   | no            | no            | 1   | 2        | 2          |
| abroad  | citizen     | unemployed | yes           | yes           | 1   | 1        | 1          |
| abroad  | citizen     | unemployed | yes           | no            | 1   | 1        | 2          |
| abroad  | citizen     | unemployed | no            | yes           | 1   | 2        | 1          |
| abroad  | citizen     | unemployed | no            | no            | 1   | 2        | 2          |
| abroad  | citizen     | outside    | yes           | yes           | 2   | 1        | 1          |
| abroad  | citizen     | outside    | yes           | no            | 2   | 1        | 2          |
| abroad  | citizen     | outside    | no            | yes           | 2   | 2        | 1          |
| abroad  | citizen     | outside    | no            | no            | 2   | 2        | 2          |
| abroad  | non-citizen | employed   | yes           | yes           | 1   | 1        | 1          |
| abroad  | non-citizen | employed   | yes           | no            | 1   | 1        | 2          |
| abroad  | non-citizen | employed   | no            | yes           | 1   | 2        | 1          |
| abroad  | non-citizen | employed   | no            | no            | 1   | 2        | 2          |
| abroad  | non-citizen | unemployed | yes           | yes           | 1   | 1        | 1          |
| abroad  | non-citizen | unemployed | yes           | no            | 1   | 1        | 2          |
| abroad  | non-citizen | unemployed | no            | yes           | 1   | 2        | 1          |
| abroad  | non-citizen | unemployed | no            | no            | 1   | 2        | 2          |
| abroad  | non-citizen | outside    | yes           | yes           | 2   | 1        | 1          |
| abroad  | non-citizen | outside    | yes           | no            | 2   | 1        | 2          |
| abroad  | non-citizen | outside    | no            | yes           | 2   | 2        | 1          |
| abroad  | non-citizen | outside    | no            | no            | 2   | 2        | 2          |
| unknown | citizen     | employed   | yes           | yes           | 9   | 9        | 1          |
| unknown | citizen     | employed   | yes           | no            | 9   | 9        | 2          |
| unknown | citizen     | employed   | no            | yes           | 9   | 9        | 1          |
| unknown | citizen     | employed   | no            | no            | 9   | 9        | 2          |
| unknown | citizen     | unemployed | yes           | yes           | 9   | 9        | 1          |
| unknown | citizen     | unemployed | yes           | no            | 9   | 9        | 2          |
| unknown | citizen     | unemployed | no            | yes           | 9   | 9        | 1          |
| unknown | citizen     | unemployed | no            | no            | 9   | 9        | 2          |
| unknown | citizen     | outside    | yes           | yes           | 2   | 9        | 1          |
| unknown | citizen     | outside    | yes           | no            | 2   | 9        | 2          |
| unknown | citizen     | outside    | no            | yes           | 2   | 9        | 1          |
| unknown | citizen     | outside    | no            | no            | 2   | 9        | 2          |
| unknown | non-citizen | employed   | yes           | yes           | 1   | 1        | 1          |
| unknown | non-citizen | employed   | yes           | no            | 1   | 1        | 2          |
| unknown | non-citizen | employed   | no            | yes           | 1   | 9        | 1          |
| unknown | non-citizen | employed   | no            | no            | 1   | 9        | 2          |
| unknown | non-citizen | unemployed | yes           | yes           | 1   | 1        | 1          |
| unknown | non-citizen | unemployed | yes           | no            | 1   | 1        | 2          |
| unknown | non-citizen | unemployed | no            | yes           | 1   | 9        | 1          |
| unknown | non-citizen | unemployed | no            | no            | 1   | 9        | 2          |
| unknown | non-citizen | outside    | yes           | yes           | 2   | 1        | 1          |
| unknown | non-citizen | outside    | yes           | no            | 2   | 1        | 2          |
| unknown | non-citizen | outside    | no            | yes           | 2   | 9        | 1          |
| unknown | non-citizen | outside    | no            | no            | 2   | 9        | 2          |
"""


def test_release_metadata(module):
    assert module.id == "labour-migration"
    assert module.version == "1.0.0"
    assert module.status.value == "released"
    assert module.languages == ["en", "fr", "es"]
    assert [level.id for level in module.levels] == ["household", "person"]
    assert module.level_by_id["person"].parent == "household"
    assert module.level_by_id["person"].id_variables == ["hh_id", "person_no"]


def test_every_question_has_status_and_source(module):
    for question in module.questions:
        assert question.status is not None
        assert question.status_source, question.id
        assert question.sources, question.id


def test_three_icls_concepts_for_every_combination(module):
    rows = parse_table(ICLS_TABLE)
    assert len(rows) == 3 * 2 * 3 * 2 * 2
    people = [
        person(r["born"], r["citizenship"], r["lf_status"], r["came_for_work"], r["worked_abroad"])
        for r in rows
    ]
    out = derive(module, frame(module, people), PARAMS)
    for i, row in enumerate(rows):
        got = (
            out.at[i, "international_migrant_worker"],
            out.at[i, "for_work_international_migrant"],
            out.at[i, "return_international_migrant_worker"],
        )
        expected = (int(row["imw"]), int(row["for_work"]), int(row["return_imw"]))
        assert got == expected, f"row {i}: {row} gave {got}"


MIGRANT_BASIS_TABLE = """
| basis                | born    | citizenship | imw | basis_code |
|----------------------|---------|-------------|-----|------------|
| birth                | abroad  | citizen     | 1   | 1          |
| birth                | here    | non-citizen | 2   | 4          |
| birth                | abroad  | non-citizen | 1   | 1          |
| birth                | unknown | non-citizen | 9   | 9          |
| citizenship          | abroad  | citizen     | 2   | 4          |
| citizenship          | here    | non-citizen | 1   | 2          |
| citizenship          | unknown | non-citizen | 1   | 2          |
| citizenship          | unknown | citizen     | 2   | 4          |
| birth_or_citizenship | abroad  | citizen     | 1   | 1          |
| birth_or_citizenship | here    | non-citizen | 1   | 2          |
| birth_or_citizenship | abroad  | non-citizen | 1   | 3          |
| birth_or_citizenship | here    | citizen     | 2   | 4          |
| birth_or_citizenship | unknown | citizen     | 9   | 9          |
"""


@pytest.mark.parametrize(
    "row", parse_table(MIGRANT_BASIS_TABLE), ids=lambda r: "-".join(r.values())
)
def test_migrant_basis_parameter(module, row):
    people = [person(row["born"], row["citizenship"], "employed", "no", "no")]
    out = derive(module, frame(module, people), {**PARAMS, "MIGRANT_BASIS": row["basis"]})
    assert out.at[0, "international_migrant_worker"] == int(row["imw"])
    assert out.at[0, "migrant_status_basis"] == int(row["basis_code"])


RETURN_WINDOW_TABLE = """
| year_of_return | return_period_years | return_imw |
|----------------|---------------------|------------|
| 2028           | 5                   | 1          |
| 2025           | 5                   | 1          |
| 2024           | 5                   | 2          |
| 2010           | 5                   | 2          |
| 2010           | 0                   | 1          |
| 9998           | 5                   | 9          |
| 9998           | 0                   | 1          |
"""


@pytest.mark.parametrize(
    "row", parse_table(RETURN_WINDOW_TABLE), ids=lambda r: "-".join(r.values())
)
def test_return_window(module, row):
    answers = person("here", "citizen", "outside", "no", "yes")
    answers["year_of_return"] = int(row["year_of_return"])
    params = {**PARAMS, "RETURN_PERIOD_YEARS": int(row["return_period_years"])}
    out = derive(module, frame(module, [answers]), params)
    assert out.at[0, "return_international_migrant_worker"] == int(row["return_imw"])


FOR_WORK_WINDOW_TABLE = """
| year_of_arrival | for_work_period_years | reason | for_work |
|-----------------|-----------------------|--------|----------|
| 2030            | 1                     | 1      | 1        |
| 2029            | 1                     | 2      | 1        |
| 2028            | 1                     | 1      | 2        |
| 2028            | 2                     | 1      | 1        |
| 2029            | 1                     | 6      | 2        |
| 2029            | 1                     | 98     | 9        |
| 9998            | 1                     | 1      | 9        |
"""


@pytest.mark.parametrize(
    "row", parse_table(FOR_WORK_WINDOW_TABLE), ids=lambda r: "-".join(r.values())
)
def test_for_work_window_and_reason(module, row):
    answers = person("abroad", "non-citizen", "employed", "yes", "no")
    answers["year_of_arrival"] = int(row["year_of_arrival"])
    answers["reason_for_coming"] = int(row["reason"])
    params = {**PARAMS, "FOR_WORK_PERIOD_YEARS": int(row["for_work_period_years"])}
    out = derive(module, frame(module, [answers]), params)
    assert out.at[0, "for_work_international_migrant"] == int(row["for_work"])


def test_below_working_age_is_in_no_group(module):
    child = person("abroad", "non-citizen", "employed", "yes", "no", age=12)
    out = derive(module, frame(module, [child]), PARAMS)
    assert out.at[0, "international_migrant_worker"] == 2
    assert out.at[0, "for_work_international_migrant"] == 2
    assert out.at[0, "return_international_migrant_worker"] == 2
    assert out.at[0, "age_group"] == 7


AGE_GROUP_TABLE = """
| age | age_group |
|-----|-----------|
| 14  | 7         |
| 15  | 1         |
| 24  | 1         |
| 25  | 2         |
| 54  | 2         |
| 55  | 3         |
| 64  | 3         |
| 65  | 4         |
| 99  | 4         |
| 999 | 9         |
"""


def test_age_groups(module):
    rows = parse_table(AGE_GROUP_TABLE)
    people = [{"age": int(r["age"]), "country_of_birth": COUNTRY, "citizenship": 1} for r in rows]
    out = derive(module, frame(module, people), PARAMS)
    assert out["age_group"].tolist() == [int(r["age_group"]) for r in rows]


MIGRATORY_STATUS_TABLE = """
| born    | citizenship | migratory_status |
|---------|-------------|------------------|
| here    | citizen     | 1                |
| here    | non-citizen | 2                |
| abroad  | citizen     | 3                |
| abroad  | non-citizen | 4                |
| unknown | citizen     | 9                |
"""


def test_migratory_status(module):
    rows = parse_table(MIGRATORY_STATUS_TABLE)
    people = [person(r["born"], r["citizenship"], "employed", "no", "no") for r in rows]
    out = derive(module, frame(module, people), PARAMS)
    assert out["migratory_status"].tolist() == [int(r["migratory_status"]) for r in rows]


def test_years_since_arrival_and_return(module):
    answers = person("here", "citizen", "employed", "yes", "yes")
    out = derive(module, frame(module, [answers]), PARAMS)
    assert out.at[0, "years_since_arrival"] == 1
    assert out.at[0, "years_since_return"] == 2


# Who is asked what: x = asked (universe true), . = not asked.
ROUTING_TABLE = """
| case                           | country_of_citizenship | ever_lived_abroad | year_of_arrival | ever_worked_abroad | year_of_return | labour_force_status |
|--------------------------------|------------------------|-------------------|-----------------|--------------------|----------------|---------------------|
| born abroad, foreign, worker   | x                      | .                 | x               | x                  | .              | x                   |
| born here, citizen, returnee   | .                      | x                 | x               | x                  | x              | x                   |
| born here, citizen, never left | .                      | x                 | .               | x                  | .              | x                   |
| birthplace unknown, citizen    | .                      | x                 | .               | x                  | .              | x                   |
| child born abroad              | x                      | .                 | x               | .                  | .              | .                   |
"""

ROUTING_PEOPLE = {
    "born abroad, foreign, worker": person("abroad", "non-citizen", "employed", "yes", "no"),
    "born here, citizen, returnee": person("here", "citizen", "employed", "yes", "yes"),
    "born here, citizen, never left": person("here", "citizen", "outside", "no", "no"),
    "birthplace unknown, citizen": person("unknown", "citizen", "employed", "no", "no"),
    "child born abroad": person("abroad", "non-citizen", "employed", "no", "no", age=8),
}


def test_routing(module):
    rows = parse_table(ROUTING_TABLE)
    data = frame(module, [ROUTING_PEOPLE[r["case"]] for r in rows])
    for question_id in [c for c in rows[0] if c != "case"]:
        universe = module.question_by_id[question_id].universe
        asked = evaluate_frame(module, universe, data, PARAMS).fillna(False).tolist()
        assert asked == [r[question_id] == "x" for r in rows], question_id


def test_every_question_reachable(module):
    rows = parse_table(ICLS_TABLE)
    people = [
        person(r["born"], r["citizenship"], r["lf_status"], r["came_for_work"], r["worked_abroad"])
        for r in rows
    ]
    data = frame(module, people)
    for question in module.questions:
        if question.universe is None:
            continue
        asked = evaluate_frame(module, question.universe, data, PARAMS)
        assert asked.fillna(False).any(), f"{question.id} is never asked"


def test_edits_flag_hand_made_errors(module):
    people = [
        # born abroad but citizen by birth: a warning, legitimate for children of citizens
        {**person("abroad", "citizen", "employed", "no", "no"), "citizenship": 1},
        # arrived before being born
        {
            **person("abroad", "non-citizen", "employed", "yes", "no"),
            "age": 20,
            "year_of_arrival": 2000,
        },
        # previous residence is the survey country
        {
            **person("abroad", "non-citizen", "employed", "yes", "no"),
            "country_previous_residence": COUNTRY,
        },
    ]
    data = frame(module, people)
    edits = {e.id: e for e in module.edits}

    def fails(edit_id: str) -> list[bool]:
        edit = edits[edit_id]
        when = evaluate_frame(module, edit.when, data, PARAMS).fillna(False)
        check = evaluate_frame(module, edit.check, data, PARAMS)
        return (when & (check == False)).fillna(False).tolist()  # noqa: E712 - nullable boolean

    assert fails("LM03") == [True, False, False]
    assert fails("LM01") == [False, True, False]
    assert fails("LM04") == [False, False, True]


EXERCISE_RESULTS = """
| exercise                        | ref_date   | imw | for_work | return_imw |
|---------------------------------|------------|-----|----------|------------|
| ex_new_foreign_worker           | 2026-06-30 | 1   | 1        | 2          |
| ex_returned_factory_worker      | 2026-06-30 | 2   | 2        | 1          |
| ex_refugee_now_working          | 2026-06-30 | 1   | 2        | 2          |
| ex_naturalized_retiree          | 2026-06-30 | 2   | 2        | 2          |
| ex_seasonal_farm_worker         | 2026-06-30 | 2   | 2        | 1          |
"""


def test_exercises_match_their_explanations(module):
    """The answers of each training exercise give the classification its explanation states."""
    ages = {
        "ex_new_foreign_worker": 29,
        "ex_returned_factory_worker": 34,
        "ex_refugee_now_working": 41,
        "ex_naturalized_retiree": 70,
        "ex_seasonal_farm_worker": 23,
    }
    exercises = {e.id: e for e in module.exercises}
    for row in parse_table(EXERCISE_RESULTS):
        exercise = exercises[row["exercise"]]
        assert set(exercise.answers) <= set(module.question_by_id), exercise.id
        answers = {k: (COUNTRY if v == "COUNTRY" else v) for k, v in exercise.answers.items()}
        answers["age"] = ages[exercise.id]
        params = {"COUNTRY": COUNTRY, "REF_DATE": row["ref_date"], "RETURN_PERIOD_YEARS": 5}
        out = derive(module, frame(module, [answers]), params)
        got = (
            out.at[0, "international_migrant_worker"],
            out.at[0, "for_work_international_migrant"],
            out.at[0, "return_international_migrant_worker"],
        )
        assert got == (int(row["imw"]), int(row["for_work"]), int(row["return_imw"])), exercise.id

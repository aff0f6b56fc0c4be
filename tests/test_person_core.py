"""person-core 1.0.0: the shared person questions (issue 12). One citizenship list, one country
special-code set, one rule for "ever lived abroad", the ids of census-key-questions 1.0.0, and the
same definitions wherever a module uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.spec.lint import lint_paths
from migmodule.spec.load import load_spec_file
from migmodule.spec.registry import load_module
from test_module_census import KENYA, PARAMS, all_questions, table, truth

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "person-core" / "1.0.0.yaml"


@pytest.fixture(scope="module")
def core():
    return load_module(SPEC)


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths([str(SPEC)])
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]


def test_a_released_shared_module_with_the_person_levels(core):
    assert (core.id, core.version, core.kind, core.status.value) == (
        "person-core",
        "1.0.0",
        "shared",
        "released",
    )
    assert core.uses == []
    levels = {level.id: level for level in core.levels}
    assert set(levels) == {"household", "person"}
    assert levels["household"].id_variables == ["hh_id"]
    assert levels["person"].id_variables == ["hh_id", "person_no"]
    assert levels["person"].parent == "household"
    assert [q.id for q in core.questions] == [
        "sex",
        "age",
        "country_of_birth",
        "place_of_birth",
        "citizenship",
        "country_of_citizenship",
        "ever_lived_abroad",
        "year_of_arrival",
        "month_of_arrival",
        "reason_for_migration",
    ]


def test_one_citizenship_list(core):
    codes = {c.code: c for c in core.code_list_by_id["citizenship"].codes}
    assert sorted(codes) == [1, 2, 3, 4, 5, 8, 9]
    assert [codes[c].special for c in (1, 2, 3, 4, 5)] == [None] * 5
    assert codes[8].special.value == "dont_know" and codes[9].special.value == "not_stated"
    assert codes[4].label["en"].startswith("Stateless")
    assert codes[5].label["en"] == "Nationality undetermined"


def test_one_country_special_code_set(core):
    specials = {
        c.code
        for code_list in core.code_lists
        if code_list.source == "builtin:countries"
        for c in code_list.codes
    }
    assert specials == {990, 996, 998, 999}
    # stateless persons are citizenship code 4, never a country code
    assert 997 not in {c.code for c in core.code_list_by_id["citizenship_countries"].codes}


# Who is a citizen, a non-citizen, a foreign citizen, and who is asked the country of citizenship.
CITIZENSHIP = """
| citizenship | citizen | non_citizen | foreign_citizen | asked_country |
|-------------|---------|-------------|-----------------|---------------|
| 1           | yes     | no          | no              | no            |
| 2           | yes     | no          | no              | no            |
| 3           | no      | yes         | yes             | yes           |
| 4           | no      | yes         | no              | no            |
| 5           | no      | yes         | no              | no            |
| 8           | unknown | unknown     | unknown         | unknown       |
|             | unknown | unknown     | unknown         | unknown       |
"""


def test_citizenship_conditions_for_every_code(core):
    rows = table(CITIZENSHIP)
    data = all_questions(core, rows[["citizenship"]])
    word = {"yes": True, "no": False, "unknown": None}
    for condition in ("citizen", "non_citizen", "foreign_citizen"):
        got = truth(evaluate_frame(core, condition, data, PARAMS))
        assert got == [word[v] for v in rows[condition]], condition
    universe = core.question_by_id["country_of_citizenship"].universe
    assert truth(evaluate_frame(core, universe, data, PARAMS)) == [
        word[v] for v in rows["asked_country"]
    ]


def test_migratory_status_counts_undetermined_nationality_as_non_citizens(core):
    data = all_questions(
        core,
        table("""
        | country_of_birth | citizenship |
        |------------------|-------------|
        | COUNTRY          | 5           |
        | 250              | 5           |
        | 250              | 4           |
    """),
    )
    out = derive(core, data, {"COUNTRY": KENYA})
    assert out["citizenship_status"].tolist() == [2, 2, 2]
    assert out["migratory_status"].tolist() == [2, 4, 4]


def test_ever_lived_abroad_has_one_rule_the_national_residence_rule(core):
    rule = core.parameter_by_id["RESIDENCE_RULE"]
    assert rule.choices == ["most_of_12_months", "12_months"]
    question = core.question_by_id["ever_lived_abroad"]
    assert "RESIDENCE_RULE" in " ".join(n.text["en"] for n in question.notes)
    for lang in ("en", "fr", "es"):
        assert "12" in question.instructions[lang] and "6" not in question.label[lang]
    assert any("RESIDENCE_RULE" in n.text["en"] for n in core.notes)
    # asked of natives, persons whose birth country is not known, and citizens
    data = all_questions(
        core,
        table("""
        | country_of_birth | citizenship |
        |------------------|-------------|
        | COUNTRY          | 3           |
        | 998              | 3           |
        | 250              | 1           |
        | 250              | 3           |
    """),
    )
    assert truth(evaluate_frame(core, question.universe, data, PARAMS)) == [True, True, True, False]


def test_ids_and_variable_names_are_those_of_census_1_0_0(core):
    census = load_module(MODULES / "census-key-questions" / "1.0.0.yaml")
    for q in core.questions:
        if q.id == "month_of_arrival":
            assert q.id not in census.question_by_id  # new in 2.0.0
            continue
        old = census.question_by_id[q.id]
        assert (q.variable_name, q.type, q.level, q.code_list) == (
            old.variable_name,
            old.type,
            old.level,
            old.code_list,
        ), q.id
    for condition in ("born_in_country", "foreign_born", "lived_abroad", "arrived_from_abroad"):
        assert (
            core.condition_by_id[condition].expression
            == census.condition_by_id[condition].expression
        )


def test_a_using_module_gets_the_shared_definitions_unchanged(core):
    census = load_spec_file(MODULES / "census-key-questions" / "2.0.0.yaml").module
    for q in core.questions:
        used = census.question_by_id[q.id]
        assert used.shared_from == "person-core@1.0.0"
        assert used.model_copy(update={"shared_from": None}) == q, q.id
    for code_list in ("citizenship", "countries", "citizenship_countries"):
        assert (
            census.code_list_by_id[code_list].model_copy(update={"shared_from": None})
            == (core.code_list_by_id[code_list])
        )


def test_french_texts_name_the_country(core):
    from migmodule.spec.text import fill

    for condition in ("born_in_country", "citizen"):
        text = core.condition_by_id[condition].text["fr"]
        assert "du pays" not in text and "dans le pays" not in text, text
    assert fill(
        core.condition_by_id["born_in_country"].text["fr"], core, {"COUNTRY": 384}, "fr"
    ) == ("nées en Côte d'Ivoire")

"""The rural-migration module: lint, routing, compiled universes and the derived classifications.

The derived variables are checked on small hand-made frames written as markdown tables (blank
cells are missing), one row per household, member or former member.
"""

from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import prepare
from migmodule.expr.sentence import describe_universe
from migmodule.expr.targets import CSProLogic, XPath
from migmodule.spec.lint import lint_paths
from migmodule.spec.model import QuestionType
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from tables import raw_frame

SPEC = Path(__file__).resolve().parent.parent / "modules" / "rural-migration" / "1.0.0.yaml"
KENYA = {"COUNTRY": 404}
MULTIPLE = (
    "remit_from_whom",
    "remit_origin",
    "remit_use",
    "remit_sent_to",
    "remit_sent_destination",
    "land_worked_by",
)


@pytest.fixture(scope="module")
def module():
    return load_module(SPEC)


@pytest.fixture(scope="module")
def params(module):
    return resolve_parameters(module, KENYA)


def frame(text: str) -> pd.DataFrame:
    """A small data frame written as a markdown table; blank cells are missing."""
    out = raw_frame(text)
    for column in out.columns:
        if column not in MULTIPLE:
            out[column] = pd.to_numeric(out[column])
    return out


def values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


# --- the file itself ---------------------------------------------------------------------------


def test_lint_is_clean():
    findings = lint_paths([str(SPEC)])
    serious = [
        f"{f.code} {f.message}" for f in findings if f.severity.value in ("error", "warning")
    ]
    assert serious == []


def test_released_first_version_in_three_languages(module):
    assert module.id == "rural-migration"
    assert module.version == "1.0.0"
    assert module.status.value == "released"
    assert module.languages == ["en", "fr", "es"]


def test_levels_are_household_member_and_former_member(module):
    levels = module.level_by_id
    assert set(levels) == {"household", "member", "former_member"}
    assert levels["member"].parent == "household" and levels["member"].repeat
    assert levels["member"].id_variables == ["hh_id", "member_no"]
    former = levels["former_member"]
    assert former.parent == "household" and former.repeat and former.max_units == 20
    assert former.id_variables == ["hh_id", "former_no"]
    count = module.question_by_id[former.count]
    assert count.level == "household" and count.type is QuestionType.INTEGER
    assert count.range.maximum == former.max_units


def test_every_question_has_status_sources_and_definition(module):
    for q in module.questions:
        assert q.status_source, q.id
        assert q.sources, q.id
        assert q.definition and q.instructions, q.id


def test_inference_is_flagged_in_the_module_notes(module):
    kinds = {note.kind for note in module.notes}
    assert {"inference", "caveat"} <= kinds
    faorm = next(s for s in module.sources if s.id == "FAORM")
    assert "NOT AVAILABLE" in faorm.note
    cited = {c.source for q in module.questions for c in q.sources}
    assert (
        "FAORM" not in cited
    )  # the unread FAO instrument is never cited as the source of a question


def test_origin_and_destination_share_one_code_list(module):
    shared = {
        "birth_place_type",
        "previous_place_type",
        "former_destination_type",
        "remit_origin",
        "remit_sent_destination",
    }
    assert {module.question_by_id[q].code_list for q in shared} == {"place_type"}
    codes = {c.code: c.special for c in module.code_list_by_id["place_type"].codes}
    assert [c for c, special in codes.items() if special is None] == [1, 2, 3, 4]


# --- household derived classifications -----------------------------------------------------------


def test_households_with_an_out_migrant(module):
    data = frame("""
        | former_members_left |
        |---------------------|
        | 1                   |
        | 2                   |
        | 8                   |
        | 9                   |
        |                     |
    """)
    out = derive(module, data, KENYA, level="household")
    assert out["hh_has_out_migrant"].tolist() == [1, 2, 9, 9, 9]


def test_households_receiving_remittances(module):
    data = frame("""
        | remit_received |
        |----------------|
        | 1              |
        | 2              |
        | 8              |
        |                |
    """)
    out = derive(module, data, KENYA, level="household")
    assert out["hh_receives_remittances"].tolist() == [1, 2, 9, 9]


def test_remittance_share_of_income(module):
    data = frame("""
        | remit_received | remit_cash_received | remit_inkind_received | hh_total_income_12m |
        |----------------|---------------------|-----------------------|---------------------|
        | 1              | 300000              | 100000                | 1600000             |
        | 1              | 50000               | 0                     | 200000              |
        | 1              | 300000              | 100000                |                     |
        | 1              | 300000              | 100000                | 0                   |
        | 1              | 300000              | 100000                | -50000              |
        | 1              | 300000              | 100000                | 999999998           |
        | 1              | 999999998           | 100000                | 1600000             |
        | 2              |                     |                       | 1600000             |
    """)
    out = derive(module, data, KENYA, level="household")
    assert values(out["remittance_share_of_income"]) == [
        0.25,
        0.25,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert values(out["remittances_received_total"])[:3] == [400000, 50000, 400000]
    assert values(out["remittances_received_total"])[6:] == [None, None]


def test_remittance_share_needs_a_twelve_month_recall(module):
    data = frame("""
        | remit_received | remit_cash_received | remit_inkind_received | hh_total_income_12m |
        |----------------|---------------------|-----------------------|---------------------|
        | 1              | 300000              | 100000                | 1600000             |
    """)
    out = derive(module, data, {**KENYA, "REMITTANCE_PERIOD_MONTHS": 6}, level="household")
    assert values(out["remittance_share_of_income"]) == [None]


# --- member derived classifications -----------------------------------------------------------------


def test_return_migrant_only_for_adults_back_after_a_long_enough_absence(module):
    data = frame("""
        | age | ever_lived_away | months_away |
        |-----|-----------------|-------------|
        | 34  | 1               | 36          |
        | 15  | 1               | 6           |
        | 40  | 1               | 4           |
        | 40  | 2               |             |
        | 12  | 1               |             |
        | 30  | 1               | 998         |
        | 999 | 1               | 24          |
        | 999 | 2               |             |
        | 30  | 8               |             |
    """)
    out = derive(module, data, KENYA, level="member")
    assert out["return_migrant"].tolist() == [1, 1, 2, 2, 2, 1, 9, 2, 9]
    # With a 12-month threshold the 6-month absence no longer counts.
    strict = derive(module, data, {**KENYA, "MIN_ABSENCE_MONTHS": 12}, level="member")
    assert strict["return_migrant"].tolist()[:3] == [1, 2, 2]


def test_return_migrants_among_adults_is_a_share_over_adults(module):
    data = frame("""
        | age | ever_lived_away | months_away |
        |-----|-----------------|-------------|
        | 34  | 1               | 36          |
        | 50  | 2               |             |
        | 22  | 2               |             |
        | 61  | 1               | 120         |
        | 8   | 1               |             |
        | 3   | 2               |             |
    """)
    out = derive(module, data, KENYA, level="member")
    adults = evaluate_frame(module, "adult", data, KENYA).fillna(False).to_numpy(dtype=bool)
    share = (out["return_migrant"][adults] == 1).mean()
    assert share == 0.5


def test_in_migrant_and_lifetime_migrant(module):
    data = frame("""
        | born_here | ever_lived_away | years_in_locality |
        |-----------|-----------------|-------------------|
        | 1         | 2               |                   |
        | 1         | 1               | 2                 |
        | 2         | 2               | 4                 |
        | 2         | 2               | 5                 |
        | 2         | 2               | 998               |
        | 9         | 2               |                   |
    """)
    out = derive(module, data, KENYA, level="member")
    assert out["in_migrant"].tolist() == [2, 1, 1, 2, 9, 9]
    assert out["lifetime_migrant"].tolist() == [2, 2, 1, 1, 1, 9]


def test_exercises_classify_as_explained(module):
    by_id = {e.id: e.answers for e in module.exercises}
    people = pd.DataFrame(
        [
            by_id[e]
            for e in ("ex_returnee_from_abroad", "ex_seasonal_worker", "ex_teacher_from_town")
        ]
    )
    out = derive(module, people, KENYA, level="member")
    assert out["return_migrant"].tolist() == [1, 2, 2]
    assert out["in_migrant"].tolist() == [1, 2, 1]
    assert out["lifetime_migrant"].tolist() == [2, 2, 1]
    households = pd.DataFrame([by_id[e] for e in ("ex_son_in_town", "ex_who_is_a_former_member")])
    hh = derive(
        module,
        households.drop(
            columns=[c for c in households.columns if module.question_by_id[c].level != "household"]
        ),
        KENYA,
        level="household",
    )
    assert hh["hh_has_out_migrant"].tolist() == [1, 2]
    assert hh["hh_receives_remittances"].tolist() == [1, 1]
    assert values(hh["remittances_received_total"]) == [680000, 150000]


def test_exercise_answers_are_valid_codes(module):
    for exercise in module.exercises:
        for qid, answer in exercise.answers.items():
            question = module.question_by_id[qid]
            if question.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
                codes = {c.code for c in module.code_list_by_id[question.code_list].codes}
                for code in str(answer).split():
                    assert int(code) in codes, (exercise.id, qid, code)


# --- routing -----------------------------------------------------------------------------------------

HOUSEHOLDS = """
    | former_members_left | former_members_number | farm_household | remit_received | remit_origin | remit_use | remit_sent | hired_replacement_labour |
    |---------------------|-----------------------|----------------|----------------|--------------|-----------|------------|--------------------------|
    | 1                   | 2                     | 1              | 1              | 3 4          | 1 5 7     | 1          | 1                        |
    | 2                   |                       | 2              | 2              |              |           | 2          |                          |
    | 8                   |                       | 1              | 8              |              |           | 8          |                          |
"""

MEMBERS = """
    | age | born_here | birth_place_type | ever_lived_away | previous_place_type |
    |-----|-----------|------------------|-----------------|---------------------|
    | 34  | 1         |                  | 1               | 4                   |
    | 29  | 2         | 4                | 2               | 3                   |
    | 6   | 1         |                  | 2               |                     |
"""

FORMER = """
    | former_members_left | former_destination_type |
    |---------------------|-------------------------|
    | 1                   | 4                       |
    | 1                   | 3                       |
    | 2                   | 4                       |
    | 8                   | 4                       |
"""


def test_every_question_is_reachable_for_some_unit(module):
    frames = {
        "household": frame(HOUSEHOLDS),
        "member": frame(MEMBERS),
        "former_member": frame(FORMER),
    }
    for q in module.questions:
        if q.universe is None:
            continue
        asked = evaluate_frame(module, q.universe, frames[q.level], KENYA)
        assert asked.fillna(False).any(), f"{q.id} is asked of no hand-made {q.level}"


def test_former_member_questions_only_when_the_household_reports_former_members(module):
    data = frame(FORMER)
    former = [q for q in module.questions if q.level == "former_member"]
    assert len(former) >= 10
    for q in former:
        assert q.universe, q.id
        asked = evaluate_frame(module, q.universe, data, KENYA).fillna(False).tolist()
        assert asked[2:] == [False, False], q.id  # household answered No or don't know
        assert asked[0], q.id
    count = module.question_by_id[module.level_by_id["former_member"].count]
    households = frame(HOUSEHOLDS)
    assert evaluate_frame(module, count.universe, households, KENYA).fillna(False).tolist() == [
        True,
        False,
        False,
    ]


def test_return_questions_only_for_adults_who_came_back(module):
    data = frame(MEMBERS)
    asked = evaluate_frame(module, module.question_by_id["months_away"].universe, data, KENYA)
    assert asked.fillna(False).tolist() == [True, False, False]


# --- compilation and sentences -------------------------------------------------------------------------


def _conditions(module):
    """(label, level, text, self_id) for every universe, constraint, edit and derived condition."""
    for q in module.questions:
        if q.universe:
            yield f"universe of {q.id}", q.level, q.universe, None
        if q.constraint:
            yield f"constraint of {q.id}", q.level, q.constraint, q.id
    for e in module.edits:
        if e.when:
            yield f"edit {e.id} when", e.level, e.when, None
        yield f"edit {e.id} check", e.level, e.check, None
    for d in module.derived:
        for case in d.cases or []:
            if case.when:
                yield f"derived {d.id}", d.level, case.when, None
        if d.when:
            yield f"derived {d.id} when", d.level, d.when, None


def test_every_rule_compiles_to_xlsform_and_cspro(module, params):
    for label, _, text, self_id in _conditions(module):
        tree = prepare(module, text, params)
        for target in (XPath(module, self_id=self_id), CSProLogic(module, self_id=self_id)):
            assert target.true_form(tree), label
            assert target.false_form(tree), label
    for d in module.derived:
        if d.expression:
            tree = prepare(module, d.expression, params)
            when = prepare(module, d.when, params) if d.when else None
            assert "div" in XPath(module).expression_value(tree, when) or "+" in XPath(
                module
            ).expression_value(tree, when)
            assert CSProLogic(module).value(tree), d.id
        if d.cases:
            cases = [
                (prepare(module, c.when, params) if c.when else None, c.value) for c in d.cases
            ]
            assert XPath(module).cases(cases).startswith("if(")
            assert CSProLogic(module).cases(cases).endswith("endif;")


def test_remittance_share_compiles_to_a_guarded_division(module, params):
    share = module.derived_by_id["remittance_share_of_income"]
    xpath = XPath(module).expression_value(
        prepare(module, share.expression, params), prepare(module, share.when, params)
    )
    assert "div ${hh_total_income_12m}" in xpath and "${hh_total_income_12m} > 0" in xpath


STARTS = {
    "en": ("Asked of ",),
    "fr": ("Posée aux ", "Posée à l'ensemble des "),
    "es": ("Universo: ",),
}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_universes_describe_in_every_language(module, params, lang):
    for q in module.questions:
        sentence = describe_universe(module, q.universe, q.level, lang, params)
        assert sentence.startswith(STARTS[lang]), (q.id, sentence)
        assert "{" not in sentence and "?" not in sentence, (q.id, sentence)


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Asked of members aged 15 or over who lived away and came back."),
        ("fr", "Posée aux membres âgés de 15 ans ou plus qui ont vécu ailleurs puis sont revenus."),
        ("es", "Universo: miembros de 15 años o más que vivieron fuera y regresaron."),
    ],
)
def test_return_universe_sentence(module, params, lang, expected):
    universe = module.question_by_id["months_away"].universe
    assert describe_universe(module, universe, "member", lang, params) == expected


def test_former_member_universe_sentence(module, params):
    universe = module.question_by_id["former_destination_country"].universe
    assert describe_universe(module, universe, "former_member", "en", params) == (
        "Asked of former members who went to live abroad."
    )

"""rural-migration 2.0.0 (issue 13): the person questions and levels of person-core, remittances
from abroad apart from those from within the country, the current place of former members, deaths
that are not departures, seasonal mobility, and the wording fixes of the review, each on rows
that should and should not trigger it. The released text is read for the language fixes.

Tables: the survey country is Kenya (404); a blank cell is a blank answer.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import prepare
from migmodule.expr.targets import CSProLogic, XPath
from migmodule.spec.diff import diff_modules, required_bump
from migmodule.spec.lint import lint_paths
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from tables import raw_frame

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "rural-migration" / "2.0.0.yaml"
KENYA = {"COUNTRY": 404}
MULTIPLE = {
    "remit_from_whom",
    "remit_origin",
    "remit_use",
    "remit_sent_to",
    "remit_sent_destination",
    "land_worked_by",
}


@pytest.fixture(scope="module")
def module():
    return load_module(SPEC)


@pytest.fixture(scope="module")
def params(module):
    return resolve_parameters(module, KENYA)


def frame(module, text: str) -> pd.DataFrame:
    """A markdown table as a frame: numbers are numbers, COUNTRY is Kenya, blank is missing; every
    question the table does not give is a blank column."""
    out = raw_frame(text)
    for column in out.columns:
        out[column] = out[column].replace("COUNTRY", "404")
        if column not in MULTIPLE and column != "case":
            out[column] = pd.to_numeric(out[column])
    for q in module.questions:
        if q.id not in out.columns:
            out[q.id] = pd.NA
    return out


def values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def failing(module, edit_id: str, data: pd.DataFrame) -> list[bool]:
    """Rows where the edit fails: `when` true and `check` false (unknown is not a failure)."""
    edit = module.edit_by_id[edit_id] if hasattr(module, "edit_by_id") else None
    edit = edit or next(e for e in module.edits if e.id == edit_id)
    when = (
        evaluate_frame(module, edit.when, data, KENYA)
        if edit.when
        else pd.Series(True, index=data.index, dtype="boolean")
    )
    check = evaluate_frame(module, edit.check, data, KENYA)
    return (when.fillna(False) & (~check).fillna(False)).astype(bool).tolist()


def asked(module, qid: str, data: pd.DataFrame) -> list[bool]:
    universe = module.question_by_id[qid].universe
    return evaluate_frame(module, universe, data, KENYA).fillna(False).astype(bool).tolist()


# --- the file, its sources and the shared layer ------------------------------------------------


def test_lint_reports_no_error_and_no_warning(tmp_path):
    """Linted next to person-core and rural 1.0.0 only, so a sibling module being edited in the
    same tree cannot hide or cause a finding."""
    for folder in ("person-core", "rural-migration"):
        shutil.copytree(MODULES / folder, tmp_path / folder)
    shutil.copy(MODULES / "released.json", tmp_path / "released.json")
    findings = lint_paths([str(tmp_path / "rural-migration" / "2.0.0.yaml")])
    bad = [f for f in findings if f.severity in ("error", "warning")]
    assert not bad, [str(f) for f in bad]


def test_title_and_sources_claim_only_what_the_module_rests_on(module):
    for lang in ("en", "fr", "es"):
        assert "50x2030" not in module.title[lang]
    ids = {s.id for s in module.sources}
    assert "FIFTY" not in ids and "FAORM" not in ids
    assert {"SOFA18", "FAOMF19"} <= ids
    for source in ("SOFA18", "FAOMF19"):
        assert next(s for s in module.sources if s.id == source).url
    bpm6 = next(s for s in module.sources if s.id == "BPM6")
    assert "not verified" in bpm6.note and "remit_cash_abroad" in bpm6.note


def test_person_questions_and_levels_come_from_person_core(module):
    shared = {q.id for q in module.questions if q.shared_from}
    assert shared == {"sex", "age", "country_of_birth", "citizenship", "country_of_citizenship"}
    levels = {level.id: level for level in module.levels}
    assert set(levels) == {"household", "person", "former_member"}
    assert levels["person"].id_variables == ["hh_id", "person_no"]
    assert levels["former_member"].parent == "household"
    assert levels["former_member"].id_variables == ["hh_id", "former_no"]
    own_person = [q.id for q in module.questions if q.level == "person" and not q.shared_from]
    assert {"born_here", "months_away", "seasonal_away"} <= set(own_person)
    assert not [q for q in module.questions if q.level == "member"]
    census = load_module(MODULES / "census-key-questions" / "2.0.0.yaml")
    census_person = next(level for level in census.levels if level.id == "person")
    assert census_person.id_variables == levels["person"].id_variables
    assert "migratory_status" in module.derived_by_id


# --- remittances: international apart from domestic ---------------------------------------------

REMITTANCES = """
| case              | remit_received | remit_origin | remit_cash_domestic | remit_inkind_domestic | remit_cash_abroad | remit_inkind_abroad | hh_total_income_12m |
|-------------------|----------------|--------------|---------------------|-----------------------|-------------------|---------------------|---------------------|
| town and abroad   | 1              | 3 4          | 200000              | 50000                 | 600000            | 0                   | 3400000             |
| town only         | 1              | 3            | 150000              | 0                     | 0                 | 0                   | 600000              |
| abroad only       | 1              | 4            | 0                   | 0                     | 300000            | 100000              |                     |
| rural, goods only | 1              | 2            | 0                   | 40000                 | 0                 | 0                   | 400000              |
| nothing received  | 2              |              |                     |                       |                   |                     | 500000              |
| origin not known  | 1              | 8            | 999999998           | 0                     | 999999998         | 0                   | 500000              |
| abroad, dk amount | 1              | 1 4          | 10000               | 0                     | 999999998         | 0                   | 500000              |
"""


def test_international_remittances_are_kept_apart_from_domestic(module):
    data = frame(module, REMITTANCES)
    out = derive(module, data, KENYA, level="household").set_index("case")
    assert values(out["remit_international_total"]) == [600000, 0, 400000, 0, None, None, None]
    assert values(out["remit_domestic_total"]) == [250000, 150000, 0, 40000, None, None, 10000]
    assert values(out["remittances_received_total"]) == [
        850000,
        150000,
        400000,
        40000,
        None,
        None,
        None,
    ]
    assert out["hh_receives_intl_remittances"].tolist() == [1, 2, 1, 2, 2, 9, 1]
    assert out["hh_receives_remittances"].tolist() == [1, 1, 1, 1, 2, 1, 1]
    share = values(out["remittance_share_of_income"])
    assert share[:2] == [0.25, 0.25]
    assert share[2:] == [None, 0.1, None, None, None]


def test_remittance_share_needs_a_twelve_month_recall(module):
    data = frame(module, REMITTANCES)
    out = derive(module, data, {**KENYA, "REMITTANCE_PERIOD_MONTHS": 6}, level="household")
    assert values(out["remittance_share_of_income"]) == [None] * len(data)
    assert values(out["remit_international_total"])[0] == 600000


def test_the_four_amounts_are_asked_of_every_receiving_household(module):
    data = frame(module, REMITTANCES)
    for qid in ("remit_cash_domestic", "remit_inkind_domestic", "remit_cash_abroad"):
        assert asked(module, qid, data) == [True, True, True, True, False, True, True], qid
    assert "remit_cash_received" not in module.question_by_id
    assert "remit_inkind_received" not in module.question_by_id


EDITS = """
| case                     | remit_received | remit_origin | remit_cash_domestic | remit_inkind_domestic | remit_cash_abroad | remit_inkind_abroad |
|--------------------------|----------------|--------------|---------------------|-----------------------|-------------------|---------------------|
| consistent               | 1              | 3 4          | 200000              | 50000                 | 600000            | 0                   |
| all four zero            | 1              | 3            | 0                   | 0                     | 0                 | 0                   |
| abroad amount, no sender | 1              | 3            | 200000              | 0                     | 600000            | 0                   |
| sender abroad, zero      | 1              | 4            | 200000              | 0                     | 0                 | 0                   |
| abroad amount dk         | 1              | 4            | 0                   | 0                     | 999999998         | 0                   |
| nothing received         | 2              |              |                     |                       |                   |                     |
"""


@pytest.mark.parametrize(
    "edit, expected",
    [
        ("RM09", [False, True, False, False, False, False]),
        ("RM16", [False, False, True, False, False, False]),
        ("RM17", [False, False, False, True, False, False]),
    ],
)
def test_remittance_amount_edits(module, edit, expected):
    data = frame(module, EDITS)
    assert failing(module, edit, data) == expected


def test_farm_investment_and_income_edits_read_the_total_of_the_four_amounts(module):
    data = frame(
        module,
        """
        | remit_received | remit_origin | remit_use | remit_cash_domestic | remit_inkind_domestic | remit_cash_abroad | remit_inkind_abroad | remit_farm_value | hh_total_income_12m |
        |----------------|--------------|-----------|---------------------|-----------------------|-------------------|---------------------|------------------|---------------------|
        | 1              | 3 4          | 5         | 100000              | 0                     | 100000            | 0                   | 150000           | 1000000             |
        | 1              | 3 4          | 5         | 100000              | 0                     | 100000            | 0                   | 250000           | 150000              |
        """,
    )
    assert failing(module, "RM11", data) == [False, True]
    assert failing(module, "RM12", data) == [False, True]


# --- former members: current place, corridors, per-sender amounts, deaths -----------------------

FORMER = """
| case                         | former_members_left | former_still_away | former_destination_type | former_current_place_type | former_current_country | former_sends_remittances | former_remit_cash | former_remit_inkind | former_reason_left |
|------------------------------|---------------------|-------------------|-------------------------|---------------------------|------------------------|--------------------------|-------------------|---------------------|--------------------|
| town then abroad, sends      | 1                   | 1                 | 3                       | 4                         | 682                    | 1                        | 600000            | 0                   | 1                  |
| in town now, sends           | 1                   | 1                 | 3                       | 3                         |                        | 1                        | 120000            | 30000               | 1                  |
| abroad, sends nothing        | 1                   | 1                 | 4                       | 4                         | 710                    | 2                        |                    |                     | 5                  |
| came back to the locality    | 1                   | 2                 | 3                       |                           |                        | 2                        |                    |                     | 3                  |
| abroad, country unknown      | 1                   | 1                 | 4                       | 4                         | 996                    | 1                        | 50000             | 0                   | 1                  |
| still away, place not stated | 1                   | 1                 | 2                       | 9                         |                        | 9                        |                    |                     | 2                  |
| listed, but died             | 1                   |                   |                         |                           |                        |                          |                    |                     | 97                 |
"""


def test_former_members_currently_abroad_follow_the_current_place(module):
    data = frame(module, FORMER)
    out = derive(module, data, KENYA, level="former_member").set_index("case")
    assert out["former_currently_abroad"].tolist() == [1, 2, 1, 2, 1, 9, 9]


def test_remittance_corridors_and_per_sender_amounts(module):
    data = frame(module, FORMER)
    out = derive(module, data, KENYA, level="former_member").set_index("case")
    assert values(out["remittance_corridor_country"]) == [682, None, None, None, 996, None, None]
    assert values(out["former_remit_total"]) == [600000, 150000, None, None, 50000, None, None]


def test_current_place_questions_follow_still_away_and_abroad(module):
    data = frame(module, FORMER)
    assert asked(module, "former_current_place_type", data) == [
        True,
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    assert asked(module, "former_current_country", data) == [
        True,
        False,
        True,
        False,
        True,
        False,
        False,
    ]
    for qid in ("former_remit_cash", "former_remit_inkind"):
        assert asked(module, qid, data) == [True, True, False, False, True, False, False], qid
    none_left = frame(module, FORMER).assign(former_members_left=2)
    for q in module.questions:
        if q.level == "former_member":
            assert not any(asked(module, q.id, none_left)), q.id


def test_a_person_who_died_is_not_a_former_member(module):
    codes = {c.code: c for c in module.code_list_by_id["leave_reason"].codes}
    assert "Died" in codes[97].label["en"] and "delete" in codes[97].label["en"]
    assert module.question_by_id["former_reason_left"].code_list == "leave_reason"
    assert failing(module, "RM14", frame(module, FORMER)) == [False] * 6 + [True]
    universe = module.condition_by_id["in_leaver_household"].text
    assert (
        "died" in universe["en"] and "décédée" in universe["fr"] and "fallecida" in universe["es"]
    )
    left = module.question_by_id["former_members_left"].instructions
    assert "died" in left["en"] and "décédées" in left["fr"] and "fallecidas" in left["es"]


def test_one_sender_cannot_send_more_than_the_household_received(module):
    data = frame(
        module,
        """
        | former_members_left | former_sends_remittances | former_remit_cash | former_remit_inkind | remit_received | remit_origin | remit_cash_domestic | remit_inkind_domestic | remit_cash_abroad | remit_inkind_abroad |
        |---------------------|--------------------------|-------------------|---------------------|----------------|--------------|---------------------|-----------------------|-------------------|---------------------|
        | 1                   | 1                        | 600000            | 0                   | 1              | 4            | 0                   | 0                     | 600000            | 0                   |
        | 1                   | 1                        | 600000            | 80000               | 1              | 4            | 0                   | 0                     | 600000            | 0                   |
        | 1                   | 2                        |                   |                     | 1              | 4            | 0                   | 0                     | 600000            | 0                   |
        """,
    )
    assert failing(module, "RM15", data) == [False, True, False]


def test_household_with_a_member_who_left_says_what_it_counts(module):
    assert "hh_has_out_migrant" not in module.derived_by_id
    left = module.derived_by_id["hh_member_left_in_period"]
    assert "only leaver has since come back to the locality" in left.description["en"]
    assert "still away or not" in left.variable_label["en"]
    assert "former_currently_abroad" in left.description["en"]
    data = frame(
        module,
        """
        | former_members_left |
        |---------------------|
        | 1                   |
        | 2                   |
        | 8                   |
        |                     |
        """,
    )
    out = derive(module, data, KENYA, level="household")
    assert out["hh_member_left_in_period"].tolist() == [1, 2, 9, 9]


# --- current members: seasonal mobility, birth, citizenship --------------------------------------

MEMBERS = """
| case                    | age | born_here | birth_place_type | country_of_birth | citizenship | ever_lived_away | months_away | previous_place_type | seasonal_away |
|-------------------------|-----|-----------|------------------|------------------|-------------|-----------------|-------------|---------------------|---------------|
| seasonal builder        | 40  | 1         |                  | COUNTRY          | 1           | 2               |             |                     | 1             |
| never left              | 52  | 1         |                  | COUNTRY          | 1           | 2               |             |                     | 2             |
| child                   | 9   | 1         |                  | COUNTRY          | 1           | 2               |             |                     |               |
| adult, not stated       | 30  | 1         |                  | COUNTRY          | 1           | 2               |             |                     | 9             |
| citizen back from abroad| 34  | 1         |                  | COUNTRY          | 1           | 1               | 36          | 4                   | 2             |
| back from town          | 28  | 1         |                  | COUNTRY          | 1           | 1               | 24          | 3                   | 2             |
| foreigner, lived abroad | 45  | 2         | 4                | 854              | 3           | 1               | 24          | 4                   | 2             |
"""


def test_seasonal_movers_among_adults(module):
    data = frame(module, MEMBERS)
    out = derive(module, data, KENYA, level="person").set_index("case")
    assert out["seasonal_migrant"].tolist() == [1, 2, 2, 9, 2, 2, 2]
    assert asked(module, "seasonal_away", data) == [True, True, False, True, True, True, True]
    assert asked(module, "seasonal_months", data) == [True] + [False] * 6
    assert asked(module, "seasonal_place_type", data) == [True] + [False] * 6


def test_international_return_migrants_are_citizens_back_from_abroad(module):
    data = frame(module, MEMBERS)
    out = derive(module, data, KENYA, level="person").set_index("case")
    assert out["return_migrant"].tolist() == [2, 2, 2, 2, 1, 1, 1]
    assert out["return_migrant_from_abroad"].tolist() == [2, 2, 2, 2, 1, 2, 2]
    assert out["migratory_status"].tolist() == [1, 1, 1, 1, 1, 1, 4]


def test_locality_of_birth_agrees_with_the_shared_country_of_birth(module):
    data = frame(
        module,
        """
        | born_here | birth_place_type | country_of_birth |
        |-----------|------------------|------------------|
        | 1         |                  | COUNTRY          |
        | 1         |                  | 854              |
        | 2         | 4                | 854              |
        | 2         | 4                | COUNTRY          |
        | 2         | 3                | COUNTRY          |
        | 2         | 3                | 854              |
        | 2         | 3                | 999              |
        """,
    )
    assert failing(module, "RM18", data) == [False, True, False, False, False, False, False]
    assert failing(module, "RM02", data) == [False, False, False, True, False, False, False]
    assert failing(module, "RM13", data) == [False, False, False, False, False, True, False]


# --- exercises -------------------------------------------------------------------------------------


def test_exercises_classify_as_explained(module):
    by_id = {e.id: e.answers for e in module.exercises}
    people = pd.DataFrame([by_id["ex_seasonal_worker"]])
    assert derive(module, people, KENYA, level="person")["seasonal_migrant"].tolist() == [1]
    households = pd.DataFrame([by_id[e] for e in ("ex_son_in_town", "ex_who_is_a_former_member")])
    hh = derive(
        module,
        households[
            [c for c in households.columns if module.question_by_id[c].level == "household"]
        ],
        KENYA,
        level="household",
    )
    assert values(hh["remittances_received_total"]) == [680000, 150000]
    assert values(hh["remit_international_total"]) == [0, 0]
    assert hh["hh_member_left_in_period"].tolist() == [1, 2]


# --- every rule compiles ------------------------------------------------------------------------


def test_every_rule_compiles_to_xlsform_and_cspro(module, params):
    rules = []
    for q in module.questions:
        if q.universe:
            rules.append((q.id, q.universe, None))
        if q.constraint:
            rules.append((q.id, q.constraint, q.id))
    for e in module.edits:
        rules += [(e.id, e.check, None)] + ([(e.id, e.when, None)] if e.when else [])
    for d in module.derived:
        rules += [(d.id, c.when, None) for c in d.cases or [] if c.when]
        if d.when:
            rules.append((d.id, d.when, None))
    for label, text, self_id in rules:
        tree = prepare(module, text, params)
        for target in (XPath(module, self_id=self_id), CSProLogic(module, self_id=self_id)):
            assert target.true_form(tree), label
    for d in module.derived:
        if d.expression and not d.shared_from:
            assert CSProLogic(module).value(prepare(module, d.expression, params)), d.id


# --- language fixes, on the released text -------------------------------------------------------


def _texts(node, lang=None):
    """(language, text) for every string under a language key of the YAML file."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, key if key in ("en", "fr", "es") else lang)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, lang)
    elif isinstance(node, str) and lang:
        yield lang, node


@pytest.fixture(scope="module")
def texts():
    return list(_texts(yaml.safe_load(SPEC.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    "lang, pattern, why",
    [
        ("es", r"\bpueblo", "'pueblo' meant rural in one code and urban in another"),
        ("es", r"\(re\)", "'(re)gresó' cannot be read aloud"),
        ("fr", r"\(re\)", "'(re)venue' cannot be read aloud"),
        ("es", r"exmiembro", "'exmiembro' reads badly"),
        ("es", r"\bidos\b", "'idos' is archaic"),
        ("fr", r"\bimmigrant|\bémigrant", "immigrant/émigrant imply an international move"),
        ("fr", r"quelle part", "'part' asks for a share where an amount is meant"),
        ("fr", r"rémunéré de l'entraide", "paid mutual help contradicts itself"),
        ("fr", r"(?<!En )\bQuel mois", "'Quel mois' needs 'En quel mois'"),
        ("fr", r"Combien ont-ils payé", "no antecedent"),
        ("es", r"\btú\b|\btienes\b|\beres\b", "one Spanish register (usted)"),
        ("en", r"50x2030 surveys", "50x2030 is not what the module rests on"),
    ],
)
def test_released_text_has_no_reviewed_wording(texts, lang, pattern, why):
    bad = [t for language, t in texts if language == lang and re.search(pattern, t)]
    assert not bad, (why, bad[:3])


def test_pueblo_codes_are_told_apart(module):
    codes = {c.code: c.label["es"] for c in module.code_list_by_id["place_type"].codes}
    assert codes[1] == "Esta misma localidad (la aldea o la ciudad donde vive el hogar)"
    assert codes[3] == "Una zona urbana del país (ciudad)"


def test_select_all_is_an_instruction_not_part_of_the_question(module):
    multiple = [q for q in module.questions if q.id in MULTIPLE]
    assert len(multiple) == len(MULTIPLE)
    for q in multiple:
        for lang, phrase in (("en", "Record all"), ("fr", "Noter toutes"), ("es", "Anote todas")):
            assert phrase not in q.label[lang], q.id
        assert q.instructions["fr"].startswith("Plusieurs réponses possibles."), q.id
        assert q.instructions["en"].startswith("Several answers possible."), q.id
        assert q.instructions["es"].startswith("Puede haber varias respuestas."), q.id


def test_amount_and_exchange_labour_wording(module):
    farm = module.question_by_id["remit_farm_value"].label["fr"]
    assert "quel montant" in farm and "consacré à" in farm
    hired = module.question_by_id["hired_replacement_labour"].label
    assert "fait appel à\n" in hired["fr"] or "fait appel à l'entraide" in hired["fr"]
    assert "exchange (group) labour" in hired["en"]
    assert "que se fueron" in module.question_by_id["hired_replacement_labour"].variable_label["es"]
    assert module.derived_by_id["in_migrant"].label["fr"] == "Migrant entrant récent"


def test_the_changes_require_a_major_version(module):
    old = load_module(MODULES / "rural-migration" / "1.0.0.yaml")
    changes = diff_modules(old, module)
    assert required_bump(changes) == "major"
    items = {c.item for c in changes}
    for item in ("remit_cash_received", "remit_cash_abroad", "former_current_country"):
        assert item in items, item
    moved = {c.item for c in changes if c.kind == "level_changed"}
    assert {"born_here", "months_away"} <= moved  # member level -> person-core's person level


def test_released_with_its_checksum_recorded(module):
    import hashlib
    import json

    assert module.status.value == "released"
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    text = SPEC.read_bytes().replace(b"\r\n", b"\n")
    assert register["rural-migration/2.0.0.yaml"] == hashlib.sha256(text).hexdigest()
    assert (MODULES.parent / "xlsforms" / "rural-migration-2.0.0.xlsx").is_file()

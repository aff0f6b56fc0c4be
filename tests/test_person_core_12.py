"""person-core 1.2.0 speaks of "the census or survey": the same questions, codes and rules as
1.1.0 with texts a survey can use; labour-migration 2.2.0, recruitment-costs 4.1.0 and
rural-migration 2.1.0 use it; and minor versions that differ only in their texts combine in one
run, with the newest texts and a note (SPEC-USES-010)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.profile import adapt
from migmodule.spec.diff import diff_modules
from migmodule.spec.model import Module
from migmodule.spec.registry import load_module
from migmodule.spec.shared import align_shared_texts, check_shared_versions, rules_of

MODULES = Path(__file__).resolve().parents[1] / "modules"
OLD, NEW = "person-core@1.1.0", "person-core@1.2.0"
SURVEYS = {  # new version -> the version it follows
    "labour-migration@2.2.0": "labour-migration@2.1.0",
    "recruitment-costs@4.1.0": "recruitment-costs@4.0.0",
    "rural-migration@2.1.0": "rural-migration@2.0.0",
}
# Wording that supposes the run is a census ("the census questionnaire", "census country", "the
# census year"), where "the census or survey" is meant; "census practice" and "Mali 2009 census"
# cite censuses as such.
CENSUS = {
    "en": re.compile(
        r"\bthe census\b(?! or)|\bcensus (country|year|date|reference|questionnaire|moment|rule|population)",
        re.I,
    ),
    "fr": re.compile(r"\b(du|le|au) recensement\b(?! ou)|population recensée(?! ou)", re.I),
    "es": re.compile(r"\b(del|el) censo\b(?! o)|\bcensal\b(?! o)|población censada(?! o)", re.I),
}
# A text that also names the survey ("census moment or survey reference date") is written for both.
SURVEY = {"en": "survey", "fr": "enquêt", "es": "encuest"}
# The texts an interviewer, a trainer or a data user reads (not the sources and the notes, which
# cite censuses and national practice as such).
READ = ("label", "variable_label", "hint", "instructions", "definition", "description",
        "text", "title", "message", "constraint_message", "term")  # fmt: skip


def _raw(ref: str) -> dict:
    module_id, version = ref.split("@")
    return yaml.safe_load((MODULES / module_id / f"{version}.yaml").read_text(encoding="utf-8"))


def _is_text(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and len(k) == 2 and isinstance(v, str) for k, v in value.items()
    )


def _non_text(value):
    """The YAML with every text per language replaced by a marker (kept: everything else)."""
    if _is_text(value):
        return "<text>"
    if isinstance(value, dict):
        return {k: _non_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_non_text(v) for v in value]
    return value


def _census_only(value, field: str = "") -> list[tuple[str, str, str]]:
    """(field, language, text) of every read text worded for a census alone."""
    found = []
    if _is_text(value):
        if field in READ:
            for lang, text in value.items():
                if lang in CENSUS and CENSUS[lang].search(text) and SURVEY[lang] not in text:
                    found.append((field, lang, text))
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("sources", "notes", "changes", "purpose"):
                found += _census_only(item, key)
    elif isinstance(value, list):
        for item in value:
            found += _census_only(item, field)
    return found


def test_every_non_text_field_of_1_1_0_is_unchanged_in_1_2_0():
    old, new = _raw(OLD), _raw(NEW)
    assert (old.pop("version"), new.pop("version")) == ("1.1.0", "1.2.0")
    old.pop("changes"), new.pop("changes")
    old, new = _non_text(old), _non_text(new)
    assert old.keys() == new.keys()
    for key in old:
        assert old[key] == new[key], key
    # The loaded elements agree on their rules too, and differ in words where 1.2.0 rewords.
    a, b = load_module(OLD), load_module(NEW)
    reworded = []
    for key in (
        "parameters",
        "levels",
        "code_lists",
        "conditions",
        "questions",
        "edits",
        "derived",
    ):
        assert [x.id for x in getattr(a, key)] == [x.id for x in getattr(b, key)], key
        for x, y in zip(getattr(a, key), getattr(b, key), strict=True):
            assert rules_of(x) == rules_of(y), (key, x.id)
            reworded += [x.id] if x != y else []
    assert {"COUNTRY", "REF_DATE", "age", "recent_arrival_year", "C04_arrival_after_census"} <= set(
        reworded
    )


def test_1_2_0_no_longer_speaks_of_the_census_alone_where_1_1_0_did():
    before = _census_only(_raw(OLD))
    texts = [text for _, _, text in before]
    assert any("Copy the age from the census questionnaire" in t for t in texts)
    assert any(t == "Census country" for t in texts)
    assert {lang for _, lang, _ in before} == {"en", "fr", "es"}
    assert _census_only(_raw(NEW)) == []


@pytest.mark.parametrize("ref", sorted(SURVEYS))
def test_the_survey_modules_take_person_core_1_2_0_and_change_nothing_else(ref):
    module, previous = load_module(ref), load_module(SURVEYS[ref])
    assert module.shared_refs["person-core"] == NEW
    assert str(getattr(module.status, "value", module.status)) == "released"
    assert _census_only(_raw(ref)) == []
    for question in module.questions:  # what the survey's interviewers read
        if (question.shared_from or "").startswith("person-core@"):
            assert question.shared_from == NEW
            found = _census_only(question.model_dump(mode="json", exclude_none=True))
            assert found == [], (question.id, found)
    new_ids = {"age_group"} if ref.startswith("rural") else set()  # see below
    for key in ("questions", "conditions", "edits", "code_lists", "levels", "derived"):
        before = {x.id: rules_of(x) for x in getattr(previous, key)}
        after = {x.id: rules_of(x) for x in getattr(module, key)}
        assert set(after) - set(before) <= new_ids and set(before) <= set(after), key
        assert {k: after[k] for k in before} == before, key
    changes = diff_modules(previous, module)
    assert changes[0].impact == "minor"  # sorted, most important first: no major change
    assert any(c.kind == "uses_changed" for c in changes)
    added = {c.item for c in changes if c.kind.endswith("_added")}
    # rural-migration moves from 1.0.0: the ILO age bands come along with age (they read it).
    assert added == ({"age_group", "WORKING_AGE"} if ref.startswith("rural") else set())
    assert module.changes is not None and all(
        module.changes[lang].startswith(module.version) for lang in ("en", "fr", "es")
    )


def test_the_new_versions_are_released_and_recorded():
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    for ref in [NEW, *SURVEYS]:
        module_id, version = ref.split("@")
        assert f"{module_id}/{version}.yaml" in register, ref
    census = load_module("census-key-questions@2.0.0")
    assert census.shared_refs["person-core"] == "person-core@1.0.0"  # stays on what it uses


# Combining minor versions that differ only in their texts ------------------------------------


def _age_instruction(module: Module) -> str:
    return module.question_by_id["age"].instructions["en"]


@pytest.mark.parametrize("order", [0, 1])
def test_minor_versions_differing_in_texts_combine_with_the_newest_texts(order):
    pair = [load_module("labour-migration@2.2.0"), load_module("recruitment-costs@4.0.0")]
    if order:
        pair.reverse()
    assert {m.shared_refs["person-core"] for m in pair} == {OLD, NEW}
    findings = check_shared_versions(pair)
    assert [f.code for f in findings] == ["SPEC-USES-010"]
    assert findings[0].severity.value == "info"
    assert "age" in findings[0].values["elements"].split(", ")
    assert findings[0].values["newest"] == NEW
    aligned, again = align_shared_texts(pair)
    assert [f.message for f in again] == [f.message for f in findings]
    for module in aligned:
        assert "household questionnaire" in _age_instruction(module)
        assert module.question_by_id["age"].shared_from == NEW
    older = next(m for m in pair if m.shared_refs["person-core"] == OLD)
    assert "census questionnaire" in _age_instruction(older)  # the input is left as it was
    assert check_shared_versions(aligned) == []  # once aligned, nothing differs


def _with_age(module: Module, **update) -> Module:
    age = module.question_by_id["age"].model_copy(update=update)
    fields = {name: getattr(module, name) for name in type(module).model_fields}
    fields["questions"] = [age if q.id == "age" else q for q in module.questions]
    return Module(**fields)


def test_a_difference_in_rules_between_minor_versions_still_refuses():
    labour, costs = load_module("labour-migration@2.1.0"), load_module("recruitment-costs@4.1.0")
    age = costs.question_by_id["age"]
    bounds = age.range.model_copy(update={"maximum": 99})
    with pytest.raises(MigmoduleError) as caught:
        check_shared_versions([labour, _with_age(costs, range=bounds)])
    assert caught.value.finding.code == "SPEC-USES-008"
    assert caught.value.finding.values["element"] == "age"
    with pytest.raises(MigmoduleError):
        align_shared_texts([_with_age(costs, universe="age >= 5"), labour])
    # A label, a note or a source is a text: it combines.
    label = {**age.label, "en": "How old is [NAME]?"}
    assert [f.code for f in check_shared_versions([labour, _with_age(costs, label=label)])] == [
        "SPEC-USES-010"
    ]


def test_a_code_value_is_a_rule_and_a_code_label_a_text():
    core = load_module(NEW)
    sex = next(c for c in core.code_lists if c.id == "sex")
    first = sex.codes[0]
    relabelled = sex.model_copy(
        update={"codes": [first.model_copy(update={"label": {"en": "M"}}), *sex.codes[1:]]}
    )
    recoded = sex.model_copy(
        update={"codes": [first.model_copy(update={"code": 7}), *sex.codes[1:]]}
    )
    assert rules_of(relabelled) == rules_of(sex)
    assert rules_of(recoded) != rules_of(sex)


def test_the_cli_exports_and_validates_the_two_versions_together(tmp_path):
    refs = ["-m", "labour-migration@2.2.0", "-m", "recruitment-costs@4.0.0"]
    out = tmp_path / "lfs.xlsx"
    args = ["export", "xlsform", "recruitment-costs@4.0.0", "labour-migration@2.2.0"]
    result = CliRunner().invoke(main, [*args, "--country", "KEN", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "SPEC-USES-010" in result.output
    from openpyxl import load_workbook

    rows = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    header = rows[0]
    name, guidance = header.index("name"), header.index("guidance_hint::English (en)")
    age = [row for row in rows[1:] if row[name] == "age"]
    assert len(age) == 1
    assert "household questionnaire" in age[0][guidance]
    data = tmp_path / "persons.csv"
    data.write_text("hh_id,person_no,sex,age\n1,1,1,30\n1,2,2,28\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "validate",
            f"person={data}",
            *refs,
            "--country",
            "404",
            "--report",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code in (0, 1), result.output  # a report, not a refusal (2)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["modules"] == ["labour-migration@2.2.0", "recruitment-costs@4.0.0"]
    # The report says that person-core's newer texts were used (an info result, not an error).
    said = [f for f in report["findings"] if f["code"] == "SPEC-USES-010"]
    assert len(said) == 1 and said[0]["severity"] == "info"
    assert "SPEC-USES-010" in result.output


def test_the_newest_versions_of_the_four_modules_combine():
    """Without versions the bank gives census 2.0.0 (person-core 1.0.0) beside labour-migration
    2.2.0, recruitment-costs 4.1.0 and rural-migration 2.1.0 (person-core 1.2.0): they export
    together and ask each shared question once, worded as in 1.2.0."""
    from migmodule.export.xlsform import build_xlsform, convert_sheets
    from migmodule.spec.shared import align_adapted_texts

    newest = ["census-key-questions", "labour-migration", "recruitment-costs", "rural-migration"]
    adapted = [a for ref in newest for a in adapt(None, ref, country="KEN", languages=["en"])]
    cores = {a.module.shared_refs["person-core"] for a in adapted}
    assert cores == {"person-core@1.0.0", NEW}
    adapted, findings = align_adapted_texts(adapted)
    assert [f.code for f in findings] == ["SPEC-USES-010"]
    sheets, _ = build_xlsform(adapted, ["en"])
    rows = sheets["survey"]
    names = [row["name"] for row in rows if row["type"] != "end_repeat"]
    for name in ["sex", "age", "country_of_birth", "citizenship", "education_level", "age_group"]:
        assert names.count(name) == 1, name
    age = next(row for row in rows if row["name"] == "age")
    assert "household questionnaire" in age["guidance_hint::English (en)"]
    assert convert_sheets(sheets) == []

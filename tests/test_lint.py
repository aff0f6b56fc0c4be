"""Lint: one bad spec per issue code, each finding with code, severity, location and a fix."""

import copy
from pathlib import Path

import pytest
import yaml

from migmodule.naming import variable_name_problems
from migmodule.spec.lint import lint_paths

MINI = Path(__file__).parent / "specs" / "mini.yaml"
BASE = yaml.safe_load(MINI.read_text(encoding="utf-8"))


def write_spec(tmp_path: Path, change) -> Path:
    data = copy.deepcopy(BASE)
    change(data)
    folder = tmp_path / data["id"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['version']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def q(data, qid):
    return next(item for item in data["questions"] if item["id"] == qid)


def codes_of(path: Path) -> list[str]:
    return [f.code for f in lint_paths([str(path)]) if f.code != "LINT-VERSION-002"]


def test_the_test_module_is_clean(tmp_path):
    assert codes_of(write_spec(tmp_path, lambda d: None)) == []


def _set(path_fn, value):
    def change(data):
        target, key = path_fn(data)
        target[key] = value

    return change


CASES = {
    "SPEC-SCHEMA-001": lambda d: q(d, "age").update(colour="red"),
    "SPEC-YAML-001": None,  # written as raw text below
    "EXPR-SYNTAX-001": lambda d: q(d, "year_of_arrival").update(universe="foreign_born and"),
    "EXPR-SYNTAX-002": lambda d: q(d, "year_of_arrival").update(
        universe="country_of_birth != ‘404’"
    ),
    "EXPR-NAME-001": lambda d: q(d, "year_of_arrival").update(universe="foreign_bron"),
    "EXPR-NAME-002": lambda d: q(d, "year_of_arrival").update(
        universe="is_abroad(country_of_birth)"
    ),
    "EXPR-ARG-001": lambda d: q(d, "year_of_arrival").update(universe="known(age, age)"),
    "EXPR-LEVEL-001": lambda d: q(d, "any_member_abroad").update(universe="age > 15"),
    "EXPR-CODE-001": lambda d: q(d, "age").update(universe="any_member_abroad == 3"),
    "EXPR-SELF-001": lambda d: q(d, "age").update(universe=". > 3"),
    "EXPR-CYCLE-001": lambda d: d["conditions"].append(
        {"id": "loop", "expression": "loop and true", "text": {"en": "x", "fr": "x", "es": "x"}}
    ),
    "LINT-ID-001": lambda d: d["questions"].append(copy.deepcopy(q(d, "age"))),
    "LINT-REF-001": lambda d: q(d, "age").update(code_list="age_special"),
    "LINT-CODELIST-001": lambda d: d["code_lists"].append(
        {"id": "unused", "codes": [{"code": 1, "label": {"en": "a", "fr": "a", "es": "a"}}]}
    ),
    "LINT-CODELIST-002": lambda d: d["code_lists"][0]["codes"].append(
        copy.deepcopy(d["code_lists"][0]["codes"][0])
    ),
    "LINT-CODELIST-003": lambda d: d["code_lists"][3]["codes"].append(
        {"code": 404, "label": {"en": "x", "fr": "x", "es": "x"}, "special": "other"}
    ),
    "LINT-LANG-001": lambda d: q(d, "age")["label"].pop("fr"),
    "LINT-LANG-002": lambda d: q(d, "age")["label"].update(de="Wie alt?"),
    "LINT-VAR-001": lambda d: q(d, "age").update(variable="age_of_the_person_in_completed_years_x"),
    "LINT-VAR-002": lambda d: q(d, "age").update(variable="Country_Of_Birth"),
    "LINT-LABEL-001": lambda d: q(d, "age")["variable_label"].update(en="x" * 81),
    "LINT-LABEL-002": lambda d: d["code_lists"][0]["codes"][0]["label"].update(fr="é" * 61),
    "LINT-ROUTE-001": lambda d: q(d, "reasons").update(universe="MIN_AGE > 200 and foreign_born"),
    "LINT-LEVEL-001": lambda d: q(d, "age").update(level="people"),
    "LINT-SOURCE-001": lambda d: q(d, "age").update(sources=[{"source": "PR4"}]),
}


@pytest.mark.parametrize("code", [c for c, change in CASES.items() if change is not None])
def test_each_code_has_a_bad_spec_that_triggers_it(tmp_path, code):
    path = write_spec(tmp_path, CASES[code])
    findings = [f for f in lint_paths([str(path)]) if f.code == code]
    assert findings, f"{code} not reported; got {codes_of(path)}"
    finding = findings[0]
    assert finding.location.file == str(path)
    assert finding.location.line is not None and finding.location.line >= 1
    assert finding.message and finding.severity.value in ("error", "warning", "info")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text("id: mini\nversion: 1.0.0\ntitle: {en: [How old}\n", encoding="utf-8")
    findings = lint_paths([str(path)])
    assert [f.code for f in findings] == ["SPEC-YAML-001"]
    assert findings[0].location.line == 3


def test_missing_translation_names_the_key_and_language(tmp_path):
    path = write_spec(tmp_path, CASES["LINT-LANG-001"])
    finding = next(f for f in lint_paths([str(path)]) if f.code == "LINT-LANG-001")
    assert "questions[age].label" in finding.message and finding.location.language == "fr"
    assert finding.location.question == "age"


def test_unknown_name_suggests_the_close_one(tmp_path):
    path = write_spec(tmp_path, CASES["EXPR-NAME-001"])
    finding = next(f for f in lint_paths([str(path)]) if f.code == "EXPR-NAME-001")
    assert "Did you mean foreign_born" in finding.message and finding.location.column == 1


def test_version_bump_must_match_the_changes(tmp_path):
    old = write_spec(tmp_path, lambda d: None)
    assert old.exists()
    # 1.0.1 removes a question: a major change, so 2.0.0 was needed.
    new = write_spec(
        tmp_path, lambda d: (d.update(version="1.0.1"), d["questions"].remove(q(d, "reasons")))
    )
    findings = [f for f in lint_paths([str(new)]) if f.code == "LINT-VERSION-001"]
    assert findings and "at least 2.0.0" in findings[0].message


@pytest.mark.parametrize(
    "name, targets",
    [
        ("country_of_birth", []),
        ("with", ["Stata", "SPSS"]),
        ("_x", ["SPSS", "CSPro"]),
        ("a" * 33, ["Stata"]),
        ("x.y", ["Stata", "CSPro"]),
        ("age_", ["SPSS", "CSPro"]),
    ],
)
def test_variable_name_rules_per_target(name, targets):
    assert sorted({t for t, _ in variable_name_problems(name)}) == sorted(set(targets))


def test_a_contradictory_universe_is_unreachable(tmp_path):
    path = write_spec(tmp_path, lambda d: q(d, "reasons").update(universe="age < 3 and old_enough"))
    findings = [f for f in lint_paths([str(path)]) if f.code == "LINT-ROUTE-001"]
    assert findings and "no combination of answers" in findings[0].message
    assert findings[0].location.question == "reasons"


def test_a_satisfiable_universe_is_not_flagged(tmp_path):
    path = write_spec(tmp_path, lambda d: q(d, "reasons").update(universe="age < 7 and old_enough"))
    assert "LINT-ROUTE-001" not in codes_of(path)

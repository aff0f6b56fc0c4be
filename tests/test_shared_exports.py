"""Combined exports ask a shared question once, in one roster, under its standard name.

alpha and beta (tests/specs/shared) both use person-mini@1.0.0: alpha four of its questions,
beta all of them. gamma uses person-mini@1.1.0 and cannot be combined with them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pycspro import DictionaryParser

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.export.cspro import build_dictionary, export_cspro
from migmodule.export.cspro_logic import write_logic
from migmodule.export.ddi import build_ddi
from migmodule.export.labels import spss_syntax, stata_syntax
from migmodule.export.xlsform import build_xlsform, convert_sheets
from migmodule.handout.model import build_handout
from migmodule.profile import adapt

FIXTURES = Path(__file__).parent / "specs" / "shared"
ALPHA = str(FIXTURES / "alpha" / "1.0.0.yaml")
BETA = str(FIXTURES / "beta" / "1.0.0.yaml")
GAMMA = str(FIXTURES / "gamma" / "1.0.0.yaml")
MINI = str(Path(__file__).parent / "specs" / "mini.yaml")
PERSON = ["sex", "age", "country_of_birth", "citizenship", "country_of_citizenship"]


def combined(*refs: str):
    return [a for ref in refs for a in adapt(None, ref, country="SEN", languages=["en"])]


def survey_names(sheets) -> list[str]:
    return [row["name"] for row in sheets["survey"] if row["type"] != "end_repeat"]


# XLSForm ------------------------------------------------------------------------------------------


def test_xlsform_asks_each_shared_question_once_in_one_roster():
    sheets, findings = build_xlsform(combined(ALPHA, BETA), ["en"])
    names = survey_names(sheets)
    for name in [*PERSON, "year_of_arrival"]:
        assert names.count(name) == 1, name
    assert not [n for n in names if n.endswith(("_a", "_b"))]
    assert [row["type"] for row in sheets["survey"]].count("begin_repeat") == 1
    # module-specific questions keep their names, in the same roster
    assert {"worked_abroad", "reason_for_coming"} <= set(names)
    assert findings == []
    assert convert_sheets(sheets) == []


def test_xlsform_without_shared_modules_still_renames_a_clash():
    # mini's age is its own question, alpha's comes from person-mini: not the same question
    sheets, findings = build_xlsform(combined(MINI, ALPHA), ["en"])
    names = survey_names(sheets)
    assert "age" in names and "age_a" in names
    assert "XLSF-NAME-002" in [f.code for f in findings]


def test_xlsform_shared_edit_is_one_constraint_and_rules_read_the_shared_names():
    sheets, _ = build_xlsform(combined(BETA, ALPHA), ["en"])
    rows = {row["name"]: row for row in sheets["survey"]}
    # P1 (shared edit) sits once on year_of_arrival; alpha's universe reads beta's ${age}
    assert rows["year_of_arrival"]["constraint"].count("2030 - ${age}") == 1
    assert "${age} >= 15" in rows["worked_abroad"]["relevant"]
    assert "${worked_abroad}" in rows["check_a1"]["relevant"]


@pytest.fixture
def delta(tmp_path: Path) -> str:
    """A module whose own error edit reads only shared questions (its home is another module's)."""
    shutil.copytree(FIXTURES, tmp_path / "bank")
    data = yaml.safe_load((tmp_path / "bank" / "alpha" / "1.0.0.yaml").read_text(encoding="utf-8"))
    data["id"] = "delta"
    data["edits"] = [
        {
            "id": "D1",
            "level": "person",
            "title": {"en": "Very old"},
            "when": "known(age)",
            "check": "age <= 100",
            "severity": "error",
            "message": {"en": "Age over 100."},
        }
    ]
    folder = tmp_path / "bank" / "delta"
    folder.mkdir()
    (folder / "1.0.0.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(folder / "1.0.0.yaml")


def test_another_modules_error_edit_on_a_shared_question_is_kept(delta):
    sheets, _ = build_xlsform(combined(BETA, delta), ["en"])
    age = next(row for row in sheets["survey"] if row["name"] == "age")
    assert "not(. <= 100)" in age["constraint"] and "not(. <= 120)" in age["constraint"]
    assert "Age over 100." in age["constraint_message::English (en)"]
    assert convert_sheets(sheets) == []
    built = build_dictionary(combined(BETA, delta))
    logic, _ = write_logic(combined(BETA, delta), built)
    assert logic.count("PROC AGE") == 1
    assert "edit D1" in logic  # in the level postproc: AGE's proc belongs to beta


# CSPro ------------------------------------------------------------------------------------------


def test_cspro_one_item_per_shared_question_and_one_proc(tmp_path):
    result = export_cspro(combined(ALPHA, BETA), tmp_path / "q.dcf")
    parser = DictionaryParser(result.paths[0].read_text(encoding="utf-8"))
    parser.parse()
    records = parser.parsed_dictionary["Dictionary"]["Level"]["Records"]
    assert [r["Name"] for r in records] == ["PERSON_REC"]
    items = [i["Name"] for r in records for i in r["Items"]]
    for name in [*PERSON, "year_of_arrival", "worked_abroad", "reason_for_coming"]:
        assert items.count(name.upper()) == 1, name
    logic = result.paths[1].read_text(encoding="utf-8-sig")
    assert logic.count("PROC SEX") == 1
    assert logic.count("edit P1") == 1


# DDI, Stata, SPSS, handouts ---------------------------------------------------------------------


def test_ddi_one_variable_per_shared_question():
    root, _ = build_ddi(combined(ALPHA, BETA), ["en"])
    names = [var.get("name") for var in root.iter("{*}var")]
    for name in [*PERSON, "year_of_arrival", "years_since_arrival"]:
        assert names.count(name) == 1, name


@pytest.mark.parametrize("syntax", [stata_syntax, spss_syntax])
def test_label_syntax_labels_a_shared_question_once(syntax):
    text, _ = syntax(combined(ALPHA, BETA), "en")
    for label in ("Sex", "Year of arrival"):
        assert text.count(f'"{label}"') + text.count(f"'{label}'") == 1, label
    assert "Ever worked abroad" in text and "Reason for coming" in text


def test_handout_describes_a_shared_question_in_the_first_part_only():
    handout = build_handout(combined(ALPHA, BETA), "en")
    asked = [[q.id for s in part.sections for q in s.questions] for part in handout.parts]
    assert asked[0][: len(PERSON)] == PERSON
    assert asked[1] == ["year_of_arrival", "reason_for_coming"]


# Different versions of a shared module -----------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda a: build_xlsform(a, ["en"]),
        build_dictionary,
        lambda a: build_ddi(a, ["en"]),
        lambda a: stata_syntax(a, "en"),
        lambda a: build_handout(a, "en"),
    ],
    ids=["xlsform", "cspro", "ddi", "stata", "handout"],
)
def test_modules_on_different_versions_of_a_shared_module_are_refused(build):
    with pytest.raises(MigmoduleError) as caught:
        build(combined(ALPHA, GAMMA))
    assert caught.value.finding.code == "SPEC-USES-008"


def test_cli_refuses_different_versions_with_the_code(tmp_path):
    result = CliRunner().invoke(
        main,
        ["export", "xlsform", ALPHA, GAMMA, "--country", "SEN", "-o", str(tmp_path / "f.xlsx")],
    )
    assert result.exit_code == 2, result.output
    assert "SPEC-USES-008" in result.output
    assert "Traceback" not in result.output

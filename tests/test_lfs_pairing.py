"""Issue 13, last item: an LFS carrying labour-migration@2.1.0 and recruitment-costs@4.0.0 asks
each shared question once (education, the "worked abroad" filter) and derives one ILO age group.

education_level (ISCED 2011), of_working_age, WORKING_AGE and age_group come from the shared
person-core@1.1.0; the released 2.0.0 / 3.0.0 pair still carries the two copies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.expr.evaluate import derive
from migmodule.profile import adapt
from migmodule.spec.diff import diff_modules
from migmodule.spec.lint import lint_paths
from migmodule.spec.registry import load_module
from migmodule.spec.shared import shared_from
from migmodule.validate.several import validate_modules

MODULES = Path(__file__).resolve().parents[1] / "modules"
LABOUR, COSTS = "labour-migration@2.1.0", "recruitment-costs@4.0.0"
OLD_LABOUR, OLD_COSTS = "labour-migration@2.0.0", "recruitment-costs@3.0.0"
CORE = "person-core@1.1.0"
SHARED_CONCEPTS = ["education_level", "age_group", "worked_abroad", "sex", "age"]


def combined(refs: list[str]):
    return [a for ref in refs for a in adapt(None, ref, country="KEN", languages=["en"])]


def xlsform_names(refs: list[str]) -> tuple[list[str], list, list]:
    from migmodule.export.xlsform import build_xlsform

    sheets, findings = build_xlsform(combined(refs), ["en"])
    rows = [row for row in sheets["survey"] if row["type"] != "end_repeat"]
    return [row["name"] for row in rows], rows, findings


# --- the new pair, exported together --------------------------------------------------------------


def test_xlsform_asks_each_shared_question_once_and_pyxform_accepts_it():
    from migmodule.export.xlsform import build_xlsform, convert_sheets

    names, rows, findings = xlsform_names([LABOUR, COSTS])
    for name in SHARED_CONCEPTS:
        assert names.count(name) == 1, name
    assert not [n for n in names if n.endswith(("_rc", "_lm"))], names
    assert not [f for f in findings if f.code == "XLSF-NAME-002"]  # nothing renamed
    # one "worked abroad" filter: the later questions of both modules are routed by it
    relevant = [row.get("relevant", "") or "" for row in rows]
    assert any("${worked_abroad}" in r for r in relevant)
    assert not any(re.search(r"\$\{worked_abroad_\w+\}", r) for r in relevant)
    # the education question is asked from the working age, the coarser group is derived from it
    education = next(row for row in rows if row["name"] == "education_level")
    assert "${age}" in education["relevant"] and "15" in education["relevant"]
    group = next(row for row in rows if row["name"] == "education_group")
    assert "${education_level}" in group["calculation"]
    sheets, _ = build_xlsform(combined([LABOUR, COSTS]), ["en"])
    assert convert_sheets(sheets) == []


def test_the_released_pair_still_had_the_two_copies():
    """The defect this fixes: 2.0.0 + 3.0.0 export education and age group twice."""
    names, _, findings = xlsform_names([OLD_LABOUR, OLD_COSTS])
    assert names.count("education_level") == 1 and "education_level_rc" in names
    assert "age_group_rc" in names
    assert [f for f in findings if f.code == "XLSF-NAME-002"]


def cspro_items(refs: list[str], folder: Path) -> list[str]:
    from pycspro import DictionaryParser

    from migmodule.export.cspro import export_cspro

    result = export_cspro(combined(refs), folder / "lfs.dcf")
    parser = DictionaryParser(result.paths[0].read_text(encoding="utf-8"))
    parser.parse()
    records = parser.parsed_dictionary["Dictionary"]["Level"]["Records"]
    return [item["Name"] for record in records for item in record["Items"]]


def test_cspro_dictionary_has_one_item_per_shared_concept(tmp_path):
    items = cspro_items([LABOUR, COSTS], tmp_path)
    for name in SHARED_CONCEPTS:
        assert items.count(name.upper()) == 1, name
    assert "EDUCATION_LEVEL_2" not in items and "AGE_GROUP_2" not in items
    assert "EDUCATION_GROUP" in items  # the SDG 10.7.1 grouping stays, derived
    old = cspro_items([OLD_LABOUR, OLD_COSTS], tmp_path)
    assert "EDUCATION_LEVEL_2" in old and "AGE_GROUP_2" in old


def test_stata_labels_one_education_and_one_age_group():
    from migmodule.export.labels import stata_syntax

    text, _ = stata_syntax(combined([LABOUR, COSTS]), "en")
    for name in ("education_level", "age_group", "worked_abroad"):
        assert len(re.findall(rf"^\s*label variable {name} ", text, re.M)) == 1, name
    assert not re.search(r"^label define age_group_\d", text, re.M)
    assert len(re.findall(r"^label define isced2011 ", text, re.M)) == 1
    labelled = re.findall(r"^\s*label variable (\w+) ", text, re.M)
    assert not [n for n in labelled if n.endswith(("_rc", "_lm", "_2"))], labelled
    old, _ = stata_syntax(combined([OLD_LABOUR, OLD_COSTS]), "en")
    assert len(re.findall(r"^\s*label variable education_level ", old, re.M)) == 2


# --- the modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [CORE, LABOUR, COSTS])
def test_each_new_version_lints_clean(ref):
    name, version = ref.split("@")
    findings = lint_paths([str(MODULES / name / f"{version}.yaml")])
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []
    register = json.loads((MODULES / "released.json").read_text(encoding="utf-8"))
    assert f"{name}/{version}.yaml" in register


@pytest.mark.parametrize("ref", [LABOUR, COSTS])
def test_both_modules_take_the_items_from_person_core(ref):
    module = load_module(ref)
    for item in ("education_level", "age_group", "of_working_age", "isced2011", "age_group"):
        assert shared_from(module, item) == CORE, item
    assert shared_from(module, "worked_abroad") == "work-abroad@1.0.0"
    assert module.shared_refs == {"person-core": CORE, "work-abroad": "work-abroad@1.0.0"}


def test_diff_explains_the_change_and_the_versions_follow_the_rule():
    labour = diff_modules(load_module(OLD_LABOUR), load_module(LABOUR))
    kinds = {(c.kind, c.item) for c in labour}
    assert ("now_shared", "education_level") in kinds and ("now_shared", "age_group") in kinds
    assert ("uses_changed", "person-core") in kinds
    assert not [c for c in labour if c.impact == "major"]  # 2.1.0: minor is enough
    costs = diff_modules(load_module(OLD_COSTS), load_module(COSTS))
    major = {(c.kind, c.item) for c in costs if c.impact == "major"}
    # the 10.7.1 question asked the level at departure of the target population: a real change
    assert ("universe_changed", "education_level") in major
    assert ("now_shared", "age_group") in {(c.kind, c.item) for c in costs}


def test_age_group_and_education_group_derive_from_the_shared_items():
    frame = pd.DataFrame(
        {
            "age": [12, 15, 30, 60, 70, 999],
            "education_level": [None, 1, 3, 6, 99, None],
        }
    )
    for ref in (LABOUR, COSTS):
        (adapted,) = adapt(None, ref, country="KEN", languages=["en"])
        module = adapted.module
        full = pd.DataFrame({q.id: [None] * len(frame) for q in module.questions}, dtype=object)
        for column in frame.columns:
            full[column] = frame[column]
        out = derive(module, full, adapted.params)
        assert out["age_group"].tolist() == [7, 1, 2, 3, 4, 9], ref
        if ref == COSTS:
            assert out["education_group"].tolist() == [9, 1, 3, 4, 9, 9]


# --- validating an LFS file against both ----------------------------------------------------------

PERSONS = [
    # hh_id, person_no, sex, age, education_level, worked_abroad
    (1, 1, 1, 30, 3, 2),
    (1, 2, 2, 28, 12, 2),  # 12 is no ISCED 2011 level
    (2, 1, 1, 40, 6, 2),
    (2, 2, 2, 35, 2, 2),
]


@pytest.fixture
def persons(tmp_path) -> Path:
    path = tmp_path / "lfs_persons.csv"
    columns = ["hh_id", "person_no", "sex", "age", "education_level", "worked_abroad"]
    pd.DataFrame(PERSONS, columns=columns).to_csv(path, index=False)
    return path


def bad_education(report) -> list[tuple[str, str, int]]:
    return [
        (r.code, r.module, r.count)
        for r in report.results
        if r.finding is not None and r.question == "education_level" and r.code == "DATA-CODE-001"
    ]


def test_a_bad_education_code_is_reported_once(persons):
    both = validate_modules({"person": persons}, [LABOUR, COSTS], country="404")
    assert bad_education(both) == [("DATA-CODE-001", CORE, 1)]
    reverse = validate_modules({"person": persons}, [COSTS, LABOUR], country="404")
    assert bad_education(reverse) == [("DATA-CODE-001", CORE, 1)]


def test_cli_validate_with_both_modules_reports_it_once(persons, tmp_path):
    out = tmp_path / "report.json"
    args = ["validate", f"person={persons}", "-m", LABOUR, "-m", COSTS, "--country", "404"]
    result = CliRunner().invoke(main, [*args, "--report", str(out)])
    assert result.exit_code == 1, result.output
    assert len(re.findall(r"DATA-CODE-001\s+education_level\b", result.output)) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["modules"] == [LABOUR, COSTS]
    failed = [
        (r["code"], r["module"])
        for r in data["results"]
        if r["question"] == "education_level" and r["failed"] and r["code"] == "DATA-CODE-001"
    ]
    assert failed == [("DATA-CODE-001", CORE)]


def test_the_new_pair_mixes_with_modules_on_the_old_person_core_asking_sex_once():
    """person-core 1.1.0 only adds to 1.0.0: labour-migration@2.1.0 (1.1.0) and the released
    recruitment-costs@3.0.0 (1.0.0) define sex and age alike, so they combine and ask them once;
    3.0.0's own education question stays its own (renamed), as in the released pair."""
    names, _, _ = xlsform_names([LABOUR, OLD_COSTS])
    assert names.count("sex") == 1 and names.count("age") == 1
    assert "education_level" in names and "education_level_rc" in names


def test_another_major_version_of_person_core_is_still_refused(tmp_path):
    from migmodule.codes import MigmoduleError
    from migmodule.spec.shared import check_shared_versions

    labour = load_module(LABOUR)
    renumbered = labour.model_copy(
        update={"uses": [u.model_copy(update={"module": u.module.replace("@1.1.0", "@2.0.0")})
                         for u in labour.uses], "id": "other"}
    )  # fmt: skip
    with pytest.raises(MigmoduleError) as caught:
        check_shared_versions([load_module(OLD_COSTS), renumbered])
    assert caught.value.finding.code == "SPEC-USES-008"
    assert "major version (1 and 2)" in caught.value.finding.message

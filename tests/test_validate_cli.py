"""`migmodule validate` and `migmodule map` through click's CliRunner, and the report outputs."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from migmodule.cli import main
from migmodule.codes import all_codes
from migmodule.validate import SCHEMA_VERSION
from validate_helpers import MINI, table, write

PERSONS = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons | region |
|-------|-----------|-----|------------------|-----------------|---------|--------|
| 1     | 1         | 40  | 404              |                 |         | A      |
| 1     | 2         | 35  | 1234             | 2010            | 1 2     | A      |
| 2     | 1         | 30  | 250              | 2028            |         | B      |
"""
HOUSEHOLDS = """
| hh_id | any_member_abroad |
|-------|-------------------|
| 1     | 1                 |
| 2     | 2                 |
"""


def files(tmp_path):
    return (write(table(PERSONS), tmp_path / "p.dta"), write(table(HOUSEHOLDS), tmp_path / "h.dta"))


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_writes_json_html_xlsx_and_exits_1_on_errors(tmp_path):
    persons, households = files(tmp_path)
    out = {ext: tmp_path / f"report.{ext}" for ext in ("json", "html", "xlsx")}
    result = invoke(
        "validate",
        f"person={persons}",
        f"household={households}",
        "--module",
        MINI,
        "--country",
        "KE",
        "--by",
        "region",
        *[x for p in out.values() for x in ("--report", p)],
    )
    assert result.exit_code == 1, result.output
    assert "DATA-CODE-002" in result.output
    data = json.loads(out["json"].read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION and data["valid"] is False
    country = next(r for r in data["results"] if r["code"] == "DATA-CODE-002")
    assert (
        country["count"] == 1
        and country["by"]["A"]["count"] == 1
        and country["examples"][0]["row"] == 2
    )
    assert "<svg" in out["html"].read_text(encoding="utf-8")
    book = load_workbook(out["xlsx"])
    assert book.sheetnames[:3] == ["Summary", "Findings", "Non-response"]
    assert any(name.startswith("DATA-CODE-002") for name in book.sheetnames)


def test_fail_on_controls_the_exit_code(tmp_path):
    persons, households = files(tmp_path)
    clean = table(PERSONS).iloc[[0]]
    path = write(clean, tmp_path / "clean.csv")
    ok = invoke(
        "validate", f"person={path}", f"household={households}", "-m", MINI, "--country", "KE"
    )
    assert ok.exit_code == 0, ok.output
    warn = invoke(
        "validate",
        f"person={path}",
        f"household={households}",
        "-m",
        MINI,
        "--country",
        "KE",
        "--fail-on",
        "info",
    )
    assert warn.exit_code == 1  # reasons and year_of_arrival are empty: warnings


def test_unusable_input_is_exit_2_with_a_coded_message(tmp_path):
    result = invoke("validate", tmp_path / "nothing.dta", "-m", MINI)
    assert result.exit_code == 2
    assert "VAL-FILE-001" in result.output
    persons, _ = files(tmp_path)
    result = invoke("validate", persons, "-m", MINI, "--country", "KE", "--weight", "nope")
    assert result.exit_code == 2 and "VAL-OPTION-001" in result.output
    result = invoke(
        "validate", persons, "-m", MINI, "--country", "KE", "--report", tmp_path / "r.pdf"
    )
    assert result.exit_code == 2 and "VAL-REPORT-001" in result.output


def test_map_proposes_names_and_labels_and_lists_the_rest(tmp_path):
    import pyreadstat

    frame = table(PERSONS).rename(
        columns={"country_of_birth": "P10", "year_of_arrival": "P12_YR", "age": "AGE"}
    )
    path = tmp_path / "national.sav"
    pyreadstat.write_sav(
        frame, str(path), column_labels={"P10": "Pays de naissance", "P12_YR": "Year of arrival"}
    )
    out = tmp_path / "profile.yaml"
    result = invoke("map", path, "--module", MINI, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    profile = yaml.safe_load(text)
    variables = profile["modules"][0]["variables"]
    assert variables == {
        "age": "AGE",
        "country_of_birth": "P10",
        "year_of_arrival": "P12_YR",
        "reasons": "reasons",
    }
    assert "label (fr)" in text and "# Not matched" in text and "any_member_abroad" in text
    # the proposal is a working profile
    result = invoke("validate", "--profile", out, "--country", "KE")
    assert result.exit_code == 1 and "DATA-CODE-002" in result.output


def test_every_validate_code_is_documented():
    docs = (MINI.parent.parent.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    codes = [code for code, issue in all_codes().items() if issue.area == "validate"]
    assert codes and all(code in docs for code in codes)

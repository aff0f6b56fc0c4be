"""What the interviewer and the NSO are told: number questions show the special codes they accept,
and every export warns for every parameter still at its generic placeholder, profile or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export import EXPORTS
from migmodule.export.placeholders import placeholder_findings
from migmodule.export.xlsform import build_xlsform, convert_sheets
from migmodule.profile import adapt

MINI = Path(__file__).parent / "specs" / "mini.yaml"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _rows(adapted) -> dict[str, dict[str, str]]:
    sheets, _ = build_xlsform(adapted)
    return {row.get("name"): row for row in sheets["survey"] if row.get("name")}


def test_number_questions_list_their_special_codes_in_the_hint():
    rows = _rows(adapt(None, str(MINI), languages=["en", "fr", "es"]))
    assert rows["age"]["hint::English (en)"] == (
        "If the answer is not a number, enter: 999 (Not stated)."
    )
    assert rows["year_of_arrival"]["hint::Français (fr)"] == (
        "Si la réponse n'est pas un nombre, saisir : 9998 (Ne sait pas), 9999 (Non déclaré)."
    )
    assert "9998 (No sabe)" in rows["year_of_arrival"]["hint::Español (es)"]
    assert not rows["country_of_birth"].get("hint::English (en)")  # a list shows its codes


def test_the_hint_form_converts():
    sheets, _ = build_xlsform(adapt(None, "census-key-questions", languages=["en", "fr"]))
    convert_sheets(sheets)  # pyxform accepts the form
    rows = {r.get("name"): r for r in sheets["survey"] if r.get("name")}
    assert "998 (Don't know)" in rows["age"]["hint::English (en)"]
    assert "9998" in rows["year_of_arrival"]["hint::English (en)"]


def test_placeholders_are_found_without_a_profile():
    generic = placeholder_findings(adapt(None, "census-key-questions", country="KEN"))
    assert {f.values["name"] for f in generic} == {"REF_DATE", "ADMIN_AREAS"}
    assert all(f.code == "PROFILE-PARAM-001" for f in generic)
    dated = adapt(None, "census-key-questions", country="KEN", reference_date="2029-08-24")
    assert {f.values["name"] for f in placeholder_findings(dated)} == {"ADMIN_AREAS"}
    assert placeholder_findings(adapt(None, str(MINI), country="KEN")) == []


@pytest.mark.parametrize("target", [t.name for t in EXPORTS] + ["apply-labels"])
def test_every_export_warns_for_placeholder_areas_without_a_profile(tmp_path, target):
    out = tmp_path / {"xlsform": "f.xlsx", "cspro": "d.dcf", "ddi": "c.xml", "stata": "l.do"}.get(
        target, "l.sps" if target == "spss" else "l.sav"
    )
    if target == "apply-labels":
        args = ["apply-labels", str(SAMPLES / "census_persons.sav"), "--module"]
    else:
        args = ["export", target]
    args += ["census-key-questions", "--country", "KEN", "-o", str(out), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "ADMIN_AREAS" in result.output and "PROFILE-PARAM-001" in result.output


def test_a_profile_reports_its_placeholders_once(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "export",
            "spss",
            "--profile",
            str(SAMPLES / "census.profile.yaml"),
            "-o",
            str(tmp_path / "l.sps"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "PROFILE-PARAM-001" in line]
    assert len(lines) == len(set(lines))

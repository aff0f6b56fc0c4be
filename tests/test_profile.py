"""`migmodule profile init|check`, and profiles used by the exports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.profile_init import profile_text
from migmodule.export.xlsform import build_xlsform
from migmodule.profile import adapt, check_profile, load_profile
from migmodule.spec.registry import list_modules

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def test_init_writes_a_commented_profile_that_loads_and_checks(tmp_path):
    out = tmp_path / "profile.yaml"
    result = CliRunner().invoke(
        main,
        [
            "profile",
            "init",
            str(MINI),
            "--country",
            "KEN",
            "--reference-date",
            "2029-08-24",
            "--lang",
            "en,fr",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count("\n#") >= 5 and "# One of: first, most_recent." in text
    profile = load_profile(out)
    assert profile.country == "KEN" and profile.languages == ["en", "fr"]
    assert str(profile.reference_date) == "2029-08-24"
    assert profile.modules[0].include == ["reasons"]
    assert check_profile(profile, str(out)) == []
    [adapted] = adapt(profile)
    assert adapted.params["COUNTRY"] == 404 and adapted.params["MIN_AGE"] == 5


def test_init_without_country_warns_on_check(tmp_path):
    out = tmp_path / "generic.yaml"
    assert CliRunner().invoke(main, ["profile", "init", str(MINI), "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(main, ["profile", "check", str(out), "--fail-on", "warning"])
    assert result.exit_code == 1 and "PROFILE-PARAM-001" in result.output


def test_init_refuses_to_overwrite_and_bad_country(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["profile", "init", str(MINI), "-o", str(out)])
    assert result.exit_code == 2 and "PROFILE-INIT-001" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert (
        CliRunner()
        .invoke(main, ["profile", "init", str(MINI), "-o", str(out), "--force"])
        .exit_code
        == 0
    )
    result = CliRunner().invoke(
        main, ["profile", "init", str(MINI), "--country", "XX1", "-o", str(tmp_path / "q.yaml")]
    )
    assert result.exit_code == 2 and "PROFILE-COUNTRY-001" in result.output


@pytest.mark.parametrize("ref", [e.ref for e in list_modules()])
def test_init_for_every_builtin_module_is_valid_yaml_and_a_valid_profile(ref, tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(profile_text([ref], country="KEN"), encoding="utf-8")
    assert isinstance(yaml.safe_load(out.read_text(encoding="utf-8")), dict)
    assert [
        f for f in check_profile(load_profile(out), str(out)) if f.severity.value == "error"
    ] == []


def test_check_reports_unknown_question(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(
        f"name: t\ncountry: KEN\nmodules:\n  - module: {MINI}\n    exclude: [year_of_arival]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["profile", "check", str(out)])
    assert result.exit_code == 1
    assert "PROFILE-QUESTION-001" in result.output and "year_of_arrival" in result.output


def test_export_takes_the_profile_and_reports_its_findings(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(
        f"name: ken-2029\ncountry: KEN\nlanguages: [fr]\nmodules:\n  - module: {MINI}\n"
        "    variables: {age: P05}\n    exclude: [no_such_question]\n",
        encoding="utf-8",
    )
    form = tmp_path / "f.xlsx"
    result = CliRunner().invoke(main, ["export", "xlsform", "--profile", str(out), "-o", str(form)])
    assert result.exit_code == 1 and "PROFILE-QUESTION-001" in result.output
    sheets, _ = build_xlsform(adapt(load_profile(out)))
    names = [row["name"] for row in sheets["survey"]]
    assert "P05" in names and "age" not in names
    assert sheets["settings"][0]["default_language"] == "Français (fr)"
    assert (
        "profile: ken-2029"
        in next(r for r in sheets["survey"] if r["name"] == "migmodule_source")["calculation"]
    )


def test_bad_profile_is_a_coded_error(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("modules: []\ncolour: blue\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "stata", "--profile", str(out), "-o", str(tmp_path / "l.do")]
    )
    assert result.exit_code == 2 and "PROFILE-SCHEMA-001" in result.output

"""`migmodule profile check --data FILE`: named variables exist, recode keys can occur."""

from __future__ import annotations

import textwrap

import pandas as pd
import pyreadstat
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.national.data_check import check_profile_data, data_arguments
from migmodule.profile import load_profile
from tables import raw_frame

PROFILE = """
profile_format: 1
name: t
country: KEN
modules:
  - module: census-key-questions@1.0.0
    parameters: {ADMIN_AREAS: [{code: 1, label: {en: Mombasa}}]}
    ids: {hh_id: HHID, person_no: LINE}
    variables:
      sex: SEXO
      country_of_birth: COB
      place_of_birth: {from: COB, where: "COB <= 47"}
    derive:
      age: "age_at(DOB, REF_DATE)"
    recodes:
      sex: {Hombre: 1, Mujer: 2, Otro: 9}
      residence_1y_ago: {'0': null, '5:7': 3, '8': 8}
"""


def _write(tmp_path, frame: pd.DataFrame) -> tuple:
    profile = tmp_path / "p.yaml"
    profile.write_text(textwrap.dedent(PROFILE).lstrip(), encoding="utf-8")
    data = tmp_path / "persons.csv"
    frame.to_csv(data, index=False)
    return profile, data


FRAME = """
| HHID              | LINE | SEXO   | COB | DOB        | residence_1y_ago |
| 00000000000000017 | 1    | Hombre | 5   | 1990-01-01 | 0                |
| 00000000000000017 | 2    | Mujer  | 601 | 2000-05-01 | 6                |
"""


def test_named_variables_must_be_in_the_file(tmp_path):
    profile, data = _write(tmp_path, raw_frame(FRAME).drop(columns=["DOB", "LINE"]))
    findings = check_profile_data(load_profile(profile), [(None, str(data))])
    missing = sorted(
        (f.location.variable, f.location.line) for f in findings if f.code == "PROFILE-DATA-001"
    )
    assert missing == [("DOB", 13), ("LINE", 7)]


def test_recode_keys_that_never_occur_are_warned(tmp_path):
    profile, data = _write(tmp_path, raw_frame(FRAME))
    findings = check_profile_data(load_profile(profile), [("person", str(data))])
    unused = sorted(
        (f.values["question"], f.values["key"]) for f in findings if f.code == "PROFILE-RECODE-007"
    )
    assert unused == [("residence_1y_ago", "8"), ("sex", "Otro")]
    assert all(f.severity.value == "warning" for f in findings)


def test_value_labels_count_as_values_that_can_occur(tmp_path):
    profile, _ = _write(tmp_path, raw_frame(FRAME))
    frame = pd.DataFrame(
        {
            "HHID": ["00000000000000017"],
            "LINE": [1.0],
            "SEXO": ["Hombre"],
            "COB": [5.0],
            "DOB": [1.0],
            "residence_1y_ago": [0.0],
        }
    )
    sav = tmp_path / "persons.sav"
    pyreadstat.write_sav(
        frame, str(sav), variable_value_labels={"residence_1y_ago": {0: "NIU", 8: "Unknown"}}
    )
    findings = check_profile_data(load_profile(profile), [(None, str(sav))])
    unused = sorted(
        (f.values["question"], f.values["key"]) for f in findings if f.code == "PROFILE-RECODE-007"
    )
    assert unused == [("residence_1y_ago", "5:7"), ("sex", "Mujer"), ("sex", "Otro")]


def test_cli_profile_check_with_data(tmp_path):
    profile, data = _write(tmp_path, raw_frame(FRAME).drop(columns=["DOB"]))
    result = CliRunner().invoke(main, ["profile", "check", str(profile), "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert "PROFILE-DATA-001" in result.output and "DOB" in result.output
    assert "PROFILE-RECODE-007" in result.output
    result = CliRunner().invoke(
        main, ["profile", "check", str(profile), "--data", f"person={data}"]
    )
    assert "PROFILE-DATA-001" in result.output  # the level named on the command line


def test_data_arguments_take_an_optional_level():
    assert data_arguments(["person=a.csv", "b.sav", "x=y/z.csv", "dir/a=b.csv"]) == [
        ("person", "a.csv"),
        (None, "b.sav"),
        ("x", "y/z.csv"),
        (None, "dir/a=b.csv"),
    ]


def test_expressions_that_cannot_read_the_file_values_are_reported(tmp_path):
    # DOB holds numbers, not dates: age_at cannot read it
    frame = raw_frame(FRAME).assign(DOB=["19900101", "20000501"])
    profile, data = _write(tmp_path, frame)
    findings = check_profile_data(load_profile(profile), [("person", str(data))])
    problems = [f for f in findings if f.code == "PROFILE-DATA-002"]
    assert len(problems) == 1 and "age_at(DOB, REF_DATE)" in problems[0].message
    # the sample's own dates (ISO text) are fine
    profile, data = _write(tmp_path, raw_frame(FRAME))
    findings = check_profile_data(load_profile(profile), [("person", str(data))])
    assert [f for f in findings if f.code == "PROFILE-DATA-002"] == []

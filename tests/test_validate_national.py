"""validate reads national files through the profile's national layer: national universes, edits
kept inside the standard universe, one roster feeding two levels, row filters, recodes by text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from migmodule.codes import Severity
from migmodule.validate import validate_data
from validate_helpers import table, write


def profile(tmp_path: Path, settings: dict, country: str = "KEN") -> Path:
    path = tmp_path / "national.profile.yaml"
    data = {"profile_format": 1, "name": "test", "country": country, "modules": [settings]}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def found(report, code: str, question: str | None = None, edit: str | None = None) -> list[int]:
    """The file rows (1-based) of the examples of one finding ([] when it did not fire)."""
    for result in report.results:
        if result.code != code or result.finding is None:
            continue
        if question is not None and result.question != question:
            continue
        if edit is not None and result.edit != edit:
            continue
        return sorted(example["row"] for example in result.examples)
    return []


CITIZENS = """
| HH | LINE | P17_CITIZEN | P18_NATIONALITY |
|----|------|-------------|-----------------|
| 1  | 1    | 1           | 404             |
| 1  | 2    | 3           | 404             |
| 2  | 1    | 3           | 800             |
| 2  | 2    | 2           | 404             |
"""


def citizenship_profile(tmp_path: Path, national_universe: bool) -> Path:
    settings = {
        "module": "census-key-questions@1.0.0",
        "ids": {"hh_id": "HH", "person_no": "LINE"},
        "variables": {"citizenship": "P17_CITIZEN", "country_of_citizenship": "P18_NATIONALITY"},
    }
    if national_universe:
        settings["universes"] = {"country_of_citizenship": "true"}
    return profile(tmp_path, settings)


@pytest.mark.parametrize("national_universe", [True, False])
def test_a_national_universe_replaces_the_standard_one_and_edits_stay_inside_the_standard_universe(
    tmp_path, national_universe
):
    """Many censuses record the country of citizenship for citizens too. With the national
    universe `true`, a citizen's own country is neither a universe error nor edit C22 (written for
    foreign citizens); a foreign citizen who gives the census country still fails C22."""
    data = write(table(CITIZENS), tmp_path / "persons.csv")
    report = validate_data(
        {"person": data}, profile=citizenship_profile(tmp_path, national_universe)
    )
    c22 = found(report, "DATA-EDIT-001", edit="C22_citizenship_country")
    outside = found(report, "DATA-UNIV-001", question="country_of_citizenship")
    stated = found(report, "DATA-UNIV-003", question="country_of_citizenship")
    if national_universe:
        assert c22 == [2]  # data row 2: the foreign citizen with 404
        assert outside == []
        info = [r for r in report.results if r.code == "DATA-UNIV-003"]
        assert len(info) == 1 and info[0].severity is Severity.INFO
        assert "Asked of all persons" in info[0].finding.message  # the national one, in words
        assert "citizens of another country only" in info[0].finding.message  # the standard one
    else:  # the standard module: the citizens' 404 are answers outside the universe
        assert outside == [1, 4]
        assert c22 == [1, 2, 4]
        assert stated == []


ROSTER = """
| HHID | PID | h2q7 | h2q3 | h2q8 |
|------|-----|------|------|------|
| 10   | 1   | 1    | 1    | 40   |
| 10   | 2   | 2    | 2    | 38   |
| 10   | 3   | 5    | 1    |      |
| 11   | 1   | 1    | 7    | 51   |
| 11   | 2   | 5    | 6    |      |
| 11   | 3   | 5    | 2    |      |
"""


def test_one_roster_feeds_current_and_former_members(tmp_path):
    """An LSMS roster lists current and former members, told apart by a status flag: each level
    reads its own rows (with its own identifier and variable names) and examples keep the file's
    row numbers."""
    roster = write(table(ROSTER), tmp_path / "roster.csv")
    path = profile(
        tmp_path,
        {
            "module": "rural-migration@1.0.0",
            "files": {"member": "roster.csv", "former_member": "roster.csv"},
            "ids": {"hh_id": "HHID"},
            "levels": {
                "member": {
                    "where": "h2q7 <= 4",
                    "ids": {"member_no": "PID"},
                    "variables": {"sex": "h2q3", "age": "h2q8"},
                },
                "former_member": {
                    "where": "h2q7 == 5",
                    "ids": {"former_no": "PID"},
                    "variables": {"former_sex": "h2q3"},
                },
            },
        },
    )
    report = validate_data(profile=path)
    assert report.files["member"]["rows"] == 3
    assert report.files["former_member"]["rows"] == 3
    assert found(report, "DATA-CODE-001", question="sex") == [4]  # code 7 of a current member
    assert found(report, "DATA-CODE-001", question="former_sex") == [5]  # code 6 of a former one
    # former members have no age: not a blank in the members' universe, they are not members
    nonresponse = [r for r in report.results if r.code == "DATA-NR-001" and r.question == "age"]
    assert nonresponse and nonresponse[0].finding is None  # unknown, not a blank answer
    assert found(report, "DATA-ID-001") == []
    assert roster.read_text(encoding="utf-8").startswith("HHID")  # the input is left as it was


TEXT_ANSWERS = """
| HH | LINE | SEX    | AGE | RES1Y |
|----|------|--------|-----|-------|
| 1  | 1    | Male   | 30  | 1     |
| 1  | 2    | Female | 28  | 2     |
| 1  | 3    | Femme  | 2   | 0     |
| 2  | 1    | Female | 0   | 0     |
"""


def test_text_recodes_and_not_asked_by_design(tmp_path):
    """Kobo-style text answers recoded by text keys; a national not-in-universe code recoded to
    null is never a code, universe or non-response error; an unmapped text is a code error."""
    data = write(table(TEXT_ANSWERS), tmp_path / "persons.csv")
    path = profile(
        tmp_path,
        {
            "module": "census-key-questions@1.0.0",
            "ids": {"hh_id": "HH", "person_no": "LINE"},
            "variables": {"sex": "SEX", "age": "AGE", "residence_1y_ago": "RES1Y"},
            "recodes": {
                "sex": {"Male": 1, "Female": 2},
                "residence_1y_ago": {"0": None, "1": 1, "2": 2},
            },
        },
    )
    report = validate_data({"person": data}, profile=path)
    assert found(report, "DATA-CODE-005", question="sex") == [3]  # "Femme" is not recoded
    for code in ("DATA-CODE-001", "DATA-UNIV-001", "DATA-UNIV-002"):
        assert found(report, code, question="residence_1y_ago") == [], code
    assert all(
        r.code != "DATA-CODE-004" for r in report.results if r.finding is not None
    )  # text on purpose, not a storage problem


def test_a_derive_that_cannot_read_the_file_is_said_once_and_its_rows_are_unknown(tmp_path):
    """Numbers where age_at needs a date: PROFILE-DATA-002 once, naming the expression; the rows
    are unknown (no blank-inside-universe error on every person), and no traceback."""
    data = write(
        table(
            """
| HH | LINE | DOB      |
|----|------|----------|
| 1  | 1    | 19900203 |
| 1  | 2    | 19851130 |
"""
        ),
        tmp_path / "persons.csv",
    )
    path = profile(
        tmp_path,
        {
            "module": "census-key-questions@1.0.0",
            "ids": {"hh_id": "HH", "person_no": "LINE"},
            "derive": {"age": "age_at(DOB, REF_DATE)"},
        },
    )
    report = validate_data({"person": data}, profile=path, reference_date="2029-08-24")
    problems = [r for r in report.results if r.code == "PROFILE-DATA-002"]
    assert len(problems) == 1
    assert "age_at(DOB, REF_DATE)" in problems[0].finding.message
    assert problems[0].question == "age"
    nonresponse = [r for r in report.results if r.code == "DATA-NR-001" and r.question == "age"]
    assert nonresponse and nonresponse[0].finding is None  # unknown, not a blank answer

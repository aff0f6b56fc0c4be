"""Each check on small data written as tables, against the mini module (tests/specs/mini.yaml).

COUNTRY is Kenya (404); REF_DATE 2030-01-01; MIN_AGE 5. year_of_arrival is asked of the
foreign-born; reasons of the foreign-born aged 5 or over; edit E1: arrival not before birth.
"""

from __future__ import annotations

import pytest

from migmodule.validate import validate_data
from validate_helpers import mini, table, write

HOUSEHOLDS = """
| hh_id | any_member_abroad |
|-------|-------------------|
| 1     | 1                 |
| 2     | 2                 |
| 3     | 1                 |
"""


def run(tmp_path, persons: str, households: str = HOUSEHOLDS, **options):
    files = {"person": write(table(persons), tmp_path / "p.csv")}
    if households:
        files["household"] = write(table(households), tmp_path / "h.csv")
    return validate_data(files, mini(), **options)


def failed(report) -> dict[tuple[str, str | None], int]:
    return {
        (r.code, r.question or r.edit): r.count for r in report.results if r.finding is not None
    }


CLEAN = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 404              |                 |         |
| 1     | 2         | 35  | 250              | 2010            | 1 2     |
| 2     | 1         | 3   | 250              | 2028            |         |
| 3     | 1         | 60  | 404              |                 |         |
"""


def test_clean_data_has_no_findings(tmp_path):
    report = run(tmp_path, CLEAN)
    assert failed(report) == {}
    assert report.valid


def test_codes_outside_the_list_and_invalid_countries(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 404              |                 |         |
| 1     | 2         | 35  | 1234             | 2010            | 1 5     |
| 2     | 1         | 30  | 250              | 2028            | 3       |
| 3     | 1         | 60  | 404              |                 |         |
"""
    found = failed(run(tmp_path, persons))
    assert found == {("DATA-CODE-002", "country_of_birth"): 1, ("DATA-CODE-001", "reasons"): 1}


def test_skip_violations_each_way_and_unknown_universe_is_not_a_failure(tmp_path):
    # row 1: native with a year of arrival (outside); row 2: foreign-born without one (inside);
    # row 3: age not stated (999), so "aged 5 or over" is unknown: reasons cannot be judged.
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 404              | 2001            |         |
| 1     | 2         | 35  | 250              |                 | 1       |
| 2     | 1         | 999 | 250              | 2005            | 2       |
| 3     | 1         | 60  | 404              |                 |         |
"""
    report = run(tmp_path, persons)
    found = failed(report)
    assert found[("DATA-UNIV-001", "year_of_arrival")] == 1
    assert found[("DATA-UNIV-002", "year_of_arrival")] == 1
    assert ("DATA-UNIV-001", "reasons") not in found
    outside = next(
        r for r in report.results if r.code == "DATA-UNIV-001" and r.question == "year_of_arrival"
    )
    assert outside.examples == [{"row": 1, "id": "hh_id=1, person_no=1", "value": 2001}]
    assert outside.denominator == 2  # the two natives
    reasons = next(
        r for r in report.results if r.code == "DATA-UNIV-001" and r.question == "reasons"
    )
    assert reasons.count == 0 and reasons.not_checkable == 1


def test_nonresponse_is_over_the_universe_and_split_by_kind(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 404              |                 |         |
| 1     | 2         | 35  | 250              | 9998            | 98      |
| 2     | 1         | 30  | 250              | 9999            | 1       |
| 2     | 2         | 30  | 250              | 2001            | 1       |
| 3     | 1         | 60  | 404              |                 |         |
"""
    report = run(tmp_path, persons)
    result = next(r for r in report.nonresponse() if r.question == "year_of_arrival")
    assert result.denominator == 3  # the three foreign-born, not the five rows
    assert result.count == 2
    assert result.details["kinds"] == {"not_stated": 1, "dont_know": 1, "refused": 0, "blank": 0}
    assert result.finding is not None  # 67% > 5%
    lenient = run(tmp_path, persons, thresholds={"year_of_arrival": 0.9, "reasons": 0.9})
    assert not any(r.finding for r in lenient.nonresponse())


def test_edit_failure_and_unknown_is_not_checkable(tmp_path):
    # E1: year_of_arrival >= 2030 - age - 1. Row 2 arrived 2000 but is 10 (born 2019/2020): fails.
    # Row 3's age is not stated (999): the edit's `when` is false (known(age)); no failure.
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 250              | 2015            | 1       |
| 1     | 2         | 10  | 250              | 2000            | 2       |
| 2     | 1         | 999 | 250              | 2001            |         |
| 3     | 1         | 60  | 404              |                 |         |
"""
    report = run(tmp_path, persons)
    found = failed(report)
    assert found[("DATA-EDIT-001", "E1")] == 1
    edit = next(r for r in report.results if r.edit == "E1")
    assert edit.examples[0]["row"] == 2
    assert edit.denominator == 2


def test_edit_switched_off_by_parameter(tmp_path):
    persons = CLEAN.replace("| 2028 ", "| 2031 ")
    assert ("DATA-EDIT-002", "E2") not in failed(run(tmp_path, persons))
    files = {
        "person": write(table(persons), tmp_path / "p.csv"),
        "household": write(table(HOUSEHOLDS), tmp_path / "h.csv"),
    }
    report = validate_data(files, mini(ARRIVAL_DEFINITION="first"))
    assert failed(report)[("DATA-EDIT-002", "E2")] == 1


def test_identifiers_duplicates_orphans_and_childless(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 40  | 404              |                 |         |
| 1     | 1         | 35  | 404              |                 |         |
| 9     | 1         | 30  | 404              |                 |         |
| 3     | 1         | 60  | 404              |                 |         |
"""
    found = {
        key: n for key, n in failed(run(tmp_path, persons)).items() if key[0].startswith("DATA-ID")
    }
    assert found == {("DATA-ID-001", None): 1, ("DATA-ID-002", None): 1, ("DATA-ID-003", None): 1}


def test_missing_core_question_is_an_error_optional_is_info(tmp_path):
    persons = """
| hh_id | person_no | age | year_of_arrival |
|-------|-----------|-----|-----------------|
| 1     | 1         | 40  |                 |
"""
    report = run(tmp_path, persons, households="")
    by_code = {
        r.question: r.finding.severity.value
        for r in report.results
        if r.code in ("DATA-COVER-001", "DATA-COVER-002", "DATA-COVER-003")
        and r.finding is not None
    }
    assert by_code == {
        "country_of_birth": "error",
        "reasons": "info",
        "any_member_abroad": "warning",
    }
    # the universe of year_of_arrival reads country_of_birth: skipped, and said so
    skipped = next(r for r in report.nonresponse() if r.question == "year_of_arrival")
    assert "country_of_birth" in skipped.details["skipped"]


def test_empty_variable(tmp_path):
    persons = CLEAN.replace("| 1 2     |", "|         |")
    report = run(tmp_path, persons)
    empty = next(
        r for r in report.results if r.code == "DATA-COVER-004" and r.question == "reasons"
    )
    assert empty.finding is not None


def test_range_and_text_in_numbers(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |
|-------|-----------|-----|------------------|-----------------|---------|
| 1     | 1         | 140 | 404              |                 |         |
| 1     | 2         | abc | 404              |                 |         |
| 2     | 1         | 30  | 404              |                 |         |
| 3     | 1         | 60  | 404              |                 |         |
"""
    found = failed(run(tmp_path, persons))
    assert found[("DATA-RANGE-001", "age")] == 1
    assert found[("DATA-CODE-005", "age")] == 1


def test_recodes_apply_before_checks(tmp_path):
    from migmodule.profile import ModuleSettings, Profile, adapt

    persons = CLEAN.replace("| 250              |", "| 77               |")
    files = {
        "person": write(table(persons), tmp_path / "p.csv"),
        "household": write(table(HOUSEHOLDS), tmp_path / "h.csv"),
    }
    from validate_helpers import MINI

    adapted = adapt(
        Profile(
            country="KE",
            modules=[ModuleSettings(module=str(MINI), recodes={"country_of_birth": {"77": 250}})],
        )
    )[0]
    assert failed(validate_data(files, adapted)) == {}
    assert ("DATA-CODE-002", "country_of_birth") in failed(validate_data(files, mini()))


def test_weights_and_breakdown(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons | weight | region |
|-------|-----------|-----|------------------|-----------------|---------|--------|--------|
| 1     | 1         | 40  | 1234             |                 |         | 3      | north  |
| 1     | 2         | 35  | 404              |                 |         | 1      | north  |
| 2     | 1         | 30  | 404              |                 |         | 1      | south  |
| 3     | 1         | 60  | 404              |                 |         | 1      | south  |
"""
    report = run(tmp_path, persons, weight="weight", by="region")
    result = next(r for r in report.results if r.code == "DATA-CODE-002")
    assert result.rate == 0.25
    assert result.weighted_rate == pytest.approx(0.5)
    assert result.by["north"]["count"] == 1 and result.by["north"]["rate"] == 0.5
    assert result.by["south"]["count"] == 0


def test_examples_are_capped_and_say_so(tmp_path):
    rows = "\n".join(f"| 1 | {i} | 30 | 1234 | | |" for i in range(1, 9))
    persons = (
        "| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons |\n|-|-|-|-|-|-|\n"
        + rows
    )
    report = run(tmp_path, persons, max_examples=3)
    result = next(r for r in report.results if r.code == "DATA-CODE-002")
    assert result.count == 8 and len(result.examples) == 3 and result.examples_capped
    assert [e["row"] for e in result.examples] == [1, 2, 3]

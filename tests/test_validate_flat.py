"""Flat files: household questions on every person row are checked once per household.

The module is mini.yaml plus two household questions (`number_abroad`, asked where
`any_member_abroad == 1`; `remit_uses`, a select_multiple) and a household edit H1
(`number_abroad <= 20`). The person file below has three households of 1, 3 and 4 persons.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from migmodule.profile import adapt
from migmodule.validate import validate_data
from migmodule.validate.flat import SeenUnits
from validate_helpers import MINI, comparable, table, write

# hh 1 (1 person): number_abroad 25 fails edit H1.
# hh 2 (3 persons): not asked number_abroad but answers it (3) on every row: outside the universe
#   once, not three times; person 3 says any_member_abroad = 1 (the household said 2): DATA-LEVEL-002.
# hh 3 (4 persons): number_abroad blank on every row: non-response once; person 4 gives other
#   remit_uses ("1" against "1 3"): DATA-LEVEL-002.
FLAT = """
| hh_id | person_no | age | country_of_birth | any_member_abroad | number_abroad | remit_uses | wt  | region |
|-------|-----------|-----|------------------|-------------------|---------------|------------|-----|--------|
| 1     | 1         | 40  | 404              | 1                 | 25            | 2          | 1.0 | A      |
| 2     | 1         | 35  | 404              | 2                 | 3             |            | 2.0 | B      |
| 2     | 2         | 30  | 404              | 2                 | 3             |            | 2.0 | B      |
| 2     | 3         | 8   | 404              | 1                 | 3             |            | 2.0 | B      |
| 3     | 1         | 60  | 404              | 1                 |               | 1 3        | 3.0 | A      |
| 3     | 2         | 55  | 404              | 1                 |               | 1 3        | 3.0 | A      |
| 3     | 3         | 20  | 404              | 1                 |               | 1 3        | 3.0 | A      |
| 3     | 4         | 18  | 404              | 1                 |               | 1          | 3.0 | A      |
"""


@pytest.fixture(scope="module")
def module_path(tmp_path_factory):
    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    label = {"en": "x", "fr": "x", "es": "x"}
    spec["questions"] += [
        {
            "id": "number_abroad",
            "level": "household",
            "type": "integer",
            "universe": "any_member_abroad == 1",
            "label": label,
            "variable_label": label,
            "status": "recommended",
            "sources": [{"source": "PR3"}],
        },
        {
            "id": "remit_uses",
            "level": "household",
            "type": "select_multiple",
            "code_list": "reasons",
            "label": label,
            "variable_label": label,
            "status": "optional",
            "sources": [{"source": "PR3"}],
        },
    ]
    spec["edits"].append(
        {
            "id": "H1",
            "level": "household",
            "title": label,
            "when": "known(number_abroad)",
            "check": "number_abroad <= 20",
            "severity": "error",
            "message": label,
        }
    )
    path = tmp_path_factory.mktemp("spec") / "flat.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
def adapted(module_path):
    return adapt(None, str(module_path), country="KE")[0]


def results(report) -> dict[tuple[str, str | None], object]:
    return {(r.code, r.question or r.edit): r for r in report.results}


def test_household_questions_are_counted_per_household(tmp_path, adapted):
    report = validate_data(write(table(FLAT), tmp_path / "p.csv"), adapted)
    assert list(report.files) == ["person"]
    assert report.files["person"]["rows"] == 8
    assert report.files["person"]["units"] == {"household": 3}
    got = results(report)
    outside = got[("DATA-UNIV-001", "number_abroad")]
    assert (outside.level, outside.count, outside.denominator) == ("household", 1, 1)
    assert outside.examples == [{"row": 2, "id": "hh_id=2", "value": 3}]
    inside = got[("DATA-UNIV-002", "number_abroad")]
    assert (inside.count, inside.denominator) == (1, 2)  # hh 3 blank, of hh 1 and hh 3
    nonresponse = got[("DATA-NR-001", "number_abroad")]
    assert (nonresponse.count, nonresponse.denominator) == (1, 2)
    assert nonresponse.finding is not None  # 50% of households
    edit = got[("DATA-EDIT-001", "H1")]
    assert (edit.level, edit.count, edit.denominator) == ("household", 1, 2)
    assert edit.examples == [{"row": 1, "id": "hh_id=1"}]
    coding = got[("DATA-CODE-001", "any_member_abroad")]
    assert (coding.level, coding.count, coding.denominator) == ("household", 0, 3)
    # person questions are still counted per person
    assert got[("DATA-NR-001", "age")].denominator == 8
    assert got[("DATA-COVER-001", "number_abroad")].level == "household"


def test_rows_of_a_household_that_disagree(tmp_path, adapted):
    report = validate_data(write(table(FLAT), tmp_path / "p.csv"), adapted)
    got = results(report)
    answer = got[("DATA-LEVEL-002", "any_member_abroad")]
    assert (answer.count, answer.denominator) == (1, 3)
    assert answer.examples == [{"row": 4, "id": "hh_id=2, person_no=3", "value": 1}]
    assert answer.finding.severity.value == "error"
    assert "hh_id=2, person_no=3" in answer.finding.message
    uses = got[("DATA-LEVEL-002", "remit_uses")]
    assert (uses.count, uses.examples) == (
        1,
        [{"row": 8, "id": "hh_id=3, person_no=4", "value": "1"}],
    )
    # the same answer on every row (also blank, or answered outside the universe) is consistent
    assert got[("DATA-LEVEL-002", "number_abroad")].count == 0
    levels = {r.code for r in report.results if r.finding and r.code == "DATA-LEVEL-002"}
    assert levels == {"DATA-LEVEL-002"}
    # the first row wins: household 2 is "No", so number_abroad is outside the universe there
    assert got[("DATA-UNIV-001", "number_abroad")].count == 1


def test_a_household_disagreeing_in_several_rows_counts_once(tmp_path, adapted):
    frame = table(FLAT)
    frame.loc[frame["hh_id"] == 3, "any_member_abroad"] = [1, 2, 2, 8]
    report = validate_data(write(frame, tmp_path / "p.csv"), adapted, chunk_size=2)
    answer = results(report)[("DATA-LEVEL-002", "any_member_abroad")]
    assert answer.count == 2  # households 2 and 3
    assert [e["row"] for e in answer.examples] == [4, 6]


@pytest.mark.parametrize("suffix", [".csv", ".dta", ".sav", ".parquet"])
def test_chunked_equals_whole(tmp_path, adapted, suffix):
    path = write(table(FLAT), tmp_path / f"p{suffix}")
    reports = [
        comparable(validate_data(path, adapted, chunk_size=size, weight="wt", by="region"))
        for size in (None, 1, 2, 3)
    ]
    assert reports[0]["stats"]["findings"] >= 5
    for other in reports[1:]:
        assert other == reports[0]


def test_household_rates_are_weighted_and_broken_down_by_the_first_row(tmp_path, adapted):
    report = validate_data(
        write(table(FLAT), tmp_path / "p.csv"), adapted, weight="wt", by="region"
    )
    nonresponse = results(report)[("DATA-NR-001", "number_abroad")]
    assert nonresponse.weighted_rate == pytest.approx(3.0 / (1.0 + 3.0))
    assert nonresponse.by["A"] == {
        "count": 1,
        "denominator": 2,
        "rate": 0.5,
        "weighted_rate": 0.75,
    }
    assert nonresponse.by["B"]["denominator"] == 0  # household 2 is not in the universe


def test_scattered_households_are_still_one_unit_each(tmp_path, adapted):
    """An unsorted file: household 3's rows are spread among household 2's."""
    frame = table(FLAT).iloc[[0, 4, 1, 5, 2, 6, 3, 7]].reset_index(drop=True)
    path = write(frame, tmp_path / "p.csv")
    for size in (None, 1, 3):
        got = results(validate_data(path, adapted, chunk_size=size))
        assert got[("DATA-NR-001", "number_abroad")].denominator == 2
        assert got[("DATA-UNIV-001", "number_abroad")].count == 1
        assert got[("DATA-LEVEL-002", "any_member_abroad")].count == 1
        assert got[("DATA-LEVEL-002", "remit_uses")].examples[0]["row"] == 8


def test_a_household_file_is_the_source_when_given(tmp_path, adapted):
    """With its own file, household questions come from it; the person file's copies are not read."""
    households = """
| hh_id | any_member_abroad | number_abroad | remit_uses |
|-------|-------------------|---------------|------------|
| 1     | 1                 | 2             | 2          |
| 2     | 2                 |               |            |
| 3     | 1                 | 4             | 1 3        |
"""
    files = {
        "person": write(table(FLAT), tmp_path / "p.csv"),
        "household": write(table(households), tmp_path / "h.csv"),
    }
    report = validate_data(files, adapted)
    got = results(report)
    assert not any(code == "DATA-LEVEL-002" for code, _ in got)
    assert "units" not in report.files["person"]
    nonresponse = got[("DATA-NR-001", "number_abroad")]
    assert (nonresponse.count, nonresponse.denominator) == (0, 2)
    assert got[("DATA-CODE-001", "any_member_abroad")].denominator == 3


def test_without_the_household_identifier_every_row_is_a_household(tmp_path, adapted):
    frame = table(FLAT).drop(columns="hh_id")
    report = validate_data({"person": write(frame, tmp_path / "p.csv")}, adapted)
    got = results(report)
    assert got[("DATA-ID-004", None)].finding is not None  # person ids lack hh_id
    assert got[("DATA-NR-001", "number_abroad")].denominator == 6  # rows saying "Yes"
    skipped = got[("DATA-LEVEL-002", "any_member_abroad")]
    assert skipped.finding is None and "hh_id" in skipped.details["skipped"]


def test_seen_units_agree_with_a_dictionary():
    """The sorted runs give what a dict would, whatever the chunking."""
    rng = np.random.default_rng(7)
    seen, truth = SeenUnits(2), {}
    for _ in range(200):
        keys = np.unique(rng.integers(0, 5000, size=rng.integers(1, 60)).astype(np.uint64))
        run, position = seen.find(keys)
        assert ((run >= 0) == np.array([int(k) in truth for k in keys])).all()
        known = run >= 0
        stored = seen.values(run[known], position[known])
        assert [tuple(row) for row in stored] == [truth[int(k)] for k in keys[known]]
        new = keys[~known]
        values = rng.integers(0, 2**63, size=(len(new), 2)).astype(np.uint64)
        seen.add(new, values)
        truth.update({int(k): tuple(v) for k, v in zip(new, values, strict=True)})
    assert seen.count == len(truth)
    assert len(seen.runs) <= 12


def test_numbers_stored_as_text_compare_as_numbers(tmp_path, adapted):
    """In a string variable, '2' and ' 2.0' are the same answer; 'two' is another one."""
    frame = table(FLAT)
    frame["any_member_abroad"] = frame["any_member_abroad"].map(str).astype(object)
    frame.loc[2, "any_member_abroad"] = " 2.0"
    frame.loc[6, "any_member_abroad"] = "one"
    report = validate_data(write(frame, tmp_path / "p.dta"), adapted)
    got = results(report)
    assert got[("DATA-CODE-004", "any_member_abroad")].finding is not None  # stored as text
    answer = got[("DATA-LEVEL-002", "any_member_abroad")]
    assert [e["id"] for e in answer.examples] == ["hh_id=2, person_no=3", "hh_id=3, person_no=3"]


def test_households_are_counted_once_when_only_a_household_edit_is_read_there(tmp_path, adapted):
    """No household question in the file, but edit H1 is homed there: units still count once."""
    frame = table(FLAT).drop(columns=["any_member_abroad", "number_abroad", "remit_uses"])
    path = write(frame, tmp_path / "p.csv")
    for size in (None, 1, 3):
        report = validate_data(path, adapted, chunk_size=size)
        assert report.files["person"]["units"] == {"household": 3}
        edit = results(report)[("DATA-EDIT-001", "H1")]
        assert "number_abroad" in edit.details["skipped"]

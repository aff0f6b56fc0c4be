"""A variable absent from the file, or blank by national design, is UNKNOWN in the three-valued
logic: rules are decided on every row where the known answers decide them, never skipped whole.
Examples show the values each rule read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from migmodule.expr.evaluate import evaluate_frame
from migmodule.validate import engine as engine_module
from migmodule.validate import validate_data
from validate_helpers import mini, table, write

SAMPLES = Path(__file__).parent.parent / "samples"


def truths(series: pd.Series) -> list:
    return [None if pd.isna(v) else bool(v) for v in series]


def test_known_and_answered_of_an_open_cell_are_unknown():
    adapted = mini()
    frame = pd.DataFrame({"age": [30.0, np.nan, np.nan], "year_of_arrival": [2000.0, 2001.0, 1.0]})
    open_age = np.array([False, False, True])  # row 3: not known at all; row 2: known blank
    got = evaluate_frame(
        adapted.module, "known(age)", frame, adapted.params, undetermined={"age": open_age}
    )
    assert truths(got) == [True, False, None]
    got = evaluate_frame(
        adapted.module, "answered(age)", frame, adapted.params, undetermined={"age": open_age}
    )
    assert truths(got) == [True, False, None]
    got = evaluate_frame(
        adapted.module,
        "coalesce(age, year_of_arrival) > 100",
        frame,
        adapted.params,
        undetermined={"age": open_age},
    )
    assert truths(got) == [False, True, None]  # row 3: age might have been known
    # an or with one decided side is decided, whatever the open side would say
    got = evaluate_frame(
        adapted.module,
        "year_of_arrival > 1900 or known(age)",
        frame,
        adapted.params,
        undetermined={"age": np.ones(3, dtype=bool)},
    )
    assert truths(got) == [True, True, None]


@pytest.fixture(scope="module")
def census_without_lived_abroad(tmp_path_factory):
    """The census sample without ever_lived_abroad, and year of arrival blanked for three
    persons born abroad (planted: the universe 'foreign_born or lived_abroad' holds for them
    whatever ever_lived_abroad would say)."""
    frame, meta = pyreadstat.read_sav(str(SAMPLES / "census_persons.sav"), user_missing=True)
    foreign = frame.index[
        (~frame["P10_COB"].isin([404, 998, 999, 1234]))
        & frame["P10_COB"].notna()
        & frame["year_of_arrival"].between(1900, 2030)
    ]
    planted = list(foreign[:3])
    frame.loc[planted, "year_of_arrival"] = np.nan
    frame = frame.drop(columns=["ever_lived_abroad"])
    folder = tmp_path_factory.mktemp("census")
    path = folder / "persons.sav"
    labels = {k: v for k, v in meta.variable_value_labels.items() if k in frame.columns}
    ranges = {k: v for k, v in meta.missing_ranges.items() if k in frame.columns}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, missing_ranges=ranges)
    return path, [int(i) + 1 for i in planted]


def test_defects_are_reported_when_a_variable_the_universe_reads_is_absent(
    census_without_lived_abroad,
):
    path, planted = census_without_lived_abroad
    for size in (None, 50):
        report = validate_data(
            {"person": path},
            profile=SAMPLES / "census.profile.yaml",
            chunk_size=size,
            max_examples=100,
        )
        inside = next(
            r
            for r in report.results
            if r.code == "DATA-UNIV-002" and r.question == "year_of_arrival"
        )
        assert inside.finding is not None
        assert set(planted) <= {e["row"] for e in inside.examples}
        # native-born persons: the universe depends on ever_lived_abroad, so not checkable
        assert inside.not_checkable > 0
        assert "ever_lived_abroad" in inside.details["not_checkable_reason"]
        assert "skipped" not in inside.details
        # the values the universe read are shown for each example (national names too)
        shown = inside.details["example_values"][
            [e["row"] for e in inside.examples].index(planted[0])
        ]
        assert shown["year_of_arrival"] is None and shown["country_of_birth (P10_COB)"] not in (
            404,
            None,
        )


def test_an_edit_reading_an_absent_variable_is_decided_where_it_can_be(tmp_path):
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival |
|-------|-----------|-----|------------------|-----------------|
| 1     | 1         | 40  | 404              |                 |
| 1     | 2         | 30  | 250              | 1990            |
| 2     | 1         | 30  | 250              | 2010            |
"""
    # E1: when known(year_of_arrival) and known(age): year_of_arrival >= 2030 - age - 1.
    # Drop age: the edit cannot be decided where year_of_arrival is known; where it is blank,
    # `known(year_of_arrival)` is false and the edit does not apply, whatever age is.
    frame = table(persons).drop(columns=["age"])
    report = validate_data({"person": write(frame, tmp_path / "p.csv")}, mini())
    edit = next(r for r in report.results if r.edit == "E1")
    assert edit.count == 0 and edit.not_checkable == 2 and edit.denominator == 0
    assert "age" in edit.details["skipped"]  # nothing could be decided: said so


def test_edit_examples_show_each_value_it_read_with_the_national_name(tmp_path):
    persons = """
| hh_id | person_no | AGE_P | country_of_birth | year_of_arrival |
|-------|-----------|-------|------------------|-----------------|
| 1     | 1         | 40    | 250              | 1980            |
| 1     | 2         | 30    | 250              | 2010            |
"""
    adapted = mini()
    adapted.settings.variables["age"] = "AGE_P"
    report = validate_data({"person": write(table(persons), tmp_path / "p.csv")}, adapted)
    edit = next(r for r in report.results if r.edit == "E1")
    assert edit.count == 1 and edit.examples[0]["row"] == 1
    assert edit.details["example_values"] == [{"year_of_arrival": 1980, "age (AGE_P)": 40}]


def design_blank_run(tmp_path, monkeypatch, mask_rows):
    """year_of_arrival blank (or 0, a national 'not asked' code) on rows marked blank by design."""
    persons = """
| hh_id | person_no | age | country_of_birth | year_of_arrival |
|-------|-----------|-----|------------------|-----------------|
| 1     | 1         | 40  | 250              |                 |
| 1     | 2         | 30  | 250              | 0               |
| 2     | 1         | 30  | 250              | 2010            |
| 2     | 2         | 30  | 250              |                 |
"""
    real = engine_module.make_chunk

    def with_mask(plan, raw, offset, letters):
        chunk = real(plan, raw, offset, letters)
        rows = offset + np.arange(len(chunk))
        if "year_of_arrival" in chunk.kinds:
            chunk.design_blank["year_of_arrival"] = np.isin(rows, mask_rows)
        return chunk

    monkeypatch.setattr(engine_module, "make_chunk", with_mask)
    path = write(table(persons), tmp_path / "p.csv")
    return {
        (r.code, r.question or r.edit): r
        for r in validate_data({"person": path}, mini(), chunk_size=1).results
    }


def test_cells_blank_by_design_are_never_a_code_universe_or_nonresponse_finding(
    tmp_path, monkeypatch
):
    plain = design_blank_run(tmp_path, monkeypatch, [])
    assert plain[("DATA-UNIV-002", "year_of_arrival")].count == 2  # rows 1 and 4
    assert plain[("DATA-RANGE-001", "year_of_arrival")].count == 1  # 0 is out of range
    masked = design_blank_run(tmp_path, monkeypatch, [0, 1])  # rows 1 and 2: not asked
    inside = masked[("DATA-UNIV-002", "year_of_arrival")]
    assert inside.count == 1 and [e["row"] for e in inside.examples] == [4]
    assert inside.not_checkable == 2 and inside.details["blank_by_design"] == 2
    assert masked[("DATA-RANGE-001", "year_of_arrival")].count == 0
    nonresponse = masked[("DATA-NR-001", "year_of_arrival")]
    assert nonresponse.count == 1 and nonresponse.denominator == 2
    # E1 reads year_of_arrival: unknown on the rows blank by design (known() is unknown there)
    assert masked[("DATA-EDIT-001", "E1")].not_checkable == 2


def test_label_drift_skips_recoded_codes_and_lists_each_code_once(tmp_path):
    from migmodule.profile import ModuleSettings, Profile, adapt
    from validate_helpers import MINI

    households = pd.DataFrame({"hh_id": [1.0, 2.0, 3.0], "any_member_abroad": [1.0, 3.0, 9.0]})
    path = tmp_path / "h.sav"
    labels = {"any_member_abroad": {1: "Yes", 2: "No", 3: "Partly", 8: "Don't know", 9: "Jamais"}}
    pyreadstat.write_sav(households, str(path), variable_value_labels=labels)
    profile = Profile(
        name="drift",
        country="KEN",
        modules=[ModuleSettings(module=str(MINI), recodes={"any_member_abroad": {"3": 1}})],
    )
    report = validate_data({"household": path}, adapt(profile)[0])
    drift = next(r for r in report.results if r.code == "DATA-CODE-003")
    # 3 ("Partly") is recoded to 1 on purpose: not compared; 9 ("Jamais") is, once
    assert [d["code"] for d in drift.details["codes"]] == [9]
    assert drift.finding is not None and drift.finding.message.count("Jamais") == 1


def test_a_variable_blank_by_design_on_every_row_is_not_empty(tmp_path, monkeypatch):
    everywhere = design_blank_run(tmp_path, monkeypatch, [0, 1, 2, 3])
    empty = everywhere[("DATA-COVER-004", "year_of_arrival")]
    assert empty.finding is None and empty.denominator == 0
    assert everywhere[("DATA-UNIV-002", "year_of_arrival")].count == 0
    assert everywhere[("DATA-NR-001", "year_of_arrival")].finding is None


def test_a_parent_answer_blank_by_design_is_unknown_on_its_childrens_rows(tmp_path, monkeypatch):
    import yaml

    from migmodule.profile import adapt
    from validate_helpers import MINI

    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    label = {"en": "x", "fr": "x", "es": "x"}
    spec["edits"].append(
        {
            "id": "P1",
            "level": "person",
            "title": label,
            "when": "any_member_abroad == 2",
            "check": "age < 100",
            "severity": "error",
            "message": label,
        }
    )
    module = tmp_path / "m.yaml"
    module.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    households = pd.DataFrame({"hh_id": [1, 2], "any_member_abroad": [2, 2]})
    persons = pd.DataFrame({"hh_id": [1, 2], "person_no": [1, 1], "age": [120, 120]})
    files = {
        "household": write(households, tmp_path / "h.csv"),
        "person": write(persons, tmp_path / "p.csv"),
    }
    real = engine_module.make_chunk

    def household_2_not_asked(plan, raw, offset, letters):
        chunk = real(plan, raw, offset, letters)
        if "any_member_abroad" in chunk.kinds:
            chunk.design_blank["any_member_abroad"] = (offset + np.arange(len(chunk))) == 1
        return chunk

    monkeypatch.setattr(engine_module, "make_chunk", household_2_not_asked)
    for size in (None, 1):
        report = validate_data(files, adapt(None, str(module), country="KE")[0], chunk_size=size)
        edit = next(r for r in report.results if r.edit == "P1")
        assert (edit.count, edit.not_checkable) == (1, 1)  # household 2's person: not checkable
        assert [e["row"] for e in edit.examples] == [1]


def test_a_flat_file_row_blank_by_design_does_not_disagree_with_its_household(
    tmp_path, monkeypatch
):
    flat = pd.DataFrame(
        {
            "hh_id": [1, 1, 2, 2],
            "person_no": [1, 2, 1, 2],
            "age": [30, 30, 30, 30],
            "any_member_abroad": [1, 1, 2, 1],
        }
    )
    path = write(flat, tmp_path / "p.csv")
    real = engine_module.make_chunk

    def run(masked_rows):
        def with_mask(plan, raw, offset, letters):
            chunk = real(plan, raw, offset, letters)
            rows = offset + np.arange(len(chunk))
            chunk.design_blank["any_member_abroad"] = np.isin(rows, masked_rows)
            return chunk

        monkeypatch.setattr(engine_module, "make_chunk", with_mask)
        report = validate_data({"person": path}, mini(), chunk_size=1)
        return next(r for r in report.results if r.code == "DATA-LEVEL-002")

    assert run([]).count == 1  # household 2: 2 then 1
    assert run([3]).count == 0  # the 1 was not asked by design

"""Readers: Stata extended missings, SPSS user-missing values, text-stored numbers, real corpus files.

Includes a .dta file that triggers pyreadstat's user_missing bug (an integer column with `.a`
followed by `.`; shared/reference/formats.md 4.9): the validator must still read it right.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import paths
from migmodule.microdata import DataSource, letter_positions
from migmodule.validate import validate_data
from validate_helpers import mini

CORPUS = paths.CORPUS
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus ({paths.CORPUS}) is absent"
)

SPECIALS_SPEC = """
spec_format: 1
id: specials
version: 0.1.0
status: draft
languages: [en]
title: {en: Special codes}
description: {en: Test module for missing values.}
sources: [{id: T, citation: Test}]
levels: [{id: person, label: {en: Person}, id_variables: [pid]}]
code_lists:
  - id: answer
    codes:
      - {code: 1, label: {en: "Yes"}}
      - {code: 2, label: {en: "No"}}
      - {code: 96, label: {en: Not applicable}, special: not_applicable}
      - {code: 97, label: {en: Refused}, special: refused}
      - {code: 98, label: {en: Don't know}, special: dont_know}
      - {code: 99, label: {en: Not stated}, special: not_stated}
questions:
"""


def specials_spec(
    tmp_path: Path, names: list[str], code_list: str = "answer", qtype: str = "select_one"
) -> Path:
    questions = "".join(
        f"  - {{id: {name}, level: person, type: {qtype}, code_list: {code_list}, label: {{en: {name}}}, "
        f"variable_label: {{en: {name}}}, status: core, sources: [{{source: T}}]}}\n"
        for name in names
    )
    path = tmp_path / "specials.yaml"
    path.write_text(SPECIALS_SPEC + questions, encoding="utf-8")
    return path


def kinds_of(report, question: str) -> dict[str, int]:
    return next(r for r in report.nonresponse() if r.question == question).details["kinds"]


# ---- the pyreadstat bug ------------------------------------------------------------------------
@pytest.fixture
def bug_file(tmp_path) -> Path:
    import pyreadstat

    path = tmp_path / "bug.dta"
    frame = pd.DataFrame({"pid": [1, 2, 3], "v": [1, "a", np.nan]}, dtype=object)
    frame["pid"] = frame["pid"].astype("int32")
    pyreadstat.write_dta(frame, str(path), missing_user_values={"v": ["a"]})
    return path


def test_reader_gets_tagged_then_system_missing_right(bug_file):
    source = DataSource(bug_file)
    (chunk,) = list(source.chunks(["v"]))
    values = chunk.frame["v"].tolist()
    assert values[0] == 1 and np.isnan(values[1]) and np.isnan(values[2])
    # row 1 is .a; row 2 is system missing, no letter
    assert letter_positions(chunk.letters["v"]) == {1: "a"}


def test_validator_splits_the_bug_file_right(tmp_path, bug_file):
    spec = specials_spec(tmp_path, ["v"])
    report = validate_data(bug_file, str(spec), chunk_size=1)
    # .a is don't know (default mapping); the '.' after it is blank, not a code 0 or 48.
    assert kinds_of(report, "v") == {"not_stated": 0, "dont_know": 1, "refused": 0, "blank": 1}
    assert not any(r.finding for r in report.results if r.code == "DATA-CODE-001")


def test_the_file_really_triggers_the_pyreadstat_bug(bug_file):
    """If this fails, pyreadstat has fixed formats.md 4.9 and the workaround could be revisited."""
    import pyreadstat

    frame, _ = pyreadstat.read_dta(str(bug_file), user_missing=True)
    assert frame["v"].tolist()[1] == "a"
    assert not pd.isna(frame["v"].tolist()[2])


# ---- corpus ------------------------------------------------------------------------------------
@needs_corpus
def test_stata_extended_missings_from_corpus(tmp_path):
    spec = specials_spec(tmp_path, [f"var{i}" for i in range(1, 10)])
    report = validate_data(
        CORPUS / "pyreadstat/missing_test.dta",
        str(spec),
        chunk_size=None,
        missing_map={"x": "not_applicable"},
    )
    assert kinds_of(report, "var1")["dont_know"] == 1  # .a
    assert kinds_of(report, "var2")["refused"] == 1  # .b
    assert kinds_of(report, "var3")["not_stated"] == 1  # .c
    # .x mapped to not_applicable on the command line: counted with blanks inside the universe
    assert kinds_of(report, "var4")["blank"] == 1
    assert kinds_of(report, "var5")["not_stated"] == 1  # .y: unmapped letters are "not stated"
    assert kinds_of(report, "var7")["blank"] == 1  # system missing
    assert kinds_of(report, "var9") == {"not_stated": 0, "dont_know": 0, "refused": 0, "blank": 0}


@needs_corpus
def test_spss_user_missing_from_corpus(tmp_path):
    spec = specials_spec(tmp_path, ["mylabl", "myord"])
    report = validate_data(CORPUS / "pyreadstat/sample_missing.sav", str(spec), chunk_size=3)
    # mylabl: -1 "undetermined" is user-missing: not a spec code, so "not stated"; one system missing
    assert kinds_of(report, "mylabl") == {"not_stated": 1, "dont_know": 0, "refused": 0, "blank": 1}
    # myord: -1 "missing" and -3 (no label) are user-missing
    assert kinds_of(report, "myord")["not_stated"] == 2
    codes = {(r.code, r.question): r.count for r in report.results if r.finding}
    # myord's 3 is outside the list (1, 2 and specials); the user-missing values are not flagged
    assert codes[("DATA-CODE-001", "myord")] == 1
    assert ("DATA-CODE-001", "mylabl") not in codes


@needs_corpus
def test_ipa_backcheck_universe_and_text_stored_number(tmp_path):
    spec = tmp_path / "backcheck.yaml"
    spec.write_text(
        textwrap.dedent("""
        spec_format: 1
        id: backcheck
        version: 0.1.0
        status: draft
        languages: [en]
        title: {en: IPA back-check migration items}
        description: {en: Ad-hoc spec over household_backcheck.dta}
        sources: [{id: IPA, citation: IPA high-frequency checks}]
        levels: [{id: household, label: {en: Household}, id_variables: [hhid]}]
        code_lists:
          - id: yesnodk
            codes:
              - {code: 1, label: {en: "Yes"}}
              - {code: 0, label: {en: "No"}}
              - {code: -999, label: {en: Don't know}, special: dont_know}
          - id: duration_specials
            codes:
              - {code: -888, label: {en: Refused}, special: refused}
              - {code: -999, label: {en: Don't know}, special: dont_know}
        questions:
          - {id: e_hhh_native, level: household, type: select_one, code_list: yesnodk, status: core,
             label: {en: "Has the head lived in this village since birth?"}, variable_label: {en: Head native},
             sources: [{source: IPA}]}
          - {id: e_hhh_howlong, level: household, type: integer, code_list: duration_specials, status: core,
             universe: e_hhh_native == 0, range: {minimum: 0, maximum: 120},
             label: {en: "How long has the head lived in this village?"}, variable_label: {en: Years in village},
             sources: [{source: IPA}]}
          - {id: child_age, variable: a_pl_ch_age, level: household, type: integer, status: optional,
             label: {en: Age of the child}, variable_label: {en: Child age}, sources: [{source: IPA}]}
        """),
        encoding="utf-8",
    )
    report = validate_data(CORPUS / "ipa-hfc/household_backcheck.dta", str(spec), chunk_size=50)
    counts = {(r.code, r.question): r.count for r in report.results}
    assert counts[("DATA-UNIV-001", "e_hhh_howlong")] == 0
    assert counts[("DATA-UNIV-002", "e_hhh_howlong")] == 0
    universe = next(
        r for r in report.results if r.code == "DATA-UNIV-002" and r.question == "e_hhh_howlong"
    )
    assert universe.denominator == 49  # the heads not born in the village
    flagged = {(r.code, r.question) for r in report.results if r.finding}
    assert ("DATA-CODE-004", "child_age") in flagged  # an integer stored as a string variable
    assert ("DATA-CODE-005", "child_age") not in flagged  # ... whose values are all numbers
    assert ("DATA-ID-001", None) in flagged  # the back-check file repeats one hhid


# ---- label drift, CSV code page, parquet -------------------------------------------------------
def test_label_drift_in_sav(tmp_path):
    import pyreadstat

    path = tmp_path / "drift.sav"
    frame = pd.DataFrame({"pid": [1.0, 2.0], "v": [1.0, 2.0]})
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"v": {1: "No", 2: "Yes", 98: "DON'T KNOW", 99: "not stated."}},
    )
    spec = specials_spec(tmp_path, ["v"])
    report = validate_data(path, str(spec))
    drift = next(r for r in report.results if r.code == "DATA-CODE-003")
    assert drift.finding is not None
    # 1 and 2 are swapped; case and punctuation do not count as drift
    assert [d["code"] for d in drift.details["codes"]] == [1, 2]


def test_csv_with_a_declared_code_page(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("pid;v\n1;1\n2;é\n".replace(";", ",").encode("cp1252"))
    spec = specials_spec(tmp_path, ["v"])
    report = validate_data(path, str(spec), encoding="cp1252")
    bad = next(r for r in report.results if r.code == "DATA-CODE-005")
    assert bad.count == 1 and bad.examples[0]["value"] == "é"


def test_parquet(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"pid": [1, 2, 3], "v": [1.0, 5.0, None]}).to_parquet(path)
    report = validate_data(path, str(specials_spec(tmp_path, ["v"])))
    assert next(r for r in report.results if r.code == "DATA-CODE-001").count == 1


def test_unusable_input_raises_a_coded_error(tmp_path):
    from migmodule.codes import MigmoduleError

    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(MigmoduleError) as info:
        validate_data(tmp_path / "x.txt", mini())
    assert info.value.finding.code == "VAL-FILE-002"
    (tmp_path / "broken.dta").write_bytes(b"not stata")
    with pytest.raises(MigmoduleError) as info:
        validate_data(tmp_path / "broken.dta", mini())
    assert info.value.finding.code == "VAL-FILE-001"


# ---- dates and SAS through polars-readstat -----------------------------------------------------
@needs_corpus
def test_spss_dates_arrive_as_the_numbers_stored():
    """polars-readstat converts dates; the reader gives back SPSS's seconds since 1582-10-14,
    which the national layer reads by display format (pyreadstat without date conversion)."""
    import pyreadstat

    path = CORPUS / "pyreadstat/sample_missing.sav"
    names = ["mydate", "dtime", "mytime"]
    (chunk,) = list(DataSource(path).chunks(names))
    stored, _ = pyreadstat.read_sav(str(path), usecols=names, disable_datetime_conversion=True)
    for name in names:
        np.testing.assert_allclose(
            chunk.frame[name].to_numpy(), stored[name].to_numpy(), err_msg=name
        )


def test_stata_dates_arrive_as_the_numbers_stored(tmp_path):
    import pyreadstat

    frame = pd.DataFrame(
        {
            "pid": [1.0, 2.0, 3.0],
            "born": pd.to_datetime(["1990-05-17", "1960-01-01", None]).date,
            "seen": pd.to_datetime(["2021-03-04 10:11:12", "1959-12-31 23:59:59", None]),
        }
    )
    path = tmp_path / "dates.dta"
    pyreadstat.write_dta(frame, str(path))
    source = DataSource(path)
    stored, _ = pyreadstat.read_dta(str(path), disable_datetime_conversion=True)
    whole = pd.concat(
        [c.frame for c in source.chunks(["pid", "born", "seen"], 2)], ignore_index=True
    )
    np.testing.assert_array_equal(whole["born"].to_numpy(), stored["born"].to_numpy())
    np.testing.assert_array_equal(whole["seen"].to_numpy(), stored["seen"].to_numpy())
    assert source.columns["born"].format.startswith("%td")


def test_sas_transport_file(tmp_path):
    import pyreadstat

    path = tmp_path / "persons.xpt"
    frame = pd.DataFrame({"pid": [1.0, 2.0, 3.0], "v": [1.0, 5.0, np.nan], "t": ["a", "b", ""]})
    pyreadstat.write_xport(frame, str(path))
    source = DataSource(path)
    assert source.format == "sas" and source.columns["t"].storage == "string"
    (chunk,) = list(source.chunks(["v", "t"]))
    assert source.reader == "polars-readstat"
    np.testing.assert_array_equal(chunk.frame["v"].to_numpy(), [1.0, 5.0, np.nan])
    assert chunk.frame["t"].tolist()[:2] == ["a", "b"]
    report = validate_data(path, str(specials_spec(tmp_path, ["v"])))
    assert next(r for r in report.results if r.code == "DATA-CODE-001").count == 1


@pytest.mark.parametrize(
    "text",
    [
        'hh_id,code,note,age,share\n12345678901234567,007,NA,30,"0,5"\n'
        '12345678901234568,012,,,1\n3," x ","",null,\n',
        "\ufeffa;b;c\n1,5;x;\n2;;null\n-3,25;NA;7\n",
        "a\tb\n1\t\n\t2\n",
    ],
)
def test_csv_through_polars_reads_what_pandas_reads(tmp_path, text):
    """csv_fast (polars) against csv_dialect's pandas reader: same cells, text as text, only a
    blank (or quoted empty) cell missing, decimal commas, any chunk size."""
    from migmodule.microdata import csv_dialect, csv_fast

    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    for size in (None, 1, 2):
        fast = pd.concat(list(csv_fast.read_chunks(path, None, [], size)), ignore_index=True)
        slow = pd.concat(list(csv_dialect.read_chunks(path, None, [], size)), ignore_index=True)
        assert list(fast.columns) == list(slow.columns)
        assert fast.isna().to_numpy().tolist() == slow.isna().to_numpy().tolist()
        assert fast.fillna("").to_numpy().tolist() == slow.fillna("").to_numpy().tolist()
    names = list(slow.columns)[-1:]
    (only,) = list(csv_fast.read_chunks(path, None, names, None))
    assert list(only.columns) == names

"""Identifiers are compared exactly, as normalised text, never through floating point.

17-digit household identifiers (LSMS and census style) differ in their last digit, which a
float64 cannot hold: read as numbers, thousands of households would merge into false duplicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from migmodule.validate import validate_data
from migmodule.validate.keys import id_keys, normalise_ids
from validate_helpers import mini

BASE = 10_000_000_000_000_000  # 17 digits: above 2**53, consecutive ids merge in a float64


def persons(n_households: int = 10_000) -> pd.DataFrame:
    """Three persons per household; three rows repeat the person number of the row before."""
    hh = np.repeat(np.arange(n_households, dtype=np.int64) + BASE, 3)
    person_no = np.tile([1, 2, 3], n_households)
    for row in (101, 2_002, 3 * n_households - 1):
        person_no[row] = person_no[row - 1]
    return pd.DataFrame({"hh_id": hh, "person_no": person_no, "age": 30})


def write_as(frame: pd.DataFrame, path, ids: str):
    frame = frame.copy()
    if ids == "text":
        frame["hh_id"] = frame["hh_id"].astype(str)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".dta":
        frame.to_stata(path, write_index=False, version=118)
    else:
        pyreadstat.write_sav(frame, str(path))
    return path


def duplicates(report):
    return next(r for r in report.results if r.code == "DATA-ID-001")


@pytest.mark.parametrize(
    "suffix,ids",
    [
        (".csv", "text"),
        (".sav", "text"),
        (".dta", "text"),
        (".parquet", "text"),
        (".parquet", "int64"),
    ],
)
def test_three_real_duplicates_among_30000_persons_with_17_digit_ids(tmp_path, suffix, ids):
    path = write_as(persons(), tmp_path / f"p{suffix}", ids)
    for size in (None, 7_000):
        report = validate_data({"person": path}, mini(), chunk_size=size)
        found = duplicates(report)
        assert found.count == 3 and found.denominator == 30_000
        assert [e["row"] for e in found.examples] == [102, 2_003, 30_000]
        assert found.examples[0]["id"] == f"hh_id={BASE + 33}, person_no=2"  # the values
        assert str(BASE + 9_999) in found.examples[2]["id"]


def test_household_links_use_the_same_exact_keys(tmp_path):
    people = persons(2_000)
    # households BASE + 1 .. BASE + 2000: BASE is missing, BASE + 2000 has no person
    households = pd.DataFrame({"hh_id": np.arange(2_000, dtype=np.int64) + BASE + 1})
    files = {
        "person": write_as(people, tmp_path / "p.csv", "text"),
        "household": write_as(households, tmp_path / "h.parquet", "int64"),
    }
    report = validate_data(files, mini(), chunk_size=500)
    orphans = next(r for r in report.results if r.code == "DATA-ID-002")
    childless = next(r for r in report.results if r.code == "DATA-ID-003")
    assert orphans.count == 3  # the three persons of household BASE, and no other
    assert orphans.examples[0]["id"] == f"hh_id={BASE}, person_no=1"
    assert childless.count == 1
    assert childless.examples == [{"row": 2_000, "file": "parent", "id": f"hh_id={BASE + 2_000}"}]


def test_a_csv_mixing_numbers_and_text_gives_one_result_at_every_chunk_size(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "hh_id,person_no,age\n"
        "12,1,30\n"
        "A12,1,30\n"
        "12.0,1,30\n"  # the same as 12
        " 12 ,2,30\n"
        "007,1,30\n"
        "7,1,30\n"  # not the same as 007
        "A12,1,30\n",  # the same as A12
        encoding="utf-8",
    )
    counts = set()
    for size in (None, 1, 2, 3):
        found = duplicates(validate_data({"person": path}, mini(), chunk_size=size))
        counts.add((found.count, tuple(e["row"] for e in found.examples)))
    assert counts == {(2, (3, 7))}  # data rows 3 (12.0) and 7 (A12)


def test_normalised_text_of_each_storage():
    frame = pd.DataFrame(
        {
            "number": [12.0, 12.5, np.nan, -0.0, 1e16 + 2],
            "text": [" 12 ", "12.00", "", "007", "12345678901234567"],
            "big": pd.Series([BASE + 1, None, 3, 4, 5], dtype=object),
        }
    )
    normal = normalise_ids(frame)
    assert normal["number"].tolist() == ["12", "12.5", None, "0", "10000000000000002"]
    assert normal["text"].tolist() == ["12", "12", None, "007", "12345678901234567"]
    assert normal["big"].tolist() == [str(BASE + 1), None, "3", "4", "5"]
    keys = id_keys(normal[["number"]].iloc[:1])
    assert keys[0] == id_keys(normal[["text"]].iloc[:1])[0]  # 12.0 stored as a number is "12"


def test_keys_are_equal_exactly_when_the_compared_texts_are():
    """Per value and per row: the same key whatever else the chunk holds, and equal keys only for
    equal identifiers (numbers, text, whole numbers written as text, blanks, 17 digits)."""
    rng = np.random.default_rng(11)
    pool = [12, 12.0, "12", " 12.0 ", "012", "A12", 12.5, "12.5", None, "", BASE + 1, BASE + 2]
    pool += [str(BASE + 1), float(BASE), "-0", 0, "7", "007"]
    rows = [pool[i] for i in rng.integers(0, len(pool), size=400)]
    frames = {
        "object": pd.DataFrame({"id": pd.Series(rows, dtype=object)}),
        "text": pd.DataFrame({"id": pd.Series([None if v is None else str(v) for v in rows])}),
    }
    from migmodule.validate.keys import canonical

    for frame in frames.values():
        keys = id_keys(frame)
        texts = [canonical(v) for v in frame["id"]]
        for size in (1, 7):  # a row's key does not depend on its chunk
            parts = [id_keys(frame.iloc[i : i + size]) for i in range(0, len(frame), size)]
            assert (np.concatenate(parts) == keys).all()
        by_key = {}
        for key, text in zip(keys.tolist(), texts, strict=True):
            assert by_key.setdefault(key, text) == text  # one key, one identifier
        assert len(by_key) == len(set(texts))  # and one identifier, one key
    numbers = pd.DataFrame({"id": [12.0, float(BASE), 0.0, np.nan]})
    assert (
        id_keys(numbers).tolist()
        == id_keys(pd.DataFrame({"id": ["12", str(BASE), "-0", ""]})).tolist()
    )

"""The .dta and .sav reader (polars-readstat) gives, cell by cell, what pandas / pyreadstat give.

.dta: files written by pandas (formats 114, 117, 118, 119, both byte orders, every numeric type
and strN) with every kind of missing value patched into the records (`.`, `.a`..`.z`, encoded
here from Stata's documented values, with tests/dta_layout.py to find the cells), files written by
pyreadstat with tagged missings (formats 113-119), and the corpus file. Each is read by
polars-readstat and by the pandas path (`read_stata(convert_missing=True)`) and the two must agree
on values and letters, in chunks. strL columns are read too; a truncated file is a coded error,
not wrong values.

.sav: uncompressed, bytecode-compressed and .zsav files written by pyreadstat (numbers,
user-missing values, system missing, strings with accents, spaces and blanks, very long strings)
read by polars-readstat and by pyreadstat (`user_missing=True`): the same values.
(These tests held the hand-written raw readers, replaced by polars-readstat: issue 16.)
"""

from __future__ import annotations

import string
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dta_layout as read_dta
import paths
from migmodule.codes import MigmoduleError
from migmodule.microdata import DataSource, letter_positions

# Stata's missing values (Stata manual [D] missing values, dta format): `.` and the step to `.a`.
STATA_MISSING = {
    "int8": (101, 1),
    "int16": (32741, 1),
    "int32": (2147483621, 1),
    "float32": (0x7F000000, 0x800),
    "float64": (0x7FE0000000000000, 1 << 40),
}
PACK = {"int8": "b", "int16": "h", "int32": "i", "float32": "I", "float64": "Q"}


def stata_missing_bytes(dtype: str, letter: int, order: str) -> bytes:
    """The stored bytes of `.` (letter 0) or `.a`..`.z` (1..26) for one storage type."""
    base, step = STATA_MISSING[dtype]
    return struct.pack(order + PACK[dtype], base + letter * step)


def numeric_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    words = ["", "a", "Nairobi", "São Paulo" * 2, "x y", "ñandú", "Zürich-Ost"]
    return pd.DataFrame(
        {
            "b": rng.integers(-127, 101, size=n).astype("int8"),
            "i": rng.integers(-32767, 32741, size=n).astype("int16"),
            "l": rng.integers(-2147483647, 2147483621, size=n).astype("int32"),
            "f": (rng.normal(size=n) * 1e5).astype("float32"),
            "d": rng.normal(size=n) * 1e12,
            "s": rng.choice(words, size=n).astype(object),
            "d2": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 99, size=n)),
        }
    )


def patch_missing(path: Path, frame: pd.DataFrame, seed: int) -> dict[tuple[str, int], int]:
    """Overwrite random numeric cells with `.` or `.a`..`.z`; returns {(column, row): letter}."""
    layout = read_dta.read_layout(path)
    order = layout.order
    rng = np.random.default_rng(seed)
    planted = {}
    with open(path, "r+b") as handle:
        for column in ("b", "i", "l", "f", "d", "d2"):
            dtype = str(frame[column].dtype)
            position = layout.names.index(column)
            rows = rng.choice(len(frame), size=len(frame) // 3, replace=False)
            for k, row in enumerate(rows):
                letter = k % 27  # every code: ., .a, ..., .z
                handle.seek(layout.data_start + row * layout.row_width + layout.offsets[position])
                handle.write(stata_missing_bytes(dtype, letter, order))
                planted[(column, int(row))] = letter
    return planted


def read_both(path: Path, chunk_size: int | None) -> tuple[DataSource, list, list]:
    source = DataSource(path)
    names = list(source.columns)
    raw = list(source.chunks(names, chunk_size))
    reader = source.reader
    reference = list(source._dta_pandas(names, chunk_size))
    source.reader = reader
    return source, raw, reference


def assert_same(raw_chunks, reference_chunks) -> None:
    """Same values (NaN = NaN) and the same extended-missing letters, column by column."""
    raw = pd.concat([c.frame for c in raw_chunks], ignore_index=True)
    ref = pd.concat([c.frame for c in reference_chunks], ignore_index=True)
    assert list(raw.columns) == list(ref.columns)
    for name in raw.columns:
        left, right = raw[name].to_numpy(), ref[name].to_numpy()
        if left.dtype == object:
            assert left.tolist() == right.tolist(), name
        else:
            # pandas gives int64 for an integer column without missing values; same numbers
            assert left.dtype == np.float64, name
            np.testing.assert_array_equal(left, right.astype("float64"), err_msg=name)
    assert all_letters(raw_chunks) == all_letters(reference_chunks)


def all_letters(chunks) -> dict[tuple[str, int], str]:
    letters, offset = {}, 0
    for chunk in chunks:
        for name, codes in chunk.letters.items():
            for row, letter in letter_positions(codes).items():
                letters[(name, offset + row)] = letter
        offset += len(chunk.frame)
    return letters


@pytest.mark.parametrize("version", [114, 117, 118, 119])
@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_raw_dta_equals_pandas_with_every_missing_code(tmp_path, version, byteorder):
    frame = numeric_frame(300, seed=version)
    path = tmp_path / f"v{version}.dta"
    frame.to_stata(path, write_index=False, version=version, byteorder=byteorder)
    planted = patch_missing(path, frame, seed=version)
    for chunk_size in (None, 7, 1000):
        source, raw, reference = read_both(path, chunk_size)
        # Latin-1 text (formats before 118) goes to pandas: polars-readstat cuts it short
        expected = "polars-readstat" if version >= 118 else "pandas.read_stata (text in a Latin-1"
        assert source.reader.startswith(expected)
        assert_same(raw, reference)
    letters = all_letters(raw)
    assert {k: v for k, v in planted.items() if v} == {
        k: string.ascii_lowercase.index(v) + 1 for k, v in letters.items()
    }
    whole = pd.concat([c.frame for c in raw], ignore_index=True)
    for (column, row), _ in planted.items():
        assert np.isnan(whole.at[row, column])
    untouched = [r for r in range(len(frame)) if ("s", r) not in planted]
    assert whole["s"].iloc[untouched].tolist() == frame["s"].iloc[untouched].tolist()


@pytest.mark.parametrize("version", [8, 10, 12, 13, 14, 15])  # formats 113, 114, 115, 117-119
def test_raw_dta_equals_pandas_on_pyreadstat_tagged_missings(tmp_path, version):
    import pyreadstat

    rng = np.random.default_rng(version)
    n = 200
    choices = [1, 2, 3, "a", "b", "z", np.nan]
    tagged = [choices[i] for i in rng.integers(0, len(choices), size=n)]
    frame = pd.DataFrame(
        {
            "pid": np.arange(n, dtype="int32"),
            "v": pd.Series(tagged, dtype=object),
            "w": rng.normal(size=n),
            "s": rng.choice(["yes", "no", ""], size=n),
        }
    )
    path = tmp_path / "tagged.dta"
    pyreadstat.write_dta(
        frame, str(path), version=version, missing_user_values={"v": ["a", "b", "z"]}
    )
    source, raw, reference = read_both(path, 13)
    assert source.reader.startswith("polars-readstat" if version >= 14 else "pandas.read_stata")
    assert_same(raw, reference)
    letters = {row: letter for (_, row), letter in all_letters(raw).items()}
    assert letters == {i: v for i, v in enumerate(tagged) if isinstance(v, str)}


@pytest.mark.skipif(
    not paths.CORPUS.is_dir(), reason=f"the shared corpus ({paths.CORPUS}) is absent"
)
def test_raw_dta_equals_pandas_on_corpus_file():
    source, raw, reference = read_both(paths.CORPUS / "pyreadstat/missing_test.dta", None)
    assert source.reader == "polars-readstat"
    assert_same(raw, reference)
    assert len(all_letters(raw)) >= 6


def test_strl_columns_are_read(tmp_path):
    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan], "t": ["long text", "b", ""]})
    path = tmp_path / "strl.dta"
    frame.to_stata(path, write_index=False, version=118, convert_strl=["t"])
    source = DataSource(path)
    (chunk,) = list(source.chunks(["x", "t"]))
    assert source.reader == "polars-readstat"
    assert chunk.frame["t"].tolist() == ["long text", "b", ""]
    (chunk,) = list(source.chunks(["x"]))
    np.testing.assert_array_equal(chunk.frame["x"].to_numpy(), [1.0, 2.0, np.nan])
    assert list(chunk.frame.columns) == ["x"]


def test_latin1_text_of_old_formats_is_read_whole(tmp_path):
    """polars-readstat 0.25 cuts Latin-1 text at its width after turning it into UTF-8."""
    frame = pd.DataFrame({"x": [1.0, 2.0], "s": ["São PauloSão Paulo", "ñandú"]})
    for version in (114, 117, 118):
        path = tmp_path / f"latin{version}.dta"
        frame.to_stata(path, write_index=False, version=version)
        (chunk,) = list(DataSource(path).chunks(["x", "s"], 1000))
        assert chunk.frame["s"].tolist() == frame["s"].tolist(), version
        (chunk,) = list(DataSource(path).chunks(["x"], 1000))  # numbers only: polars-readstat
        assert chunk.frame["x"].tolist() == [1.0, 2.0]


def test_a_truncated_or_unknown_file_is_a_coded_error(tmp_path):
    frame = numeric_frame(50, seed=1)
    good = tmp_path / "good.dta"
    frame.to_stata(good, write_index=False, version=118)
    truncated = tmp_path / "truncated.dta"
    truncated.write_bytes(good.read_bytes()[:-2000])
    with pytest.raises(MigmoduleError):
        list(DataSource(truncated).chunks(["b", "d"]))
    unknown = tmp_path / "unknown.dta"
    unknown.write_bytes(good.read_bytes().replace(b"<release>118", b"<release>120", 1))
    with pytest.raises(MigmoduleError):
        list(DataSource(unknown).chunks(["b", "d"]))


# ---- .sav ----------------------------------------------------------------------------------------
def sav_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    answers = rng.choice([1.0, 2.0, 8.0, 9.0, -1.0, np.nan], size=n)
    return pd.DataFrame(
        {
            "pid": np.arange(1, n + 1, dtype="float64"),
            "q1": answers,
            "q2": rng.normal(size=n) * 1e9,
            "name": rng.choice(["Ana", "Zoë", "", "  lead", "trail  ", "x" * 40, "ñ"], size=n),
            "code": rng.choice(["DK", "1", "2", ""], size=n),
        }
    )


def write_sav(path: Path, frame: pd.DataFrame, **options) -> Path:
    import pyreadstat

    pyreadstat.write_sav(
        frame,
        str(path),
        missing_ranges={"q1": [8.0, 9.0], "code": ["DK"]},
        variable_value_labels={"q1": {1: "Yes", 2: "No", 8: "Don't know", 9: "Refused"}},
        **options,
    )
    return path


def read_sav_both(path: Path, chunk_size: int | None):
    source = DataSource(path)
    names = list(source.columns)
    raw = list(source.chunks(names, chunk_size))
    reader = source.reader
    reference = list(source._sav_pyreadstat(names, chunk_size))
    source.reader = reader
    return source, raw, reference


@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_sav_equals_pyreadstat(tmp_path, chunk_size):
    frame = sav_frame(120, seed=chunk_size or 0)
    path = write_sav(tmp_path / "plain.sav", frame)
    source, raw, reference = read_sav_both(path, chunk_size)
    assert source.reader == "polars-readstat"
    assert_same(raw, reference)
    whole = pd.concat([c.frame for c in raw], ignore_index=True)
    # user-missing values arrive raw; system missing is NaN
    np.testing.assert_array_equal(whole["q1"].to_numpy(), frame["q1"].to_numpy())
    assert source.columns["q1"].user_missing == [(8.0, 8.0), (9.0, 9.0)]


@pytest.mark.parametrize("options", [{"row_compress": True}, {"compress": True}])
@pytest.mark.parametrize("chunk_size", [None, 7])
def test_compressed_sav_equals_pyreadstat(tmp_path, options, chunk_size):
    suffix = ".zsav" if options.get("compress") else ".sav"
    frame = sav_frame(60, seed=5)
    path = write_sav(tmp_path / f"packed{suffix}", frame, **options)
    source, raw, reference = read_sav_both(path, chunk_size)
    assert source.reader == "polars-readstat"
    assert_same(raw, reference)
    whole = pd.concat([c.frame for c in raw], ignore_index=True)
    np.testing.assert_array_equal(whole["q1"].to_numpy(), frame["q1"].to_numpy())
    # a string user-missing value ("DK") is the text itself, as pyreadstat gives it
    assert whole["code"].tolist() == frame["code"].tolist()


def test_very_long_strings_are_read(tmp_path):
    frame = pd.DataFrame({"x": [1.0, np.nan], "long": ["a" * 300, "b"]})
    path = write_sav(tmp_path / "long.sav", frame.assign(q1=1.0, code="1"))
    source, raw, reference = read_sav_both(path, None)
    assert source.reader == "polars-readstat"
    assert_same(raw, reference)
    assert raw[0].frame["long"].tolist() == ["a" * 300, "b"]

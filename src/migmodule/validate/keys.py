"""Identifiers compared exactly, never through floating point, per value (so never per chunk).

Each identifier value is one of:
- a whole number: a number stored as a number whose value is whole (12 and 12.0 are 12, a
  float64 is read at its exact value), or text that writes a whole number without leading zeros,
  optionally with a point and zeros ("12", " 12.0 ", "12345678901234567": 17 digits stay 17
  digits);
- text: any other text, trimmed ("007", "A12"), or a number that is not whole (12.5, as "12.5");
- missing: a blank cell.
So "12" in a CSV, 12 in a .dta and "12.0" in a string variable are one identifier; "007" and 7
are two. Household links (parent join, orphans) use the same keys. Keys are 64-bit hashes per
row, computed with array operations (numbers are hashed as int64, not as text); `canonical`
writes a value as the text it is compared as, for examples.

`SeenUnits` keeps the keys seen so far in sorted runs (binary-search lookups, O(log n) runs).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_WHOLE = r"-?(?:0|[1-9][0-9]{0,17})(?:\.0*)?"  # at most 18 digits: exact in an int64
_WHOLE_TEXT = re.compile(_WHOLE)
_EXACT = 2**63
_DIGITS = 10**18  # a whole number of 18 digits at most (`_WHOLE`)
_TEXT = np.uint64(0x9E37_79B9_7F4A_7C15)  # keeps a text's hash apart from a number's
_MISSING = np.uint64(0x5851_F42D_4C95_7F2D)
SPENT = np.uint64(0xFFFF_FFFF_FFFF_FFFF)  # a stored value marked as used (see checks/flat.py)


def _split(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(whole numbers as int64, which rows are whole numbers, texts, which rows are missing)."""
    n = len(column)
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and (
        dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize <= 4)
    ):  # integers (int32 household numbers, int16 person numbers): every one exact in an int64
        return column.to_numpy(dtype=np.int64), np.ones(n, bool), _no_texts(n), np.zeros(n, bool)
    if column.dtype == object or pd.api.types.is_string_dtype(dtype):
        return _split_text(column)
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    # finite, whole and exact in an int64 (NaN and infinities fail the second test)
    whole = (values == np.floor(values)) & (np.abs(values) < _EXACT)
    with np.errstate(invalid="ignore"):  # NaN and the like cast to nonsense, then to 0
        ints = values.astype(np.int64) * whole
    other = np.flatnonzero(~missing & ~whole)
    texts = _no_texts(n)
    if len(other):
        texts = np.full(n, None, dtype=object)
        for position in other:
            texts[position] = repr(float(values[position]))
    return ints, whole, texts, missing


def _no_texts(n: int) -> np.ndarray:
    """`n` Nones, read-only and not allocated: the texts of a column without any (an object
    array of 100,000 Nones costs 0.3 ms a column and chunk)."""
    return np.broadcast_to(np.array(None, dtype=object), (n,))


def _split_text(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_split` of a text column (CSV identifiers; objects such as Python ints from Parquet are
    written as text first, exactly) by Arrow's kernels: trim, the whole-number pattern, and a cast
    to int64. pandas' string methods call the same trim and pattern kernels, but its int64
    conversion went through Python strings (18 ms a column of 100,000 rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(column)
    texts = _no_texts(n)
    whole_numbers = _canonical_ints(column)
    if whole_numbers is not None:
        ints, missing = whole_numbers
        return ints, ~missing, texts, missing
    text = pc.utf8_trim_whitespace(pa.array(column.astype("string").array))
    missing = _bools(pc.equal(text, ""), True)
    whole = _bools(pc.match_substring_regex(text, f"^(?:{_WHOLE})$"), False)
    ints = np.zeros(n, dtype=np.int64)
    if whole.any():
        digits = pc.if_else(pa.array(whole), text, "0")
        if pc.any(pc.match_substring(digits, ".")).as_py():
            digits = pc.replace_substring_regex(digits, r"\.0*$", "")
        ints = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False).astype(np.int64)
    other = ~whole & ~missing
    if other.any():
        texts = np.full(n, None, dtype=object)
        texts[other] = text.filter(pa.array(other)).to_numpy(zero_copy_only=False)
    return ints, whole, texts, missing


def arrow_text_cast(column: pd.Series, target) -> tuple[object, object] | None:
    """(the cells, the cells cast to the Arrow type `target`) of an Arrow-backed text column
    whose every cell casts as it is; None for any other column, or when one cell does not."""
    to_arrow = getattr(column.array, "__arrow_array__", None)
    if to_arrow is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = to_arrow()
    if not (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
        return None
    try:
        return cells, pc.cast(cells, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _canonical_ints(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(int64 values, missing) of an Arrow-backed text column whose every cell is blank (null)
    or a whole number written as `str(int)` writes it, with at most 18 digits (a CSV's
    household and person numbers): one cast to int64 and one back, three times faster than the
    trim and the pattern. None for any other column, which `_split_text` reads in full."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = arrow_text_cast(column, pa.int64())  # None: a space, a point, text, ""
    if found is None:
        return None
    cells, ints = found
    same = pc.all(pc.equal(pc.cast(ints, cells.type), cells)).as_py()  # "007", "+7", "-0": no
    bounds = pc.min_max(ints).as_py()
    if same is False or (
        bounds["min"] is not None and not -_DIGITS < bounds["min"] <= bounds["max"] < _DIGITS
    ):
        return None
    missing = _bools(pc.is_null(ints), True)
    return pc.fill_null(ints, 0).to_numpy().astype(np.int64, copy=False), missing


def _bools(array, null: bool) -> np.ndarray:
    """A boolean Arrow array as numpy, `null` where it is null."""
    import pyarrow.compute as pc

    return pc.fill_null(array, null).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def id_keys(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of identifier columns (as read from the file).

    Collisions between different identifiers are possible in principle (about 1 in 10^12 for
    ten million rows) and would show as a duplicate.
    """
    keys = np.zeros(len(frame), dtype=np.uint64)
    for position, name in enumerate(frame.columns):  # by position: files may spell names apart
        ints, whole, texts, missing = _split(frame[name])
        hashed = pd.util.hash_array(ints)
        other = ~whole & ~missing
        if other.any():
            hashed[other] = pd.util.hash_array(texts[other].astype(str)) ^ _TEXT
        if missing.any():
            hashed[missing] = _MISSING
        with np.errstate(over="ignore"):
            keys = (keys ^ hashed) * np.uint64(0x100_0000_01B3) + np.uint64(position + 1)
    return keys


def canonical(value: object) -> str | None:
    """One identifier value as the text it is compared as (None when missing)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if np.isnan(number):
            return None
        if number.is_integer() and abs(number) < _EXACT:
            return str(int(number))
        return repr(number)
    text = str(value).strip()
    if not text:
        return None
    if _WHOLE_TEXT.fullmatch(text):
        return str(int(text.split(".")[0]))
    return text


def normalise_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Identifier columns as the text they are compared as (object columns, None if missing)."""
    return pd.DataFrame(
        {name: [canonical(v) for v in frame[name].tolist()] for name in frame.columns},
        index=frame.index,
        dtype=object,
    )


def describe_ids(ids: pd.DataFrame, position: int) -> str:
    """One row's identifiers as a person reads them: "hh_id=17, person_no=2"."""
    parts = []
    for name in ids.columns:
        text = canonical(ids[name].iat[position])
        parts.append(f"{name}={'.' if text is None else text}")
    return ", ".join(parts)


class SeenUnits:
    """Units seen so far: identifier hash -> first row's fingerprints, in sorted runs.

    Runs are merged when the newest is at least half the size of the one before, so there are
    O(log n) runs and each key is re-sorted O(log n) times.
    """

    def __init__(self, width: int):
        self.width = width
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, fingerprints)
        self.count = 0

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per key, the run holding it (-1: not seen) and its position there."""
        run = np.full(len(keys), -1, dtype=np.int64)
        position = np.zeros(len(keys), dtype=np.int64)
        for index, (sorted_keys, _) in enumerate(self.runs):
            at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
            hit = (run < 0) & (sorted_keys[at] == keys)
            run[hit], position[hit] = index, at[hit]
        return run, position

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add units not seen before (keys unique)."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], values[order]))
        self.count += len(keys)
        while len(self.runs) >= 2 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (keys_b, values_b), (keys_a, values_a) = self.runs.pop(), self.runs.pop()
            merged_keys = np.concatenate([keys_a, keys_b])
            order = np.argsort(merged_keys, kind="stable")
            self.runs.append((merged_keys[order], np.concatenate([values_a, values_b])[order]))

    def values(self, run: np.ndarray, position: np.ndarray) -> np.ndarray:
        out = np.empty((len(run), self.width), dtype=np.uint64)
        for index, (_, values) in enumerate(self.runs):
            here = run == index
            out[here] = values[position[here]]
        return out

    def spend(self, run: np.ndarray, position: np.ndarray, column: int) -> None:
        for index, (_, values) in enumerate(self.runs):
            here = run == index
            values[position[here], column] = SPENT

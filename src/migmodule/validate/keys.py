"""Identifiers compared exactly: each value as normalised text, hashed per row.

Never through floating point: a 17-digit household identifier stored as text stays those 17
digits. The rule is per value, so it cannot depend on the chunk a value falls in:
- a number stored as a number is written in plain digits (12.0 and 12 are "12"; 12.5 is "12.5");
- text is trimmed, and a plain decimal written with trailing zeros after the point ("12.0",
  " 12.00 ") is read as the whole number it writes ("12"); other text stays as it is ("007",
  "A12", "12345678901234567"); an empty cell is missing.
So "12" in a CSV, 12 in a .dta and "12.0" in a string variable are one identifier; "007" and 7
are two. Household links (parent join, orphans) use the same keys.

`SeenUnits` keeps the keys seen so far in sorted runs (binary-search lookups, O(log n) runs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_WHOLE_DECIMAL = r"^(-?[0-9]+)\.0*$"
_EXACT = 2**63
SPENT = np.uint64(0xFFFF_FFFF_FFFF_FFFF)  # a stored value marked as used (see checks/flat.py)


def normalise_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Identifier columns as normalised text (object columns, None where missing)."""
    return pd.DataFrame(
        {name: normalise_id(frame[name]) for name in frame.columns}, index=frame.index
    )


def normalise_id(column: pd.Series) -> pd.Series:
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        numbers = column.map(_int_text, na_action="ignore")  # Python ints of an object column
        text = numbers.astype("string").str.strip()
        text = text.str.replace(_WHOLE_DECIMAL, r"\1", regex=True)
        text = text.mask(text == "")
        return text.astype(object).where(text.notna(), None)
    values = column.to_numpy(dtype="float64", na_value=np.nan) if column.dtype != "int64" else None
    if values is None:  # int64 storage: exact digits
        return column.astype(str).astype(object)
    out = np.full(len(values), None, dtype=object)
    finite = np.isfinite(values)
    whole = finite & (values == np.floor(values)) & (np.abs(values) < _EXACT)
    out[whole] = values[whole].astype(np.int64).astype(str)
    for position in np.flatnonzero(finite & ~whole):
        out[position] = repr(float(values[position]))
    return pd.Series(out, index=column.index, dtype=object)


def _int_text(value: object) -> object:
    """Numbers inside an object column (large integers read exactly) as their digits."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return normalise_id(pd.Series([value], dtype="float64")).iat[0]
    return value


def describe_ids(normal: pd.DataFrame, position: int) -> str:
    """One row's identifiers as a person reads them: "hh_id=17, person_no=2"."""
    return ", ".join(
        f"{name}={'.' if normal[name].iat[position] is None else normal[name].iat[position]}"
        for name in normal.columns
    )


def id_keys(normal: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of normalised identifier columns.

    Collisions between different identifiers are possible in principle (about 1 in 10^12 for
    ten million rows) and would show as a duplicate.
    """
    return pd.util.hash_pandas_object(normal.astype(object), index=False).to_numpy()


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

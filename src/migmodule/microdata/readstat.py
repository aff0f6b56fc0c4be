"""SPSS .sav/.zsav, Stata .dta and SAS .sas7bdat/.xpt data through polars-readstat (Rust, batched).

Only the columns asked for are read, in file order (`preserve_order`), `chunk_size` rows at a time.
Missing values keep what they stand for, through polars-readstat's informative nulls (struct mode:
each eligible column comes as {value, null_indicator}):

- SPSS user-missing values arrive as the numbers (or texts) they are, like pyreadstat's
  `user_missing=True`: the indicator holds the value, which goes back into the column; system
  missing stays NaN.
- Stata extended missings `.a`-`.z` arrive as NaN with their letter in `RawChunk.letters` (codes
  1..26); `.` is NaN with no letter. This reads right the file that trips pyreadstat's
  `user_missing` bug (an integer column with `.a` followed by `.`; tests/test_validate_readers.py).
- Dates, times and datetimes, which polars-readstat converts, go back to the numbers stored in the
  file (SPSS seconds since 1582-10-14, Stata days or milliseconds since 1960, SAS days or seconds
  since 1960), as the national layer reads dates by their display formats (national/dates.py).

Numbers come as float64, text as str objects (None when missing), as the other readers give them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.microdata.rechunk import polars_joined, rechunked

# Seconds (SPSS), days and milliseconds (Stata), days and seconds (SAS) between the file's epoch
# and 1970-01-01, the epoch polars gives.
_DAY = 86_400
_EPOCH_DAYS = {"sav": 141_428, "dta": 3_653, "sas": 3_653}

READSTAT_FORMATS = ("sav", "dta", "sas")


def stata_release(path: Path) -> int | None:
    """The format of a .dta file (113-119), None when the header is not one of Stata's.

    Releases before 118 store text in Latin-1, and polars-readstat 0.25 cuts such a text at its
    width in bytes after turning it into UTF-8 ("São PauloSão Paulo" in a str18 comes back as
    "São PauloSão Pau"): their text columns are read by pandas (source.py).
    """
    with open(path, "rb") as handle:
        start = handle.read(40)
    if start.startswith(b"<stata_dta><header><release>"):
        digits = start[28:31]
        return int(digits) if digits.isdigit() else None
    return start[0] if start and 113 <= start[0] <= 115 else None


def read_chunks(
    path: Path,
    fmt: str,
    names: list[str],
    chunk_size: int | None,
    informative: list[str],
    threads: int | None = None,
    rows: tuple[int, int | None] | None = None,
) -> Iterator[tuple[pd.DataFrame, dict[str, np.ndarray]]]:
    """(frame, Stata letters) for the named columns, `chunk_size` rows at a time (None: at once);
    only rows [start, stop) when `rows` is given (stop None: to the end, where a file cut short
    fails as it does read whole). The reader stops at `stop`, but the rows before
    `start` are decoded and dropped: polars-readstat has no row offset (a range of the second
    half of a 1M-row .dta is read in 0.22 s, the first half in 0.12 s, docs/validation.md).

    `informative`: the columns, among those read, that can hold a user-missing or extended missing
    value (numbers; SPSS strings with declared missing values). They must be named: with "all",
    polars-readstat 0.25 loses the columns left out of a `select`.
    An empty file gives one empty chunk. Raises what polars-readstat raises (the caller turns it
    into a coded error).
    """
    import polars_readstat as prs

    informative_nulls = None
    if informative:
        informative_nulls = prs.InformativeNullOpts(
            columns=list(informative), mode="struct", use_value_labels=False
        )
    scan = prs.scan_readstat(
        str(path),
        threads=threads,
        preserve_order=True,
        batch_size=chunk_size,
        informative_nulls=informative_nulls,
    )
    if names:
        scan = scan.select(names)
    if rows is not None:
        scan = scan.slice(rows[0], None if rows[1] is None else rows[1] - rows[0])
    if chunk_size is None:
        yield convert(scan.collect(), fmt)
        return
    empty = True
    pulled = _pulled(path, names, chunk_size, informative_nulls, threads, rows)
    batches = pulled if pulled is not None else scan.collect_batches(chunk_size=chunk_size)
    for batch in batches:
        if batch.height == 0 and not empty:
            continue
        empty = False
        yield convert(batch, fmt)
    if empty:
        yield convert(scan.head(0).collect(), fmt)


def _pulled(
    path: Path,
    names: list[str],
    chunk_size: int,
    informative_nulls: Any,
    threads: int | None,
    rows: tuple[int, int | None] | None = None,
) -> Iterator[Any] | None:
    """The batches of `scan_readstat`, pulled from its reader one at a time (None when this
    polars-readstat has no such reader). polars' streaming engine, which `collect_batches` runs,
    reads ahead of a slow consumer without bound: 1.4 GB for 13 columns of a 10M-row .dta read
    at the pace of the checks, 0.14 GB pulled. Batches of exactly `chunk_size` rows (of the rows
    [start, stop) when `rows` is given: the reader stops at `stop`, drops the rows before)."""
    import polars_readstat as prs

    reader_class = getattr(prs, "PyPolarsReadstat", None)
    if reader_class is None:
        return None
    reader = reader_class(
        path=str(path),
        size_hint=chunk_size,
        n_rows=rows[1] if rows else None,
        threads=threads,
        missing_string_as_null=False,
        value_labels_as_strings=False,
        preserve_order=True,
        compress=None,
        informative_nulls=informative_nulls.to_dict() if informative_nulls else None,
        row_index_name=None,
        data=None,
        storage_options=None,
    )
    if names:
        reader.set_with_columns(list(names))

    def batches() -> Iterator[Any]:  # pulled one at a time; the rows before the range dropped
        skip = rows[0] if rows else 0
        while (batch := reader.next()) is not None:
            batch = batch.select(names) if names else batch
            if skip:
                dropped = min(skip, batch.height)
                batch, skip = batch.slice(dropped), skip - dropped
            yield batch

    return rechunked(batches(), chunk_size, polars_joined)


def convert(batch: Any, fmt: str) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A polars batch as a pandas frame of float64 / object columns, and the Stata letters."""
    import polars as pl

    columns: dict[str, np.ndarray] = {}
    letters: dict[str, np.ndarray] = {}
    for name, series in zip(batch.columns, batch.get_columns(), strict=True):
        indicator = None
        if isinstance(series.dtype, pl.Struct):
            fields = series.struct.unnest()
            series, indicator = fields.to_series(0), fields.to_series(1)
        if indicator is not None and indicator.null_count() < len(indicator):
            if fmt == "dta":
                codes = _letters(indicator)
                if codes is not None:
                    letters[name] = codes
            elif series.dtype == pl.String:
                series = series.fill_null(indicator)
            else:  # SPSS / SAS: the user-missing number itself
                series = series.cast(pl.Float64).fill_null(indicator.cast(pl.Float64, strict=False))
        columns[name] = _values(series, fmt)
    frame = pd.DataFrame(columns, columns=list(batch.columns))
    return frame, letters


def _values(series: Any, fmt: str) -> np.ndarray:
    import polars as pl

    dtype = series.dtype
    if dtype == pl.String:
        return series.to_numpy().astype(object)
    if dtype == pl.Date:
        days = series.cast(pl.Int32).cast(pl.Float64) + _EPOCH_DAYS[fmt]
        return _float(days * _DAY if fmt == "sav" else days)
    if isinstance(dtype, pl.Datetime):
        ms = series.dt.epoch("ms").cast(pl.Float64) + _EPOCH_DAYS[fmt] * _DAY * 1000
        return _float(ms if fmt == "dta" else ms / 1000)
    if dtype == pl.Time:  # nanoseconds since midnight
        return _float(series.cast(pl.Int64).cast(pl.Float64) / 1e9)
    if dtype == pl.Null:
        return np.full(len(series), np.nan)
    return _float(series.cast(pl.Float64))


def _float(series: Any) -> np.ndarray:
    return series.fill_null(float("nan")).to_numpy().astype("float64", copy=False)


def _letters(indicator: Any) -> np.ndarray | None:
    """Stata indicators (".a".."z", "." or null) as uint8 codes 1..26; None when there is none."""
    text = indicator.to_numpy()
    codes = np.zeros(len(text), dtype=np.uint8)
    for value in set(text.tolist()) - {None}:
        letter = str(value).lstrip(".").lower()
        if len(letter) == 1 and "a" <= letter <= "z":
            codes[text == value] = ord(letter) - ord("a") + 1
    return codes if codes.any() else None

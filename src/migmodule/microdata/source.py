"""Reading data files in chunks: only the columns asked for, with the fastest correct reader per format.

Used by validate (chunk by chunk) and by apply-labels (`read_table`, the whole file), so that both
read a file the same way: only an empty CSV cell is missing; SPSS user-missing values arrive as the
numbers they are; Stata extended missings arrive as letters beside the values.

- SPSS .sav/.zsav, Stata .dta, SAS .sas7bdat/.xpt: polars-readstat (readstat.py), only the
  columns asked for, in batches; SPSS user-missing values come back raw and Stata's `.a`-`.z` as
  letters through its informative nulls. Should it fail on a .dta or .sav before the first chunk,
  the older readers take over: `pandas.read_stata(convert_missing=True)` (not pyreadstat, whose
  `user_missing=True` reads a `.` after an `.a` as 0 or 48) and pyreadstat for .sav.
- CSV: pandas, every column as text, in the declared encoding; Parquet: pyarrow record batches.
Label metadata (value labels, user-missing definitions, storage types) comes from a
`metadataonly=True` pyreadstat read for .dta, .sav and SAS files.

A chunk is a `RawChunk`: the columns under their names in the file (numbers as float64, text as
object), plus, for Stata, the letter of each extended missing value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Location, MigmoduleError
from migmodule.i18n import Phrase
from migmodule.io import note_input
from migmodule.microdata import csv_blocks, csv_dialect, csv_fast
from migmodule.microdata.codes import (
    DATA_DUPLICATE_COLUMN,
    DATA_EMPTY,
    DATA_FORMAT,
    DATA_TRUNCATED,
    DATA_UNREADABLE,
)
from migmodule.microdata.readstat import READSTAT_FORMATS
from migmodule.microdata.rechunk import rechunked

FORMATS = {
    ".dta": "dta",
    ".sav": "sav",
    ".zsav": "sav",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sas7bdat": "sas",
    ".xpt": "sas",
}


@dataclass
class ColumnInfo:
    """What the file says about one variable, besides its values."""

    name: str
    storage: str  # "numeric", "string", or "untyped" (CSV: everything is text)
    label: str = ""
    value_labels: dict[Any, str] = field(default_factory=dict)
    user_missing: list[tuple[Any, Any]] = field(default_factory=list)  # SPSS (lo, hi) ranges
    format: str = ""  # display format in the file (SPSS "DATE11", Stata "%td"); "" for CSV


@dataclass
class RawChunk:
    frame: pd.DataFrame  # columns by their names in the file
    # Stata extended missings: column -> one uint8 per row, 0 = none, 1..26 = .a...z (only
    # columns that have one in this chunk; `letter_positions` turns it into {row: letter}).
    letters: dict[str, np.ndarray] = field(default_factory=dict)


class DataSource:
    """One data file: its variables and a way to read chosen columns in chunks."""

    def __init__(self, path: str | Path, encoding: str | None = None):
        self.path = Path(path)
        self.encoding = encoding
        self.format = FORMATS.get(self.path.suffix.lower())
        if self.format is None:
            raise MigmoduleError.of(
                DATA_FORMAT, Location(file=str(self.path)), path=self.path, suffix=self.path.suffix
            )
        if not self.path.is_file():
            raise MigmoduleError.of(
                DATA_UNREADABLE,
                Location(file=str(self.path)),
                path=self.path,
                reason=Phrase("reason.no_such_file"),
            )
        note_input(self.path, "a data file it reads")  # no output of the command may replace it
        self.columns: dict[str, ColumnInfo] = {}
        self.reader = ""  # which reader the last `chunks` used, and why (for reports and the bench)
        self.n_rows: int | None = None
        self._read_metadata()
        self._by_lower = {name.lower(): name for name in self.columns}

    # metadata ----------------------------------------------------------------------------------
    def _fail(self, reason: object) -> MigmoduleError:
        return MigmoduleError.of(
            DATA_UNREADABLE,
            Location(file=str(self.path)),
            path=self.path,
            reason=str(reason).strip() or type(reason).__name__,
        )

    def _read_metadata(self) -> None:
        if self.format in READSTAT_FORMATS:
            import pyreadstat

            reader = {"dta": pyreadstat.read_dta, "sav": pyreadstat.read_sav}.get(self.format)
            if reader is None:
                reader = (
                    pyreadstat.read_xport
                    if self.path.suffix.lower() == ".xpt"
                    else (pyreadstat.read_sas7bdat)
                )
            kwargs: dict[str, Any] = {"metadataonly": True}
            if self.format != "sas":
                kwargs["user_missing"] = True
            if self.encoding and self.format == "dta":
                kwargs["encoding"] = csv_dialect.plain_encoding(self.encoding)
            try:
                if self.format == "dta":
                    _check_dta_length(self.path)
                _, meta = reader(str(self.path), **kwargs)
            except (
                pyreadstat.ReadstatError,
                pyreadstat.PyreadstatError,
                UnicodeDecodeError,
                OSError,
            ) as exc:
                raise self._fail(exc) from None
            self.n_rows = meta.number_rows
            self._refuse_duplicates(list(meta.column_names))
            for name in meta.column_names:
                kind = meta.readstat_variable_types.get(name, "double")
                ranges = [(r["lo"], r["hi"]) for r in meta.missing_ranges.get(name, [])]
                self.columns[name] = ColumnInfo(
                    name,
                    "string" if kind == "string" else "numeric",
                    meta.column_names_to_labels.get(name) or "",
                    dict(meta.variable_value_labels.get(name, {})),
                    ranges,
                    (meta.original_variable_types or {}).get(name) or "",
                )
        elif self.format == "csv":
            try:
                names = csv_dialect.header_names(self.path, self.encoding)
                header = pd.DataFrame(columns=csv_dialect.read_header(self.path, self.encoding))
            except (
                UnicodeError,
                LookupError,
                ValueError,  # csv_dialect.DialectError: an --encoding that is not one
                pd.errors.ParserError,
                pd.errors.EmptyDataError,
                OSError,
            ) as exc:
                raise self._fail(exc) from None
            self._refuse_duplicates(names)
            self.columns = {name: ColumnInfo(name, "untyped") for name in header.columns}
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                parquet = pq.ParquetFile(self.path)
            except (pa.ArrowInvalid, OSError) as exc:
                raise self._fail(exc) from None
            self.n_rows = parquet.metadata.num_rows
            self._refuse_duplicates(list(parquet.schema_arrow.names))
            for column in parquet.schema_arrow:
                is_text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                self.columns[column.name] = ColumnInfo(
                    column.name, "string" if is_text else "numeric"
                )

    def _refuse_duplicates(self, names: list[str]) -> None:
        """Two columns of one name would be read as one (or renamed 'age.1' by one reader and
        'age_duplicated_0' by another): refused, naming the columns."""
        seen: dict[str, list[int]] = {}
        for position, name in enumerate(names, start=1):
            seen.setdefault(str(name), []).append(position)
        for name, positions in seen.items():
            if len(positions) > 1:
                raise MigmoduleError.of(
                    DATA_DUPLICATE_COLUMN,
                    Location(file=str(self.path), variable=name),
                    path=self.path,
                    name=name,
                    count=len(positions),
                    positions=", ".join(map(str, positions)),
                )

    def find(self, name: str) -> str | None:
        """The file's own spelling of a variable name, matched case-insensitively."""
        if name in self.columns:
            return name
        return self._by_lower.get(name.lower())

    # data ----------------------------------------------------------------------------------------
    @property
    def splittable(self) -> bool:
        """Whether `chunks` can read a range of rows (`rows`) without reading the rows after it:
        Parquet and the readstat formats, whose rows are counted in the file's metadata. A CSV
        file is not (its records are not counted before it is read)."""
        return self.n_rows is not None and self.format != "csv"

    def chunks(
        self, names: list[str], chunk_size: int | None = None, rows: tuple[int, int] | None = None
    ) -> Iterator[RawChunk]:
        """Read the named columns (file spelling), `chunk_size` rows at a time (None: all at once);
        only the rows [start, stop) of the file when `rows` is given (a `splittable` file:
        validate --jobs gives each worker process a range)."""
        names = list(dict.fromkeys(names))
        if rows is not None and not self.splittable:
            raise ValueError(f"{self.path.name}: a {self.format} file is read whole")
        if self.format in READSTAT_FORMATS:
            chunks = self._readstat(names, chunk_size, rows)
        elif self.format == "csv":
            chunks = self._csv(names, chunk_size)
        else:
            chunks = self._parquet(names, chunk_size, rows)
        read = 0
        for chunk in chunks:
            read += len(chunk.frame)
            yield chunk
        if read == 0 and rows is None:  # a file of variables without answers is not a census
            raise MigmoduleError.of(DATA_EMPTY, Location(file=str(self.path)), path=self.path)

    def _readstat(
        self, names: list[str], chunk_size: int | None, rows: tuple[int, int] | None
    ) -> Iterator[RawChunk]:
        """polars-readstat (readstat.py); a coded error when it cannot read the file."""
        from migmodule.microdata import readstat

        informative = [
            name
            for name in names or list(self.columns)
            if self.columns[name].storage == "numeric" or self.columns[name].user_missing
        ]
        if self.format == "dta" and self._latin1_text(names or list(self.columns)):
            self.reader = "pandas.read_stata (text in a Latin-1 .dta)"
            yield from self._dta_pandas(names or list(self.columns), chunk_size, rows)
            return
        # the last range is read to the end of the file, as the whole file is (a file cut short
        # fails with the same message)
        until = rows and (rows[0], None if rows[1] >= (self.n_rows or 0) else rows[1])
        chunks = readstat.read_chunks(
            self.path, self.format, names, chunk_size, informative, rows=until
        )
        started = False
        try:
            for frame, letters in chunks:
                self.reader, started = "polars-readstat", True
                yield RawChunk(frame, letters)
        except Exception as exc:  # polars raises ComputeError, OSError, PanicException, ...
            whole_read_starts = rows and self._readstat_starts(names, chunk_size, informative)
            if started or self.format == "sas" or whole_read_starts:
                # (a range whose reader fails where the whole file's read gives its first chunk
                # fails as the whole file's read does, after its first chunk)
                raise self._fail(exc) from None
            # Before any chunk: the older reader of the format (pandas for .dta, pyreadstat for
            # .sav), which raises its own coded error if it cannot read the file either.
            self.reader = f"{'pandas.read_stata' if self.format == 'dta' else 'pyreadstat'} ({exc})"
            fallback = self._dta_pandas if self.format == "dta" else self._sav_pyreadstat
            yield from fallback(names or list(self.columns), chunk_size, rows)

    def _readstat_starts(
        self, names: list[str], chunk_size: int | None, informative: list[str]
    ) -> bool:
        """Whether polars-readstat gives the first chunk of the whole file."""
        from migmodule.microdata import readstat

        try:
            next(readstat.read_chunks(self.path, self.format, names, chunk_size, informative))
        except Exception:  # whatever it raises: the file's start is not read by it
            return False
        return True

    def _latin1_text(self, names: list[str]) -> bool:
        """Text columns asked of a .dta file older than format 118 (readstat.stata_release)."""
        from migmodule.microdata.readstat import stata_release

        if not any(self.columns[name].storage == "string" for name in names):
            return False
        release = stata_release(self.path)
        return release is not None and release < 118

    def _dta_pandas(
        self, names: list[str], chunk_size: int | None, rows: tuple[int, int] | None = None
    ) -> Iterator[RawChunk]:
        if rows is None:
            yield from self._dta_pandas_all(names, chunk_size)
            return
        # A range: the chunks before it are read and dropped (this reader is the exception: a
        # Latin-1 .dta, or one polars-readstat cannot read).
        start, stop = rows
        at = 0
        for raw in self._dta_pandas_all(names, chunk_size):
            size = len(raw.frame)
            low, high = max(start - at, 0), min(stop - at, size)
            at += size
            if high > low:
                yield raw if (low, high) == (0, size) else _rows_of(raw, low, high)
            if at >= stop:
                return

    def _dta_pandas_all(self, names: list[str], chunk_size: int | None) -> Iterator[RawChunk]:
        from pandas.io.stata import StataMissingValue

        try:
            with pd.read_stata(
                self.path,
                iterator=True,
                convert_missing=True,
                convert_categoricals=False,
                convert_dates=False,
                preserve_dtypes=False,
            ) as reader:
                while True:
                    try:
                        frame = reader.read(chunk_size, columns=names or None)
                    except StopIteration:  # read_stata's way of saying the file is done
                        break
                    if frame is None or (len(frame) == 0 and chunk_size is not None):
                        break
                    letters: dict[str, np.ndarray] = {}
                    for name in frame.columns:
                        if self.columns[name].storage == "string":
                            continue
                        if frame[name].dtype != object:  # numbers as float64, as every reader
                            frame[name] = frame[name].astype("float64")
                            continue
                        frame[name], codes = _split_stata_missing(frame[name], StataMissingValue)
                        if codes is not None:
                            letters[name] = codes
                    yield RawChunk(frame.reset_index(drop=True), letters)
                    if chunk_size is None:
                        break
        except (ValueError, OSError) as exc:
            raise self._fail(exc) from None

    def _sav_pyreadstat(
        self, names: list[str], chunk_size: int | None, rows: tuple[int, int] | None = None
    ) -> Iterator[RawChunk]:
        """pyreadstat's pandas output (faster than its dict output turned into arrays: the dict
        holds Python lists); one call for the whole file, or one per chunk (`row_offset`)."""
        import pyreadstat

        start, stop = rows or (0, self.n_rows or 0)
        step = chunk_size or max(stop - start, 1)
        for offset in range(start, max(stop, start + 1), step):
            try:
                frame, _ = pyreadstat.read_sav(
                    str(self.path),
                    usecols=names,
                    user_missing=True,
                    row_offset=offset,
                    row_limit=min(step, stop - offset) if rows else step,
                    disable_datetime_conversion=True,
                )
            except (
                pyreadstat.ReadstatError,
                pyreadstat.PyreadstatError,
                UnicodeDecodeError,
            ) as exc:
                raise self._fail(exc) from None
            for name in frame.columns:
                kind = "float64" if self.columns[name].storage == "numeric" else object
                frame[name] = frame[name].to_numpy(dtype=kind)
            yield RawChunk(frame.reset_index(drop=True))

    def _csv(self, names: list[str], chunk_size: int | None) -> Iterator[RawChunk]:
        try:  # encoding, separator and decimal mark given or detected: csv_dialect.py
            rows = csv_blocks.chunk_rows(self.path, chunk_size)  # bounded by the text's bytes
            for frame in csv_fast.read_chunks(self.path, self.encoding, names, rows):
                yield RawChunk(frame)
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise self._fail(exc) from None

    def _parquet(
        self, names: list[str], chunk_size: int | None, rows: tuple[int, int] | None = None
    ) -> Iterator[RawChunk]:
        import pyarrow.parquet as pq

        # No pre-buffering of the row groups' columns: 70 MB less at the peak of a 10M-row file.
        parquet = pq.ParquetFile(self.path, pre_buffer=False)
        if rows is not None:
            yield from self._parquet_rows(parquet, names, chunk_size, rows)
            return
        for batch in parquet.iter_batches(
            batch_size=chunk_size or max(self.n_rows or 1, 1), columns=names or None
        ):
            yield RawChunk(self._parquet_frame(batch))

    def _parquet_rows(
        self, parquet: Any, names: list[str], chunk_size: int | None, rows: tuple[int, int]
    ) -> Iterator[RawChunk]:
        """Rows [start, stop) from the row groups holding them, in chunks of `chunk_size` rows
        counted from `start` (a whole-file read's chunks, when `start` is a multiple of it)."""
        start, stop = rows
        size = chunk_size or max(stop - start, 1)
        groups, first = _row_groups(parquet.metadata, start, stop)

        def within() -> Iterator[Any]:  # the batches' rows inside [start, stop)
            at = first
            for batch in parquet.iter_batches(
                batch_size=size, columns=names or None, row_groups=groups
            ):
                low, high = max(start - at, 0), min(stop - at, batch.num_rows)
                at += batch.num_rows
                yield batch.slice(low, max(high - low, 0))
                if at >= stop:
                    break

        for batch in rechunked(within(), size, _joined):
            yield RawChunk(self._parquet_frame(batch))

    def _parquet_frame(self, batch: Any) -> pd.DataFrame:
        """A record batch as a frame: numbers as float64 straight from Arrow (`_plain_numbers`),
        the other columns through `to_pandas` as before. Converting the whole batch and then
        each numeric column again was a third of the CPU time of reading a Parquet file, most of
        it holding the GIL in the reader thread."""
        columns: dict[str, Any] = {}
        others = []
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            numbers = _plain_numbers(column) if self.columns[name].storage == "numeric" else None
            if numbers is None:
                others.append(name)
            else:
                columns[name] = numbers
        if others:
            converted = batch.select(others).to_pandas()
            for name in others:
                series = converted[name]
                if self.columns[name].storage == "numeric":
                    series = _numbers(batch.column(name), series)
                columns[name] = series
        index = pd.RangeIndex(batch.num_rows)
        return pd.DataFrame(
            {name: columns[name] for name in batch.schema.names}, index=index, copy=False
        )


def _row_groups(metadata: Any, start: int, stop: int) -> tuple[list[int], int]:
    """The Parquet row groups holding rows [start, stop), and the first row of the first."""
    groups, first, at = [], None, 0
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).num_rows
        if at + size > start and at < stop:
            groups.append(index)
            first = at if first is None else first
        at += size
    return groups, first or 0


def _joined(batches: list[Any]) -> Any:
    """Record batches as one (a single one as it is: concat_batches copies)."""
    import pyarrow as pa

    return batches[0] if len(batches) == 1 else pa.concat_batches(batches)


def _rows_of(raw: RawChunk, low: int, high: int) -> RawChunk:
    """Rows [low, high) of a raw chunk (frame and Stata letters alike)."""
    return RawChunk(
        raw.frame.iloc[low:high].reset_index(drop=True),
        {name: codes[low:high] for name, codes in raw.letters.items()},
    )


def _check_dta_length(path: Path) -> None:
    """A .dta file of format 117-119 cut short: its map gives the offset of its end, which
    readstat does not check when only the value labels are missing."""
    import struct

    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head.startswith(b"<stata_dta>"):
        return
    at = head.find(b"<map>")
    if at < 0 or len(head) < at + 5 + 14 * 8:
        return
    order = "<" if b"<byteorder>LSF" in head[:at] else ">"
    expected = struct.unpack(f"{order}14Q", head[at + 5 : at + 5 + 14 * 8])[-1]
    size = path.stat().st_size
    if size < expected:
        raise MigmoduleError.of(
            DATA_TRUNCATED, Location(file=str(path)), path=path, size=size, expected=expected
        )


def _plain_numbers(column: Any) -> np.ndarray | None:
    """An integer or floating Parquet column as float64 (nulls NaN), what `_numbers` gives for
    it; None for any other type, and for integers beyond 2**53, which `_numbers` keeps exact."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_integer(kind):
        if len(column):
            extreme = pc.max(pc.abs(pc.cast(column, pa.int64())))
            if extreme.is_valid and extreme.as_py() > 2**53:
                return None
    elif not pa.types.is_floating(kind):
        return None
    values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return values if values.flags.writeable else values.copy()  # Arrow's own memory is read-only


def _numbers(column: Any, series: pd.Series) -> pd.Series:
    """A numeric Parquet column as float64, except 64-bit integers beyond 2**53 (identifiers),
    which float64 cannot hold: those stay exact (int64, or Python ints and None with nulls)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(column.type) and len(column):
        extreme = pc.max(pc.abs(pc.cast(column, pa.int64())))
        if extreme.is_valid and extreme.as_py() > 2**53:
            if column.null_count == 0:
                return pd.Series(column.to_numpy(), index=series.index, dtype="int64")
            return pd.Series(column.to_pylist(), index=series.index, dtype=object)
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _split_stata_missing(
    series: pd.Series, missing_type: type
) -> tuple[pd.Series, np.ndarray | None]:
    """An object column from read_stata(convert_missing=True): float values and letter codes.

    System missing `.` becomes NaN with no letter; `.a`..`.z` become NaN with codes 1..26 (None
    when the chunk has no letter). read_stata makes one StataMissingValue object per distinct
    missing value of a column, so the letters are looked up once per object, not once per row.
    """
    values = series.to_numpy(dtype=object)
    missing = np.fromiter((type(v) is missing_type for v in values), dtype=bool, count=len(values))
    numbers = np.full(len(values), np.nan)
    numbers[~missing] = values[~missing].astype("float64")
    codes = np.zeros(len(values), dtype=np.uint8)
    positions = np.flatnonzero(missing)
    if len(positions):
        objects = values[positions]
        identities = np.fromiter(map(id, objects), dtype=np.int64, count=len(objects))
        distinct, first = np.unique(identities, return_index=True)
        for identity, index in zip(distinct, first, strict=True):
            letter = objects[index].string.lstrip(".")
            if letter:
                codes[positions[identities == identity]] = ord(letter) - ord("a") + 1
    numbers_series = pd.Series(numbers, index=series.index, name=series.name)
    return numbers_series, codes if codes.any() else None


def letter_positions(codes: np.ndarray) -> dict[int, str]:
    """Letter codes as {row: letter}, for reading and tests."""
    return {int(i): chr(ord("a") + int(codes[i]) - 1) for i in np.flatnonzero(codes)}

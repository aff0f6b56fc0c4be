"""CSV in batches through polars (Rust, several threads), read as csv_dialect.py says the file is.

The same cells as the pandas reader of csv_dialect.py: every cell as text, only an empty cell is
missing ("NA" and "null" are answers), a decimal comma turned into a point in numbers such as 1,5,
only the columns asked for. polars reads UTF-8 only: a file in another code page (cp1252, UTF-16)
goes to the pandas reader, and so does a file polars cannot parse before its first chunk (the
pandas reader then gives its own error, which DataSource turns into a coded one).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from migmodule.microdata import csv_dialect
from migmodule.microdata.csv_blocks import in_blocks

_UTF8 = {"utf-8", "utf-8-sig", "ascii"}
_DECIMAL = r"^(\s*-?\d+),(\d+\s*)$"


def uses_polars(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _UTF8
    except LookupError:
        return False


def read_chunks(
    path: str | Path, option: str | None, names: list[str], chunk_size: int | None
) -> Iterator[Any]:
    """pandas frames of text columns (object, None when blank), `chunk_size` rows at a time."""
    dialect = csv_dialect.detect(path, option)
    if not uses_polars(dialect.encoding):
        yield from csv_dialect.read_chunks(path, option, names, chunk_size)
        return
    import polars as pl

    def query(source: Any) -> Any:
        scan = pl.scan_csv(
            source,
            separator=dialect.sep,
            infer_schema=False,  # every column as text
            empty_string_is_null=True,  # an empty cell is missing
            null_values=None,  # and nothing else is
            encoding="utf8",
        )
        if names:
            scan = scan.select(names)
        # A quoted "" is missing too, as pandas reads it. (`when`, not `replace`: `replace` stops
        # polars from streaming and a 10M-row file was read whole.)
        scan = scan.with_columns(
            [
                pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                for c in scan.collect_schema()
            ]
        )
        if dialect.decimal == ",":
            scan = scan.with_columns(pl.all().str.replace(_DECIMAL, "${1}.${2}"))
        return scan

    scan = query(path)
    started = False
    try:
        batches = (
            iter([scan.collect()])
            if chunk_size is None
            else in_blocks(lambda block: query(io.BytesIO(block)), path, chunk_size)
        )
        for batch in batches:
            if batch.height == 0 and started:
                continue
            started = True
            yield _frame(batch)
    except pl.exceptions.PolarsError as exc:
        if started:
            raise ValueError(str(exc).splitlines()[0]) from None
        yield from csv_dialect.read_chunks(path, option, names, chunk_size)
        return
    if not started:  # no data rows: one empty chunk with the header's columns
        yield _frame(scan.head(0).collect())


def _frame(batch: Any) -> Any:
    """The batch as pandas text columns: Arrow-backed (`str`), handed over without Python strings
    (ten times faster, a tenth of the memory); a column without a value is object None, as
    pandas makes it of a list of None."""
    import pandas as pd

    empty = [s.name for s in batch.get_columns() if s.null_count() == len(s)]
    if len(empty) < batch.width:
        frame = batch.drop(empty).to_pandas()
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(batch.height))
    for name in empty:
        frame[name] = pd.Series([None] * batch.height, dtype=object, index=frame.index)
    return frame[list(batch.columns)] if empty else frame

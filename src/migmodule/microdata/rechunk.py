"""Batches of any size as chunks of exactly `size` rows (the last one fewer).

A reader's batches follow its own sizes (a Parquet row group, a polars-readstat batch, a CSV
block); validation counts chunks of the size asked for (`--chunk-size`), so every reader cuts
and joins its batches here. A batch is anything with `len()` and `slice(offset, length)`:
a pyarrow RecordBatch or a polars DataFrame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


def rechunked(batches: Iterable[Any], size: int, join: Callable[[list[Any]], Any]) -> Iterator[Any]:
    """`batches` cut and joined (`join` of a list of pieces) into chunks of `size` rows."""
    pending: list[Any] = []
    held = 0
    for batch in batches:
        while len(batch):
            take = min(size - held, len(batch))
            pending.append(batch.slice(0, take))
            held += take
            batch = batch.slice(take)
            if held == size:
                yield join(pending)
                pending, held = [], 0
    if pending:
        yield join(pending)


def polars_joined(frames: list[Any]) -> Any:
    """polars frames as one (a single one as it is)."""
    import polars as pl

    return pl.concat(frames) if len(frames) > 1 else frames[0]

"""The fixed-record chunk loop shared by the raw .dta and .sav readers.

Both formats store their data as N records of one width after a header; a chunk is one `read`
of its rows viewed through a numpy structured dtype (no memory map: mapped pages of a large file
would count as resident memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np


def records(
    path: str | Path,
    data_start: int,
    n_rows: int,
    record: np.dtype,
    chunk_size: int | None,
) -> Iterator[np.ndarray]:
    """`chunk_size` records at a time (None: all at once); one empty chunk for an empty file.

    Raises OSError when the file ends inside its data section.
    """
    width = record.itemsize
    step = chunk_size or max(n_rows, 1)
    with open(path, "rb") as handle:
        handle.seek(data_start)
        for first in range(0, max(n_rows, 1), step):
            rows = min(step, n_rows - first)
            data = handle.read(rows * width)
            if len(data) != rows * width:
                raise OSError("the file ended inside its data section")
            yield np.frombuffer(data, dtype=record, count=rows)

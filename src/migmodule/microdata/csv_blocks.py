"""A CSV file as blocks of whole records, each parsed on its own, so that reading keeps pace with
the checks.

polars' streaming engine (`collect_batches`) reads ahead of a slow consumer without bound: 0.75
GB for 13 columns of a 10M-row CSV read at the pace of the checks. Here the file is cut into
blocks of about `BLOCK` bytes at record ends (a newline inside quotes is not one: with `"`
quoting, a record ends at a newline after an even number of quote characters), the header line is
put before each block, and each block is parsed by the same polars query as the whole file
(`csv_fast.py`); only one block is held at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from migmodule.microdata.rechunk import polars_joined, rechunked

BLOCK = 4 << 20  # bytes read at a time (a block of 16 MB held 0.25 GB in copies and frames)
# A chunk of a CSV holds about this much of the file's text. The checks' arrays (about 1 kB a row
# for 13 columns) and the parsed text, in three allocators that each keep what they freed, make
# the peak memory: a CSV of 106 bytes a record read 40,000 records at a time instead of 100,000
# peaked at 0.44 GB instead of 0.58 GB for 10M rows, for the same CPU time (docs/validation.md).
CHUNK_BYTES = 4 << 20
MIN_CHUNK_ROWS = 10_000  # however wide the records: the checks cost a little per chunk too
_QUOTE, _NEWLINE = ord('"'), ord("\n")


def record_end(buffer: bytes, start: int = 0) -> int:
    """The position just after the last newline of `buffer` outside quotes, reading from `start`
    (a record's start); -1 when there is none."""
    if b'"' not in buffer:
        at = buffer.rfind(b"\n", start)
        return at + 1 if at >= 0 else -1
    cells = np.frombuffer(buffer, dtype=np.uint8)[start:]
    # The number of quotes before each byte, modulo 256 (one byte each): its parity is exact.
    quotes = np.cumsum(cells == _QUOTE, dtype=np.uint8)
    newlines = np.flatnonzero(cells == _NEWLINE)
    outside = newlines[(quotes[newlines] & 1) == 0]
    return int(outside[-1]) + start + 1 if len(outside) else -1


def first_record_end(buffer: bytes) -> int:
    """The position just after the first record (the header) of `buffer`; -1 when it is cut."""
    cells = np.frombuffer(buffer, dtype=np.uint8)
    quotes = np.cumsum(cells == _QUOTE, dtype=np.uint8)
    newlines = np.flatnonzero(cells == _NEWLINE)
    outside = newlines[(quotes[newlines] & 1) == 0]
    return int(outside[0]) + 1 if len(outside) else -1


def chunk_rows(path: str | Path, chunk_size: int | None) -> int | None:
    """Records per chunk of a CSV: `chunk_size`, fewer when that many records would hold more than
    CHUNK_BYTES of text (by the mean width of the records in the file's first MB), never fewer
    than MIN_CHUNK_ROWS (nor more than `chunk_size`). None (the whole file at once) stays None."""
    if chunk_size is None:
        return None
    with open(path, "rb") as handle:
        sample = handle.read(1 << 20)
    header = first_record_end(sample)
    records = sample.count(b"\n", max(header, 0))
    if header < 0 or records == 0:
        return chunk_size
    width = (len(sample) - header) / records
    return min(chunk_size, max(MIN_CHUNK_ROWS, int(CHUNK_BYTES / width)))


def blocks(path: str | Path, size: int | None = None) -> Iterator[bytes]:
    """The file as buffers of the header line followed by whole records (at least one buffer,
    the header alone when there are no records), about `size` bytes (BLOCK) each."""
    size = size or BLOCK
    with open(path, "rb") as handle:
        pending = handle.read(size)
        header_end = first_record_end(pending)
        while header_end < 0:  # a header longer than a block
            more = handle.read(size)
            if not more:
                yield pending
                return
            pending += more
            header_end = first_record_end(pending)
        header, pending = pending[:header_end], pending[header_end:]
        given = False
        while True:
            more = handle.read(size)
            if not more:
                break
            pending += more
            cut = record_end(pending)
            if cut > 0:
                yield header + pending[:cut]
                given = True
                pending = pending[cut:]
        if pending or not given:
            yield header + pending


def in_blocks(query: Callable[[bytes], Any], path: str | Path, chunk_size: int) -> Iterator[Any]:
    """polars frames of exactly `chunk_size` rows (the last one fewer): `query(block)` is the
    lazy query of one block, collected one block at a time."""
    frames = (query(block).collect() for block in blocks(path))
    return rechunked(frames, chunk_size, polars_joined)

"""A CSV is read in chunks bounded by the bytes of its text (`csv_blocks.chunk_rows`), so that a
file of wide records does not hold 100,000 of them at once; the report stays the whole-file one."""

from __future__ import annotations

import pandas as pd
import pytest

from migmodule.microdata import DataSource, csv_blocks
from migmodule.validate import validate_data
from test_validate_chunks import persons
from validate_helpers import comparable, mini, write


def _csv(tmp_path, rows: int, width: int):
    """A CSV of `rows` records of about `width` bytes (a padding column)."""
    frame = pd.DataFrame({"id": range(1, rows + 1), "pad": ["x" * width] * rows})
    path = tmp_path / f"width{width}.csv"
    frame.to_csv(path, index=False)
    return path


def test_chunk_rows_bounds_the_bytes_of_a_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_blocks, "CHUNK_BYTES", 100_000)
    monkeypatch.setattr(csv_blocks, "MIN_CHUNK_ROWS", 10)
    narrow, wide = _csv(tmp_path, 3000, 8), _csv(tmp_path, 3000, 998)
    assert csv_blocks.chunk_rows(narrow, 2000) == 2000  # 2000 narrow records fit
    rows = csv_blocks.chunk_rows(wide, 2000)  # records of about 1,004 bytes
    assert 95 <= rows <= 100
    assert csv_blocks.chunk_rows(wide, 50) == 50  # never more than asked
    assert csv_blocks.chunk_rows(wide, None) is None  # the whole file stays whole
    monkeypatch.setattr(csv_blocks, "MIN_CHUNK_ROWS", 500)
    assert csv_blocks.chunk_rows(wide, 2000) == 500  # nor fewer than the floor


def test_header_only_and_unended_files_keep_the_chunk_size(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n", encoding="utf-8")
    assert csv_blocks.chunk_rows(empty, 7) == 7
    cut = tmp_path / "cut.csv"
    cut.write_text("a,b", encoding="utf-8")
    assert csv_blocks.chunk_rows(cut, 7) == 7


def test_a_csv_source_reads_the_bounded_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_blocks, "CHUNK_BYTES", 100_000)
    monkeypatch.setattr(csv_blocks, "MIN_CHUNK_ROWS", 10)
    path = _csv(tmp_path, 1000, 998)
    sizes = [len(c.frame) for c in DataSource(path).chunks(["id"], 100_000)]
    step = csv_blocks.chunk_rows(path, 100_000)
    assert sizes == [step] * (1000 // step) + ([1000 % step] if 1000 % step else [])
    assert step < 100


@pytest.mark.parametrize("chunk_bytes", [200, 2_000, 1 << 30])
def test_bounded_csv_chunks_give_the_whole_file_report(tmp_path, monkeypatch, chunk_bytes):
    path = write(persons(400), tmp_path / "p.csv")
    whole = comparable(validate_data(path, mini(), chunk_size=None))
    monkeypatch.setattr(csv_blocks, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(csv_blocks, "MIN_CHUNK_ROWS", 3)
    assert comparable(validate_data(path, mini(), chunk_size=150)) == whole

"""Parquet numbers go from Arrow to float64 without `to_pandas` (`source._plain_numbers`): the
frames are the ones the converted batch gave, for every column type."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from migmodule.microdata import DataSource
from migmodule.microdata.source import _numbers


def _columns(n: int) -> dict[str, pa.Array]:
    rng = np.random.default_rng(5)
    ints = rng.integers(-1000, 1000, size=n)
    nulls = rng.random(n) < 0.2
    return {
        "i8": pa.array(ints % 100, pa.int8()),
        "i16_nulls": pa.array(ints, pa.int16(), mask=nulls),
        "i32": pa.array(ints, pa.int32()),
        "i64_nulls": pa.array(ints * 10**6, pa.int64(), mask=nulls),
        "u64": pa.array(np.abs(ints), pa.uint64()),
        "big_ids": pa.array(2**60 + np.arange(n), pa.int64()),  # beyond 2**53: kept exact
        "big_nulls": pa.array(2**60 + np.arange(n), pa.int64(), mask=nulls),
        "f32": pa.array(rng.random(n).astype("float32")),
        "f64_nulls": pa.array(rng.random(n), mask=nulls),
        "f64_nan": pa.array(np.where(nulls, np.nan, 1.5)),
        "flag": pa.array(ints > 0),
        "flag_nulls": pa.array(ints > 0, mask=nulls),
        "text": pa.array([f"t{i}" for i in ints], mask=nulls),
        "day": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=int(i)) for i in ints]),
        "money": pa.array([decimal.Decimal(int(i)) / 4 for i in ints], pa.decimal128(10, 2)),
        "coded": pa.array([str(i % 3) for i in ints]).dictionary_encode(),
    }


def _as_before(source: DataSource, batch: pa.RecordBatch) -> pd.DataFrame:
    """The frame of one batch as `DataSource._parquet` made it before."""
    frame = batch.to_pandas()
    for name in frame.columns:
        if source.columns[name].storage == "numeric":
            frame[name] = _numbers(batch.column(name), frame[name])
    return frame


@pytest.mark.parametrize("rows", [1, 5, 257])
def test_parquet_frames_are_the_converted_batches(tmp_path, rows):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table(_columns(rows)), path, row_group_size=100)
    source = DataSource(path)
    names = list(source.columns)
    expected = [
        _as_before(source, b)
        for b in pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=64, columns=names)
    ]
    got = [chunk.frame for chunk in source.chunks(names, 64)]
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_numbers_beyond_2_53_stay_exact(tmp_path):
    path = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"id": pa.array([2**60 + 1, 2], pa.int64())}), path)
    frame = next(DataSource(path).chunks(["id"], 10)).frame
    assert frame["id"].tolist() == [2**60 + 1, 2]

"""The bench's floor program (bench/bench_validate.py: FLOOR) runs on each format it times.

The bench is run by hand; this holds only that its floor process (read the columns validation
reads, two polars sums per check) reads Parquet, CSV and .dta files and makes its sums, so a
change to it cannot leave the bench printing a floor it did not measure.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_validate.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_validate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".dta"])
def test_floor_reads_the_columns_and_sums(bench, tmp_path, suffix):
    frame = pd.DataFrame(
        {"hh": [1, 1, 2], "age": [30.0, None, 5.0], "sex": [1.0, 2.0, 9.0], "x": [0.0, 1.0, 2.0]}
    )
    path = tmp_path / f"f{suffix}"
    {
        ".parquet": lambda: frame.to_parquet(path),
        ".csv": lambda: frame.to_csv(path, index=False),
        ".dta": lambda: frame.to_stata(path, write_index=False, version=118),
    }[suffix]()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            bench.FLOOR + "\nprint(frame.columns, frame.height)",
            str(path),
            "hh,age,sex",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "['hh', 'age', 'sex'] 3" in done.stdout

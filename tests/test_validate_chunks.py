"""A chunked run gives exactly the report of a whole-file run (chunk sizes 1, 7 and whole), in every format."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migmodule.validate import validate_data
from validate_helpers import comparable, mini, write


def persons(n: int = 40, seed: int = 3) -> pd.DataFrame:
    """Persons with every kind of defect scattered through the rows."""
    rng = np.random.default_rng(seed)
    country = rng.choice([404, 404, 404, 250, 800, 998, 999, 1234], size=n)
    foreign = ~np.isin(country, [404, 998, 999])
    year = np.where(foreign, rng.integers(1990, 2030, size=n), np.nan)
    year[rng.random(n) < 0.1] = 9998
    year[rng.random(n) < 0.05] = 2015  # some answered outside the universe
    age = rng.integers(0, 90, size=n).astype(float)
    age[rng.random(n) < 0.1] = 999
    reasons = np.where(foreign, rng.choice(["1", "2 3", "7", "98", "5", ""], size=n), "")
    hh = np.repeat(np.arange(1, n // 2 + 1), 2)[:n]
    person_no = np.tile([1, 2], n)[:n]
    person_no[5] = 1  # duplicate of row 5
    return pd.DataFrame(
        {
            "hh_id": hh,
            "person_no": person_no,
            "age": age,
            "country_of_birth": country,
            "year_of_arrival": year,
            "reasons": reasons,
            "wt": rng.uniform(0.5, 2, size=n).round(2),
            "region": rng.choice(["A", "B", "C"], size=n),
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".dta", ".sav", ".parquet"])
def test_chunked_equals_whole(tmp_path, suffix):
    frame = persons()
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 23), "any_member_abroad": [1, 2, 9, 5] * 5 + [1, 2]}
    )
    files = {
        "person": write(frame, tmp_path / f"p{suffix}"),
        "household": write(households, tmp_path / f"h{suffix}"),
    }
    reports = [
        validate_data(files, mini(), chunk_size=size, weight="wt", by="region", max_examples=3)
        for size in (None, 1, 7)
    ]
    whole = reports[0].to_dict()
    whole["stats"].pop("seconds")
    assert whole["stats"]["findings"] > 5  # the data do have defects
    for chunked in reports[1:]:
        data = chunked.to_dict()
        data["stats"].pop("seconds")
        assert data == whole


def test_formats_agree(tmp_path):
    frame = persons()
    households = pd.DataFrame({"hh_id": np.arange(1, 23), "any_member_abroad": [1] * 22})
    results = []
    for suffix in (".csv", ".dta", ".sav", ".parquet"):
        files = {
            "person": write(frame, tmp_path / f"p{suffix}"),
            "household": write(households, tmp_path / f"h{suffix}"),
        }
        results.append(comparable(validate_data(files, mini(), chunk_size=11)))
    for other in results[1:]:
        assert other == results[0]

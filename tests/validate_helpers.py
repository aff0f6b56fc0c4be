"""Shared helpers for the validate tests: data frames written as markdown tables, files in each format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from migmodule.profile import Adapted, adapt
from tables import raw_frame

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def table(text: str) -> pd.DataFrame:
    """A data frame from a markdown table; blank cells are missing, numbers become floats.

    | hh_id | person_no | age |
    |-------|-----------|-----|
    | 1     | 1         | 30  |
    """
    frame = raw_frame(text).fillna(np.nan)
    for name in frame.columns:
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if numbers.notna().sum() == frame[name].notna().sum():
            whole = numbers.dropna().eq(numbers.dropna().round()).all()
            frame[name] = numbers.astype("Int64" if whole else "float64")
    return frame


def mini(country: str = "KE", **params: str) -> Adapted:
    return adapt(None, str(MINI), country=country, params=params or None)[0]


def write(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame in the format its suffix names (select_multiple and text columns stay text)."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".dta":
        frame.to_stata(path, write_index=False, version=118)
    elif suffix == ".sav":
        import pyreadstat

        pyreadstat.write_sav(frame, str(path))
    else:
        raise ValueError(suffix)
    return path


def comparable(report) -> dict:
    """The report's JSON without timings and file paths, for comparing runs."""
    data = report.to_dict()
    data["stats"].pop("seconds")
    for info in data["files"].values():
        info.pop("path")
        info.pop("format")
    for finding in data["findings"]:
        finding["location"].pop("file", None)
        finding.pop("message")
    for result in data["results"]:
        result.pop("message")
        result["details"].pop("file", None)
    return data

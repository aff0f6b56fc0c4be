"""A whole data file in memory, read the way validate reads it (for apply-labels and small files).

The same missing-value rules as the chunked reader: in a CSV only an empty cell is missing ("NA"
and "null" are answers); SPSS user-missing values arrive as the numbers they are; Stata extended
missings `.a`-`.z` arrive as letters in `letters`, beside the values (which are NaN there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from migmodule.microdata.source import ColumnInfo, DataSource

# A CSV column becomes numbers only when every cell reads back as the same text would: no leading
# zeros (identifiers such as "007") and at most 15 significant digits (17-digit identifiers would
# lose their last digits in a float64).
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?$|^-?0?\.[0-9]+$")


@dataclass
class Table:
    path: Path
    format: str
    frame: pd.DataFrame  # columns by their names in the file
    columns: dict[str, ColumnInfo]  # labels, value labels, user-missing ranges, storage
    letters: dict[str, np.ndarray] = field(default_factory=dict)  # Stata .a-.z: uint8 codes 1..26

    def variable_labels(self) -> dict[str, str]:
        return {name: info.label for name, info in self.columns.items() if info.label}


def read_table(path: str | Path, encoding: str | None = None) -> Table:
    """Read every column of a .dta, .sav, .zsav, .csv or .parquet file (coded error if unusable).

    CSV columns whose every non-empty cell is a plain number become float64; the others stay text.
    """
    source = DataSource(path, encoding)
    frames, letters = [], {}
    for raw in source.chunks([], None):
        frames.append(raw.frame)
        letters.update(raw.letters)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if source.format == "csv":
        frame = frame.apply(numbers_if_exact)
    return Table(source.path, source.format, frame, source.columns, letters)


def numbers_if_exact(column: pd.Series) -> pd.Series:
    """A text column as float64 when every non-empty cell is a number that float64 keeps exactly."""
    text = column.dropna().astype(str).str.strip()
    if text.empty or not text.str.match(_NUMBER).all():
        return column
    return pd.to_numeric(column, errors="coerce").astype("float64")

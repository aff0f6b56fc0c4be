"""SPSS and Stata date variables as dates: which columns of a file have a date format, and their
stored numbers (SPSS: seconds since 1582-10-14; Stata %td: days, %tc/%tC: milliseconds since
1960-01-01) as datetime64. Readers that keep the raw numbers (migmodule.microdata) give them so;
`NationalLayer(adapted, date_formats(path))` reads them as dates in `derive` and `where`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

# SPSS formats holding a date or a date-time (TIME and DTIME are durations, not dates).
_SPSS_DATES = re.compile(
    r"^(DATE|ADATE|EDATE|JDATE|SDATE|QYR|MOYR|WKYR|DATETIME|YMDHMS|DATETIMEMS)\d*(\.\d+)?$",
    re.IGNORECASE,
)
_STATA_DAYS = re.compile(r"^%-?(td|d)", re.IGNORECASE)
_STATA_MILLISECONDS = re.compile(r"^%-?t[cC]")
_SPSS_TO_UNIX_SECONDS = 12_219_379_200  # 1582-10-14 to 1970-01-01
_STATA_TO_UNIX_DAYS = 3_653  # 1960-01-01 to 1970-01-01


def date_kind(format_text: str | None) -> str | None:
    """ "spss", "stata_days", "stata_ms" for a date display format, None otherwise."""
    text = (format_text or "").strip()
    if _SPSS_DATES.match(text):
        return "spss"
    if _STATA_MILLISECONDS.match(text):
        return "stata_ms"
    if _STATA_DAYS.match(text):
        return "stata_days"
    return None


def date_formats(path: str | Path) -> dict[str, str]:
    """Column -> display format, for the date columns of a .sav/.zsav or .dta file ({} for other
    formats: CSV dates are ISO text)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".sav", ".zsav", ".dta"):
        return {}
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    try:
        _, meta = reader(str(path), metadataonly=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, UnicodeDecodeError):
        return {}  # the data reader reports an unreadable file with its own code
    return {
        name: text
        for name, text in (meta.original_variable_types or {}).items()
        if date_kind(text) is not None
    }


def as_dates(series: pd.Series, format_text: str | None) -> pd.Series:
    """A stored date variable as datetime64 (NaT where blank or out of range); other columns,
    and columns that already hold dates, are returned as they are."""
    kind = date_kind(format_text)
    if kind is None or not pd.api.types.is_numeric_dtype(series.dtype):
        return series
    numbers = series.to_numpy(dtype="float64", na_value=np.nan)
    if kind == "spss":
        values, unit = numbers - _SPSS_TO_UNIX_SECONDS, "s"
    elif kind == "stata_days":
        values, unit = numbers - _STATA_TO_UNIX_DAYS, "D"
    else:
        values, unit = numbers - _STATA_TO_UNIX_DAYS * 86_400_000, "ms"
    return pd.Series(pd.to_datetime(values, unit=unit, errors="coerce"), index=series.index)

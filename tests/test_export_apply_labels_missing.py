"""apply-labels keeps every kind of missing value, from every input format to every output format,
read back with pyreadstat (the reader Stata and SPSS files are checked with here).

Kinds: the module's special codes (don't know, not stated) as plain numbers in a CSV, as
SPSS user-missing values in a .sav, as Stata extended missing values `.a`/`.c` in a .dta; a
Stata extended missing the module does not know (`.z`); and system missing (blank, `.`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from migmodule.export.labels import apply_labels
from migmodule.profile import adapt

MINI = Path(__file__).parent / "specs" / "mini.yaml"

# One column per kind of question; the row holds: an answer, don't know, not stated, blank.
CODES = {
    "year_of_arrival": [2001, 9998, 9999, None],
    "country_of_birth": [404, 998, 999, None],
    "any_member_abroad": [1, 8, 9, None],
}
LETTERS = {9998: "a", 9999: "c", 998: "a", 999: "c", 8: "a", 9: "c"}


def _write_input(kind: str, folder: Path) -> Path:
    frame = pd.DataFrame(CODES)
    path = folder / f"in.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "sav":  # special codes declared user-missing, as SPSS users keep them
        missing = {c: [float(v) for v in values[1:3]] for c, values in CODES.items()}
        pyreadstat.write_sav(frame, str(path), missing_ranges=missing)
    else:  # .dta: special codes as .a/.c; one .z the module does not know
        data = {
            c: [values[0], LETTERS[values[1]], LETTERS[values[2]], None]
            for c, values in CODES.items()
        }
        data["year_of_arrival"][3] = "z"
        frame = pd.DataFrame(data)
        missing = {c: ["a", "c", "z"] if c == "year_of_arrival" else ["a", "c"] for c in CODES}
        pyreadstat.write_dta(frame, str(path), missing_user_values=missing)
    return path


@pytest.mark.parametrize("source", ["csv", "sav", "dta"])
def test_every_special_code_survives_into_dta(tmp_path, source):
    data = _write_input(source, tmp_path)
    out = tmp_path / "out.dta"
    apply_labels(data, adapt(None, str(MINI)), out)
    frame, meta = pyreadstat.read_dta(str(out), user_missing=True, output_format="dict")
    for column, values in CODES.items():
        last = "z" if source == "dta" and column == "year_of_arrival" else None
        assert list(frame[column]) == [values[0], "a", "c", last], column
        assert {"a", "c"} <= set(meta.missing_user_values[column])
        labels = meta.variable_value_labels[column]
        assert labels["a"] == "Don't know" and labels["c"] == "Not stated"
    if source == "dta":
        assert "z" in meta.missing_user_values["year_of_arrival"]


@pytest.mark.parametrize("source", ["csv", "sav", "dta"])
def test_every_special_code_survives_into_sav(tmp_path, source):
    data = _write_input(source, tmp_path)
    out = tmp_path / "out.sav"
    apply_labels(data, adapt(None, str(MINI)), out)
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    for column, values in CODES.items():
        kept = frame[column].tolist()
        assert kept[:3] == values[:3], column  # the codes are in the cases, not only declared
        assert pd.isna(kept[3])  # system missing (and a .z SPSS has no place for) stays blank
        declared = {r["lo"] for r in meta.missing_ranges[column]}
        assert declared == {float(values[1]), float(values[2])}
        assert meta.variable_value_labels[column][float(values[1])] == "Don't know"
    # and a reader that honours user-missing sees them as missing
    plain, _ = pyreadstat.read_sav(str(out))
    assert plain["year_of_arrival"].isna().tolist() == [False, True, True, True]


@pytest.mark.parametrize("source", ["csv", "sav", "dta"])
def test_dta_to_sav_to_dta_round_trip_keeps_codes(tmp_path, source):
    """Through both writers in turn: what one writes, the other reads back unchanged."""
    first = tmp_path / "one.sav"
    apply_labels(_write_input(source, tmp_path), adapt(None, str(MINI)), first)
    second = tmp_path / "two.dta"
    apply_labels(first, adapt(None, str(MINI)), second)
    third = tmp_path / "three.sav"
    apply_labels(second, adapt(None, str(MINI)), third)
    frame, _ = pyreadstat.read_sav(str(third), user_missing=True)
    for column, values in CODES.items():
        assert frame[column].tolist()[:3] == values[:3]

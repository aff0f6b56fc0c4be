"""SPSS and Stata date variables read as dates by the national layer, whatever the reader keeps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyreadstat
import pytest

from migmodule.microdata import DataSource
from migmodule.national.dates import as_dates, date_formats, date_kind
from migmodule.national.layer import NationalLayer
from migmodule.profile import ModuleSettings, Profile, adapt

BIRTHS = [dt.date(1987, 2, 12), dt.date(2000, 8, 25), None]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("DATE11", "spss"),
        ("ADATE10", "spss"),
        ("DATETIME20", "spss"),
        ("TIME8", None),
        ("F8.2", None),
        ("%td", "stata_days"),
        ("%tdDD/NN/CCYY", "stata_days"),
        ("%tc", "stata_ms"),
        ("%8.0g", None),
        (None, None),
    ],
)
def test_date_formats_are_recognised(text, kind):
    assert date_kind(text) == kind


def test_stored_numbers_become_dates():
    assert as_dates(pd.Series([12759465600.0, None]), "DATE11").tolist()[0] == pd.Timestamp(
        "1987-02-12"
    )
    assert as_dates(pd.Series([9904.0]), "%td").tolist() == [pd.Timestamp("1987-02-12")]
    assert as_dates(pd.Series([9904.0 * 86_400_000]), "%tc").tolist() == [
        pd.Timestamp("1987-02-12")
    ]
    untouched = pd.Series([1.0, 2.0])
    assert as_dates(untouched, "F8.0") is untouched


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_age_derived_from_a_stored_date_of_birth(tmp_path, suffix):
    frame = pd.DataFrame({"DOB": BIRTHS, "LINE": [1.0, 2.0, 3.0]})
    path = tmp_path / f"persons{suffix}"
    writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
    writer(frame, str(path))
    assert list(date_formats(path)) == ["DOB"]
    profile = Profile(
        reference_date=dt.date(2029, 8, 24),
        modules=[
            ModuleSettings(
                module="census-key-questions@1.0.0", derive={"age": "age_at(DOB, REF_DATE)"}
            )
        ],
    )
    [adapted] = adapt(profile)
    source = DataSource(path)
    layer = NationalLayer(adapted, date_formats(path))
    [chunk] = source.chunks(layer.columns("person", list(source.columns)))
    national = layer.apply(chunk.frame, "person")
    assert national.problems == {}
    ages = national.columns["age"].values.tolist()
    assert ages[:2] == [42.0, 28.0] and pd.isna(ages[2])


def test_csv_and_other_files_have_no_date_formats(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("DOB\n2000-01-01\n", encoding="utf-8")
    assert date_formats(path) == {}

"""The microdata room: one way to read a data file, for validate and apply-labels alike.

apply-labels used to read with its own reader (`pd.read_csv`, pyreadstat without user-missing
values): "NA" became missing, SPSS user-missing values and Stata `.a`-`.z` were lost. It now
reads through `migmodule.microdata` with validate's rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat

from migmodule.export.labels import apply_labels
from migmodule.microdata import DataSource, read_table
from migmodule.microdata.records import records
from migmodule.profile import adapt
from validate_helpers import MINI


def test_csv_only_empty_cells_are_missing_and_long_ids_stay_text(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "hh_id,code,note,age,share\n12345678901234567,007,NA,30,0.5\n12345678901234568,012,,,1\n",
        encoding="utf-8",
    )
    table = read_table(path)
    frame = table.frame
    assert frame["hh_id"].tolist() == ["12345678901234567", "12345678901234568"]
    assert frame["code"].tolist() == ["007", "012"]  # leading zeros: an identifier, kept
    assert frame["note"].iloc[0] == "NA" and pd.isna(frame["note"].iloc[1])
    assert frame["age"].dtype == "float64" and frame["age"].iloc[0] == 30
    assert np.isnan(frame["age"].iloc[1])
    assert frame["share"].tolist() == [0.5, 1.0]


def test_apply_labels_keeps_spss_user_missing_values(tmp_path):
    data = tmp_path / "in.sav"
    frame = pd.DataFrame({"age": [30.0, 999.0, 40.0], "year_of_arrival": [2001.0, 9998.0, np.nan]})
    pyreadstat.write_sav(frame, str(data), missing_ranges={"age": [999], "year_of_arrival": [9998]})
    out = tmp_path / "out.sav"
    apply_labels(data, adapt(None, str(MINI), country="KE"), out)
    written, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert written["age"].tolist()[:2] == [30, 999]  # not turned into system missing
    assert written["year_of_arrival"].tolist()[:2] == [2001, 9998]
    assert {"lo": 9998, "hi": 9998} in meta.missing_ranges["year_of_arrival"]


def test_apply_labels_keeps_stata_extended_missings(tmp_path):
    data = tmp_path / "in.dta"
    frame = pd.DataFrame({"age": [30.0, "c", 5.0], "extra": [1.0, "e", 3.0]}).astype(object)
    pyreadstat.write_dta(
        frame, str(data), missing_user_values={"age": ["c"], "extra": ["e"]}, version=15
    )
    assert read_table(data).letters["age"].tolist() == [0, 3, 0]
    out = tmp_path / "out.dta"
    apply_labels(data, adapt(None, str(MINI), country="KE"), out)
    written, meta = pyreadstat.read_dta(str(out), user_missing=True, output_format="dict")
    assert list(written["age"]) == [30, "c", 5]  # .c = not stated (999), written as .c again
    assert list(written["extra"]) == [1, "e", 3]  # a letter the module does not name: kept
    assert meta.missing_user_values["extra"] == ["e"]


def test_apply_labels_reads_na_in_csv_as_text(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("age,extra\n30,NA\nNA,x\n", encoding="utf-8")
    result = apply_labels(data, adapt(None, str(MINI), country="KE"), tmp_path / "o.dta")
    # "NA" in a numeric variable is text, reported; it is not silently made missing
    typed = [f for f in result.findings if f.code == "APPLY-TYPE-001"]
    assert [f.values["variable"] for f in typed] == ["age"] and typed[0].values["example"] == "NA"
    written, _ = pyreadstat.read_dta(str(tmp_path / "o.dta"))
    assert written["extra"].tolist() == ["NA", "x"]


def test_the_record_loop_reads_every_record_once_in_order(tmp_path):
    record = np.dtype([("a", "<i4"), ("b", "S3")])
    rows = np.array([(i, str(i).encode()) for i in range(10)], dtype=record)
    path = tmp_path / "r.bin"
    path.write_bytes(b"HEAD" + rows.tobytes())
    for size in (None, 1, 3, 10, 11):
        chunks = list(records(path, 4, 10, record, size))
        assert np.concatenate(chunks).tolist() == rows.tolist()
        assert all(len(c) == (size or 10) for c in chunks[:-1])
    (tmp_path / "short.bin").write_bytes(b"HEAD" + rows.tobytes()[:-1])
    try:
        list(records(tmp_path / "short.bin", 4, 10, record, 4))
    except OSError as exc:
        assert "ended inside" in str(exc)
    else:
        raise AssertionError("a truncated file must raise")


def test_validate_and_apply_labels_read_the_same_values(tmp_path):
    data = tmp_path / "in.sav"
    frame = pd.DataFrame({"age": [30.0, 999.0, np.nan], "name": ["a", "NA", ""]})
    pyreadstat.write_sav(frame, str(data), missing_ranges={"age": [999]})
    chunk = next(DataSource(data).chunks(["age", "name"], None)).frame
    table = read_table(data).frame
    pd.testing.assert_frame_equal(chunk, table[["age", "name"]])


def test_columns_carry_their_display_format(tmp_path):
    """Date variables keep their raw numbers; the format says how to read them as dates."""
    path = tmp_path / "d.sav"
    frame = pd.DataFrame({"dob": [pd.Timestamp("1990-05-17")], "age": [40.0]})
    pyreadstat.write_sav(frame, str(path))
    columns = DataSource(path).columns
    assert columns["dob"].format.upper().startswith("DATE") or "DATETIME" in columns["dob"].format
    assert columns["age"].format.startswith("F")
    assert read_table(path).frame["dob"].dtype == "float64"  # seconds since 1582, unconverted


def test_apply_labels_keeps_dates_as_dates(tmp_path):
    data = tmp_path / "in.sav"
    frame = pd.DataFrame({"age": [30.0, 40.0], "dob": pd.to_datetime(["1990-05-17", "1985-01-02"])})
    pyreadstat.write_sav(frame, str(data))
    out = tmp_path / "out.sav"
    apply_labels(data, adapt(None, str(MINI), country="KE"), out)
    written, meta = pyreadstat.read_sav(str(out))
    assert meta.original_variable_types["dob"].upper().startswith(("DATE", "DATETIME"))
    assert pd.to_datetime(written["dob"]).dt.strftime("%Y-%m-%d").tolist() == [
        "1990-05-17",
        "1985-01-02",
    ]

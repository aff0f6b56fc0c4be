"""SDMX-CSV output of SDG indicators: written with pysdmx, read back by pysdmx, values equal."""

from __future__ import annotations

import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.tabulate.estimate import estimate_cells, suppress
from migmodule.tabulate.sdmx import (
    MIGRANT_CODE,
    MIGRATORY_STATUS_CODES,
    MIGRATORY_STATUS_DIMENSION,
    SDG_KEY_DIMENSIONS,
    age_code,
    read_sdmx_csv,
    write_sdmx_csv,
)

pytest.importorskip("pysdmx")

TOTAL, NOT_STATED = -2.0, -1.0  # the margin and not-stated markers of the tabulate engine

# A share of literate persons of migrants (migrant 1) and of everyone (TOTAL) by sex, margins
# included, as the engine gives it for SDMX (TableResult.migrant_cells).
CELLS = pd.DataFrame(
    {
        "migrant": [TOTAL, TOTAL, 1.0, 1.0, TOTAL, 1.0, 1.0],
        "sex": [1.0, 2.0, 1.0, 2.0, TOTAL, TOTAL, NOT_STATED],
        "n": [400, 380, 35, 31, 846, 66, 12],
        "estimate": [0.91, 0.88, 0.7525, 0.6, 0.8843, 0.68, 0.5],
        "se": [0.01, 0.012, 0.08, 0.09, 0.01, 0.06, 0.2],
        "ci_low": [0.89, 0.85, 0.59, 0.42, 0.86, 0.56, 0.1],
        "ci_high": [0.93, 0.9, 0.91, 0.78, 0.9, 0.8, 0.9],
        "cv": [0.011, 0.014, 0.106, 0.15, 0.011, 0.088, 0.4],
    }
)
SETTINGS = {
    "indicator": "SE_LITERACY_MIG",  # a series code for the test, not an SDG one
    "dimensions": {"migrant": MIGRATORY_STATUS_DIMENSION, "sex": "SEX"},
    "codes": {MIGRATORY_STATUS_DIMENSION: MIGRATORY_STATUS_CODES},
    "unit": "PT",
    "ref_area": "404",
    "time_period": "2025",
    "scale": 100,
}


@pytest.mark.parametrize("csv_version", ["1.0", "2.0"])
def test_written_sdmx_csv_is_read_back_with_equal_values(tmp_path, csv_version):
    path = tmp_path / "sdg.csv"
    cells = suppress(CELLS, min_n=30, max_cv=0.12)
    written = write_sdmx_csv(cells, path, csv_version=csv_version, **SETTINGS)
    back = read_sdmx_csv(path)
    assert written == len(back) == 6  # the not-stated row is left out
    assert list(back.columns[: len(SDG_KEY_DIMENSIONS)]) == list(SDG_KEY_DIMENSIONS)
    assert set(back["SEX"]) == {"M", "F", "_T"}
    assert (back["SERIES"] == "SE_LITERACY_MIG").all() and (back["REF_AREA"] == "404").all()
    assert (back["AGE"] == "_T").all() and (back["TIME_PERIOD"] == "2025").all()
    expected = cells[cells["sex"] != NOT_STATED]
    assert back["OBS_VALUE"].astype(float).tolist() == pytest.approx(
        (expected["estimate"] * 100).tolist()
    )
    assert back["LOWER_BOUND"].astype(float).tolist() == pytest.approx(
        (expected["ci_low"] * 100).tolist()
    )
    assert set(back[MIGRATORY_STATUS_DIMENSION]) == {"MS_MIGRANT", "_T"}
    assert not back.apply(lambda column: column.astype(str).str.contains("PLACEHOLDER")).any().any()
    foreign_women = back[(back[MIGRATORY_STATUS_DIMENSION] == "MS_MIGRANT") & (back["SEX"] == "F")]
    assert foreign_women["OBS_STATUS"].tolist() == ["U"]  # cv 0.15 > 0.12
    total = back[(back[MIGRATORY_STATUS_DIMENSION] == "_T") & (back["SEX"] == "_T")]
    assert total["OBS_VALUE"].tolist() == ["88.43"]  # rounded: no float noise in the file


def test_suppressed_cells_are_not_sent(tmp_path):
    cells = suppress(CELLS, min_n=40, max_cv=None)  # the foreign-born cells (n 35, 31) go
    path = tmp_path / "sdg.csv"
    assert write_sdmx_csv(cells, path, **SETTINGS) == 4
    back = read_sdmx_csv(path)
    assert MIGRANT_CODE in set(back[MIGRATORY_STATUS_DIMENSION])  # the margin, n 66
    assert len(back[back[MIGRATORY_STATUS_DIMENSION] == MIGRANT_CODE]) == 1


def test_age_groups_need_codes_and_get_sdmx_bands(tmp_path):
    frame = pd.DataFrame({"age_group": [1, 1, 2, 4, 4, 4], "sex": [1, 2, 2, 1, 1, 2]})
    cells = estimate_cells(frame, ["age_group", "sex"])
    settings = {
        **SETTINGS,
        "codes": None,
        "dimensions": {"age_group": "AGE", "sex": "SEX"},
        "unit": "NUMBER",
        "scale": 1,
    }
    with pytest.raises(MigmoduleError) as raised:
        write_sdmx_csv(cells, tmp_path / "x.csv", **settings)
    assert raised.value.finding.code == "TAB-SDMX-001" and "AGE" in str(raised.value)
    bands = {1: age_code(15, 24), 2: age_code(25, 54), 4: age_code(65, None)}
    path = tmp_path / "age.csv"
    write_sdmx_csv(cells, path, **{**settings, "codes": {"AGE": bands}})
    back = read_sdmx_csv(path)
    assert list(zip(back["AGE"], back["SEX"], back["OBS_VALUE"].astype(float), strict=True)) == [
        ("Y15T24", "M", 1.0),
        ("Y15T24", "F", 1.0),
        ("Y25T54", "F", 1.0),
        ("Y_GE65", "M", 2.0),
        ("Y_GE65", "F", 1.0),
    ]
    assert "LOWER_BOUND" not in back.columns  # census counts: no interval


@pytest.mark.parametrize(
    "change",
    [
        {"dimensions": {"nationality": "SEX"}},
        {"dimensions": {"sex": "MIGRATORY_STATUS"}},
        {"dimensions": {"sex": "SEX"}},  # migratory status left out: two cells per key
        {"ref_area": " "},
        {"csv_version": "3.0"},
    ],
)
def test_unusable_settings_get_a_coded_message(tmp_path, change):
    with pytest.raises(MigmoduleError) as raised:
        write_sdmx_csv(CELLS, tmp_path / "x.csv", **{**SETTINGS, **change})
    assert raised.value.finding.code == "TAB-SDMX-001"


def test_age_code():
    assert age_code(15, 24) == "Y15T24" and age_code(65, None) == "Y_GE65"


def test_the_four_groups_are_never_sent_as_migrants_by_default(tmp_path):
    # the derived migratory_status (1 native-born citizen ... 4 foreign-born non-citizen) has no
    # SDG codes: sent without codes it is refused, not written under a made-up code
    groups = CELLS.assign(migratory_status=[1.0, 1.0, 4.0, 4.0, TOTAL, 4.0, 4.0])
    settings = {
        **SETTINGS,
        "codes": None,
        "dimensions": {"migratory_status": MIGRATORY_STATUS_DIMENSION, "sex": "SEX"},
    }
    with pytest.raises(MigmoduleError) as raised:
        write_sdmx_csv(groups, tmp_path / "x.csv", **settings)
    assert raised.value.finding.code == "TAB-SDMX-001"
    assert "COMPOSITE_BREAKDOWN" in str(raised.value)
    assert MIGRATORY_STATUS_CODES == {1: "MS_MIGRANT"}  # a migrant flag, 1 = migrant

"""SDMX-CSV for SDG indicators: estimated cells written with the SDG data structure's dimensions
(series, area, period, sex, age, migratory status...) by the SDMX library pysdmx, so an NSO can
send the figures to the global SDG database. See docs/tabulate-estimates.md for the codes used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from migmodule.codes import MigmoduleError
from migmodule.tabulate.codes_estimate import SDMX_BAD_INPUT, SDMX_LIBRARY_MISSING

# The SDG global data structure (agency IAEG-SDGs, DSD "SDG", dataflow DF_SDG_GLH) in key order;
# TIME_PERIOD is its time dimension. Breakdowns a table does not have are written "_T" (total).
SDG_AGENCY = "IAEG-SDGs"
SDG_DATAFLOW = "DF_SDG_GLH"
SDG_KEY_DIMENSIONS = (
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)
BREAKDOWN_DIMENSIONS = SDG_KEY_DIMENSIONS[4:]
TOTAL_CODE = "_T"

# Migratory status in the SDG structure: the breakdown dimension COMPOSITE_BREAKDOWN, code
# "MS_MIGRANT" for migrants and "_T" for everyone. Evidence: the IAEG-SDGs data constraint
# CN_SERIES_SDG_GLH version 1.22, attached to the dataflow IAEG-SDGs:DF_SDG_GLH(1.22) (SDMX-JSON
# prepared 2025-11-14), allows for the series SI_POV_DAY1 COMPOSITE_BREAKDOWN "_T" and
# "MS_MIGRANT"; read in pysdmx's test sample of the official SDG structures (repository
# bis-med-it/pysdmx, tests/io/json/sdmxjson2/deser/samples/constraints/keyset.json, commit
# fffef66c234473bd358be4a830d06ab33893e511). No SDG code for non-migrants, for the four detailed
# groups or for the second generation was found: those are not written (they stay in the tables).
# A migrant, as the SDG uses the word (UN DESA): a foreign-born person; in the module's derived
# migratory_status, groups 3 (foreign-born citizen) and 4 (foreign-born non-citizen).
MIGRATORY_STATUS_DIMENSION = "COMPOSITE_BREAKDOWN"
MIGRANT_CODE = "MS_MIGRANT"
MIGRANT_GROUPS = (3, 4)  # codes of the derived migratory_status that are migrants
# The cells sent to COMPOSITE_BREAKDOWN carry a migrant flag (1 = migrant; the margin "_T"), never
# the detailed groups: a code 1 of migratory_status (native-born citizen) must not become a migrant.
MIGRATORY_STATUS_CODES: dict[Any, str] = {1: MIGRANT_CODE}
# SDMX cross-domain sex codes (CL_SEX), used by the SDG structure; migmodule's sex code list.
SEX_CODES: dict[Any, str] = {1: "M", 2: "F"}
DEFAULT_CODES = {"SEX": SEX_CODES}  # migratory status: pass codes={..: MIGRATORY_STATUS_CODES}

# Observation status (SDMX CL_OBS_STATUS): A normal, U low reliability (the "unreliable" flag).
OBS_STATUS = {"": "A", "unreliable": "U"}


def age_code(low: int, high: int | None) -> str:
    """The SDMX age-band code of an age group: 15-24 -> "Y15T24", 65 and over -> "Y_GE65"."""
    return f"Y_GE{low}" if high is None else f"Y{low}T{high}"


def write_sdmx_csv(
    cells: pd.DataFrame,
    path: str | Path,
    *,
    indicator: str,
    dimensions: Mapping[str, str],
    unit: str,
    ref_area: str,
    time_period: str,
    codes: Mapping[str, Mapping[Any, str]] | None = None,
    value: str = "estimate",
    scale: float = 1.0,
    decimals: int = 6,
    unit_mult: str = "0",
    nature: str = "C",
    freq: str = "A",
    reporting_type: str = "N",
    totals: Sequence[Any] = (-2.0,),
    not_stated: Sequence[Any] = (-1.0,),
    dataflow_version: str = "1.0",
    csv_version: str = "1.0",
) -> int:
    """Write `cells` (from `estimate_cells`, maybe `suppress`) as SDMX-CSV for one SDG series.

    indicator: the SDG series code (SERIES), e.g. "SL_EMP_FTLINJUR". dimensions: cells column ->
    SDG breakdown dimension, e.g. {"sex": "SEX", "age_group": "AGE", "migrant":
    MIGRATORY_STATUS_DIMENSION}. codes: per SDG dimension, cell value -> SDMX code (SEX has a
    default; AGE needs one, see `age_code`; migratory status: a migrant flag column with
    {MIGRATORY_STATUS_DIMENSION: MIGRATORY_STATUS_CODES}). A value in `totals` is the margin
    ("_T"). Cells that are suppressed, blank, or not stated in a dimension are left out: the SDG
    database has no place for them. scale multiplies the values (100 for a share in percent);
    they are rounded to `decimals` places (no float noise such as 88.42999999999999).
    A cell flagged "unreliable" gets OBS_STATUS "U"; a CI becomes LOWER_BOUND / UPPER_BOUND.
    Returns the number of observations written.
    """
    io, format_enum, model = _sdmx_library()
    rows = _observations(
        cells, indicator, dimensions, codes, value, scale, decimals, totals, not_stated,
        freq, reporting_type, ref_area, time_period, unit, unit_mult, nature,
    )  # fmt: skip
    schema = _schema(model, rows.columns, dataflow_version)
    dataset = io["PandasDataset"](structure=schema, data=rows)
    formats = {"1.0": format_enum.DATA_SDMX_CSV_1_0_0, "2.0": format_enum.DATA_SDMX_CSV_2_0_0}
    if csv_version not in formats:
        raise MigmoduleError.of(
            SDMX_BAD_INPUT,
            problem=f"SDMX-CSV version {csv_version} is not written",
            fix="Use 1.0 (SDMX 2.1 registries, as the SDG one) or 2.0.",
        )
    text = io["write_sdmx"]([dataset], formats[csv_version])
    Path(path).write_text(text, encoding="utf-8", newline="")
    return len(rows)


def read_sdmx_csv(path: str | Path) -> pd.DataFrame:
    """The observations of an SDMX-CSV file, read by pysdmx (all columns as text)."""
    io, _format, _model = _sdmx_library()
    message = io["read_sdmx"](Path(path))
    return pd.concat([pd.DataFrame(d.data) for d in message.data], ignore_index=True)


def _observations(
    cells: pd.DataFrame,
    indicator: str,
    dimensions: Mapping[str, str],
    codes: Mapping[str, Mapping[Any, str]] | None,
    value: str,
    scale: float,
    decimals: int,
    totals: Sequence[Any],
    not_stated: Sequence[Any],
    freq: str,
    reporting_type: str,
    ref_area: str,
    time_period: str,
    unit: str,
    unit_mult: str,
    nature: str,
) -> pd.DataFrame:
    for column, dimension in dimensions.items():
        if column not in cells.columns:
            raise MigmoduleError.of(
                SDMX_BAD_INPUT,
                problem=f"The cells have no column '{column}'",
                fix="Name a dimension column of the table in `dimensions`.",
            )
        if dimension not in BREAKDOWN_DIMENSIONS:
            raise MigmoduleError.of(
                SDMX_BAD_INPUT,
                problem=f"'{dimension}' is not a breakdown dimension of the SDG data structure",
                fix="Use one of " + ", ".join(BREAKDOWN_DIMENSIONS) + ".",
            )
    if len(set(dimensions.values())) != len(dimensions):
        raise MigmoduleError.of(
            SDMX_BAD_INPUT,
            problem="Two table columns are sent to the same SDG dimension",
            fix="Give each SDG dimension one column.",
        )
    if value not in cells.columns:
        raise MigmoduleError.of(
            SDMX_BAD_INPUT,
            problem=f"The cells have no column '{value}'",
            fix="Pass value='estimate'.",
        )
    for name, given in (
        ("indicator", indicator),
        ("ref_area", ref_area),
        ("time_period", time_period),
        ("unit", unit),
    ):
        if not str(given).strip():
            raise MigmoduleError.of(
                SDMX_BAD_INPUT, problem=f"{name} is empty", fix=f"Give the SDG {name.upper()} code."
            )
    lookup = {**DEFAULT_CODES, **(codes or {})}
    keep = cells[value].notna()
    if "flag" in cells.columns:
        keep &= cells["flag"] != "suppressed"
    for column in dimensions:
        keep &= cells[column].notna() & ~cells[column].isin(list(not_stated))
    kept = cells[keep]
    out = pd.DataFrame(index=kept.index)
    fixed = {
        "FREQ": freq,
        "REPORTING_TYPE": reporting_type,
        "SERIES": indicator,
        "REF_AREA": str(ref_area),
    }
    by_dimension = {dimension: column for column, dimension in dimensions.items()}
    for dimension in SDG_KEY_DIMENSIONS:
        if dimension in fixed:
            out[dimension] = fixed[dimension]
        elif dimension in by_dimension:
            column = by_dimension[dimension]
            out[dimension] = _codes(kept[column], dimension, column, lookup.get(dimension), totals)
        else:
            out[dimension] = TOTAL_CODE
    out["TIME_PERIOD"] = str(time_period)
    out["OBS_VALUE"] = (kept[value].astype(float) * scale).round(decimals)
    out["UNIT_MEASURE"] = unit
    out["UNIT_MULT"] = unit_mult
    out["NATURE"] = nature
    flags = kept["flag"] if "flag" in kept.columns else pd.Series("", index=kept.index)
    out["OBS_STATUS"] = flags.map(OBS_STATUS).fillna("A")
    for source, target in (("ci_low", "LOWER_BOUND"), ("ci_high", "UPPER_BOUND")):
        if source in kept.columns:
            out[target] = (kept[source].astype(float) * scale).round(decimals)
    key = list(SDG_KEY_DIMENSIONS) + ["TIME_PERIOD"]
    duplicated = out.duplicated(key, keep=False)
    if duplicated.any():
        raise MigmoduleError.of(
            SDMX_BAD_INPUT,
            problem=f"{int(duplicated.sum())} cells share one SDG key (e.g. "
            + ".".join(out.loc[duplicated, key].iloc[0].astype(str))
            + ")",
            fix="Send every dimension of the table in `dimensions`, or one table per series.",
        )
    return out.reset_index(drop=True)


def _codes(
    values: pd.Series,
    dimension: str,
    column: str,
    mapping: Mapping[Any, str] | None,
    totals: Sequence[Any],
) -> pd.Series:
    total_values = set(totals)

    def code(item: Any) -> str | None:
        if item in total_values:
            return TOTAL_CODE
        if mapping is None:
            return item if isinstance(item, str) else None
        for key in (item, _as_int(item)):
            if key is not None and key in mapping:
                return mapping[key]
        return None

    coded = values.map(code)
    missing = coded.isna()
    if missing.any():
        examples = ", ".join(str(v) for v in values[missing].unique()[:5])
        raise MigmoduleError.of(
            SDMX_BAD_INPUT,
            problem=f"Values of '{column}' have no {dimension} code ({examples})",
            fix=f"Pass codes={{'{dimension}': {{value: code, ...}}}}"
            + (" (age_code(15, 24) gives 'Y15T24')" if dimension == "AGE" else ""),
        )
    return coded.astype(str)


def _as_int(item: Any) -> int | None:
    if isinstance(item, float) and math.isfinite(item) and item.is_integer():
        return int(item)
    return None


def _schema(model: dict[str, Any], columns: Sequence[str], version: str) -> Any:
    role, component, concept, dtype = (
        model["Role"],
        model["Component"],
        model["Concept"],
        model["DataType"],
    )
    parts = []
    for name in columns:
        if name in SDG_KEY_DIMENSIONS or name == "TIME_PERIOD":
            kind, extra, data_type = role.DIMENSION, {}, dtype.STRING
        elif name == "OBS_VALUE":
            kind, extra, data_type = role.MEASURE, {}, dtype.DOUBLE
        else:
            kind, extra = role.ATTRIBUTE, {"attachment_level": "O"}
            data_type = dtype.DOUBLE if name.endswith("_BOUND") else dtype.STRING
        parts.append(
            component(
                id=name,
                required=kind != role.ATTRIBUTE or name == "UNIT_MEASURE",
                role=kind,
                concept=concept(id=name),
                local_dtype=data_type,
                **extra,
            )
        )
    return model["Schema"](
        context="dataflow",
        agency=SDG_AGENCY,
        id=SDG_DATAFLOW,
        version=version,
        components=model["Components"](parts),
    )


def _sdmx_library() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    try:
        from pysdmx.io import read_sdmx, write_sdmx
        from pysdmx.io.format import Format
        from pysdmx.io.pd import PandasDataset
        from pysdmx.model import Concept, DataType
        from pysdmx.model.dataflow import Component, Components, Role, Schema
    except ImportError as error:
        raise MigmoduleError.of(SDMX_LIBRARY_MISSING, detail=str(error)) from error
    io = {"read_sdmx": read_sdmx, "write_sdmx": write_sdmx, "PandasDataset": PandasDataset}
    model = {
        "Concept": Concept,
        "DataType": DataType,
        "Component": Component,
        "Components": Components,
        "Role": Role,
        "Schema": Schema,
    }
    return io, Format, model

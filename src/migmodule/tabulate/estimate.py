"""Estimates for the cells of a table: counts and totals, proportions, means and medians, with
design-based standard errors (Taylor linearisation, by the survey library svy) when a design is
given, and the small-cell rules that flag or suppress cells. See docs/tabulate-estimates.md.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import MigmoduleError
from migmodule.tabulate.codes_estimate import (
    ESTIMATE_BAD_OPTION,
    ESTIMATE_BAD_WEIGHT,
    ESTIMATE_COLUMN_MISSING,
    ESTIMATE_DESIGN_MISSING,
    ESTIMATE_LIBRARY_MISSING,
    ESTIMATE_NOT_INDICATOR,
    ESTIMATE_NOT_NUMERIC,
    SUPPRESS_BAD_RULE,
)

STATISTICS = ("total", "proportion", "mean", "median")
DESIGN_COLUMNS = ("se", "ci_low", "ci_high", "cv")
FLAG_SUPPRESSED = "suppressed"
FLAG_UNRELIABLE = "unreliable"

# A stratum with a single PSU gives no between-PSU variance of its own. Its PSU is centred on the
# grand mean of the PSU totals (R survey's lonely.psu = "adjust", Stata's singleunit(centered)):
# conservative, and it never drops the stratum's units from the variance.
SINGLETON_RULE = "center"
# svy's private columns; the user's frame never has these names in practice, and they are chosen
# apart from anything a profile maps.
_CELL, _Y, _W, _STRATUM, _PSU = "_mm_cell", "_mm_y", "_mm_w", "_mm_stratum", "_mm_psu"
_UNSTATED = -1  # the domain of units whose value is not stated: in the design, never in the output


def estimate_cells(
    frame: pd.DataFrame,
    by: list[str],
    *,
    value: str | None = None,
    statistic: str = "total",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per combination of the `by` columns present in `frame` (not-stated, NaN, is a
    combination of its own), sorted by the `by` values with not-stated last.

    Columns: the `by` columns, `n` (unweighted units that enter the estimate: for a `value`, the
    units whose value is stated), `estimate`, and when a design is given (a weight and/or strata or
    PSUs): `se`, `ci_low`, `ci_high` (at `confidence`) and `cv` (se / estimate).

    statistic: "total" (weighted count of units, or weighted sum of `value`), "proportion" (weighted
    share of units with `value` == 1 among the cell's units with a stated 0/1 `value`), "mean",
    "median" (the smallest value whose cumulative share of the weights reaches one half).
    Without a design, estimates are plain (unweighted) counts, sums, shares, means or medians.
    """
    _check_options(frame, by, value, statistic, weight, strata, psu, confidence)
    frame = frame.reset_index(drop=True)  # frames glued from chunks may repeat index labels
    design = weight is not None or strata is not None or psu is not None
    cells = frame.groupby(by, dropna=False, sort=True).ngroup() if by else _zeros(frame)
    keys = _cell_keys(frame, by, cells)
    values = _numeric_value(frame, value, statistic) if value is not None else None
    stated = values.notna() if values is not None else pd.Series(True, index=frame.index)
    n = cells[stated].value_counts().reindex(keys.index, fill_value=0)
    if not len(frame):
        figures = pd.DataFrame({c: [] for c in ("estimate", *DESIGN_COLUMNS)}, dtype=float)
    elif design:
        figures = _design_estimates(
            frame, cells, values, stated, statistic, weight, strata, psu, confidence
        )
    else:
        figures = _plain_estimates(cells, values, stated, statistic)
    out = keys.copy()
    out["n"] = n.to_numpy(dtype="int64")
    figures = figures.reindex(keys.index)
    out["estimate"] = figures["estimate"].to_numpy(dtype=float)
    if design:
        for column in DESIGN_COLUMNS:
            out[column] = figures[column].to_numpy(dtype=float)
    return out.reset_index(drop=True)


def suppress(cells: pd.DataFrame, *, min_n: int = 30, max_cv: float | None = 0.3) -> pd.DataFrame:
    """A copy of `cells` with a `flag` column: "suppressed" when n < min_n (estimate, se and CI are
    then blanked, NaN, so no output can show them), "unreliable" when cv > max_cv (kept, marked),
    else "". max_cv=None turns the CV rule off; a cell without a CV (census runs, a zero estimate)
    is never "unreliable". The rules apply to whatever the cells hold, so margins are judged alike.
    """
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise MigmoduleError.of(
            SUPPRESS_BAD_RULE, option="min_n", value=min_n, reason="give a whole number, 0 or more"
        )
    if max_cv is not None and (
        isinstance(max_cv, bool) or not isinstance(max_cv, (int, float)) or not max_cv > 0
    ):
        raise MigmoduleError.of(
            SUPPRESS_BAD_RULE,
            option="max_cv",
            value=max_cv,
            reason="give a number above 0, or none",
        )
    if "n" not in cells.columns or "estimate" not in cells.columns:
        raise MigmoduleError.of(
            SUPPRESS_BAD_RULE,
            option="cells",
            value=list(cells.columns),
            reason="the cells need the columns n and estimate (from estimate_cells)",
        )
    out = cells.copy()
    small = out["n"].to_numpy() < min_n
    unreliable = np.zeros(len(out), dtype=bool)
    if max_cv is not None and "cv" in out.columns:
        cv = out["cv"].to_numpy(dtype=float)
        unreliable = ~small & ~np.isnan(cv) & (cv > max_cv)
    out["flag"] = np.where(small, FLAG_SUPPRESSED, np.where(unreliable, FLAG_UNRELIABLE, ""))
    blanked = [c for c in ("estimate", *DESIGN_COLUMNS) if c in out.columns]
    out.loc[small, blanked] = np.nan
    return out


# --- options and values -------------------------------------------------------------------------


def _check_options(
    frame: pd.DataFrame,
    by: list[str],
    value: str | None,
    statistic: str,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    confidence: float,
) -> None:
    if statistic not in STATISTICS:
        raise MigmoduleError.of(
            ESTIMATE_BAD_OPTION,
            option="statistic",
            value=statistic,
            reason="choose one of " + ", ".join(STATISTICS),
        )
    if statistic != "total" and value is None:
        raise MigmoduleError.of(
            ESTIMATE_BAD_OPTION,
            option="value",
            value=None,
            reason=f"a {statistic} needs the column it is computed from",
        )
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, (int, float))
        or not 0 < confidence < 1
    ):
        raise MigmoduleError.of(
            ESTIMATE_BAD_OPTION,
            option="confidence",
            value=confidence,
            reason="give a level between 0 and 1",
        )
    roles = [(c, "table dimension") for c in by] + [
        (value, "value"),
        (weight, "weight"),
        (strata, "strata"),
        (psu, "primary sampling unit"),
    ]
    available = ", ".join(map(str, list(frame.columns)[:20]))
    for column, role in roles:
        if column is not None and column not in frame.columns:
            raise MigmoduleError.of(
                ESTIMATE_COLUMN_MISSING, column=column, role=role, available=available
            )


def _numeric_value(frame: pd.DataFrame, value: str, statistic: str) -> pd.Series:
    column = frame[value]
    numbers = pd.to_numeric(column, errors="coerce")
    unreadable = column.notna() & numbers.isna()
    if unreadable.any():
        examples = ", ".join(str(v) for v in column[unreadable].unique()[:3])
        raise MigmoduleError.of(
            ESTIMATE_NOT_NUMERIC, column=value, examples=examples, statistic=statistic
        )
    numbers = numbers.astype(float)
    if statistic == "proportion":
        other = numbers.notna() & ~numbers.isin([0.0, 1.0])
        if other.any():
            examples = ", ".join(f"{v:g}" for v in numbers[other].unique()[:3])
            raise MigmoduleError.of(ESTIMATE_NOT_INDICATOR, column=value, examples=examples)
    return numbers


def _zeros(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.zeros(len(frame), dtype="int64"), index=frame.index)


def _cell_keys(frame: pd.DataFrame, by: list[str], cells: pd.Series) -> pd.DataFrame:
    """The `by` values of each cell id, indexed by cell id (0..k-1, in sorted order)."""
    if not by:
        return pd.DataFrame(index=pd.RangeIndex(1 if len(frame) else 0))
    first = ~cells.duplicated()
    keys = frame.loc[first.to_numpy(), by].copy()
    keys.index = cells[first].to_numpy()
    return keys.sort_index()


def _rows(mask: pd.Series) -> str:
    return ", ".join(str(i) for i in list(mask[mask].index[:5]))


# --- no design: plain counts and statistics ------------------------------------------------------


def _plain_estimates(
    cells: pd.Series, values: pd.Series | None, stated: pd.Series, statistic: str
) -> pd.DataFrame:
    if values is None:
        return pd.DataFrame({"estimate": cells.value_counts().astype(float)})
    grouped = values[stated].groupby(cells[stated])
    if statistic == "total":
        estimate = grouped.sum()
    elif statistic in ("proportion", "mean"):
        estimate = grouped.mean()
    else:
        estimate = grouped.apply(lambda v: weighted_median(v.to_numpy(), np.ones(len(v))))
    return pd.DataFrame({"estimate": estimate.astype(float)})


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value whose cumulative share of the weights, in increasing order of the values,
    reaches one half (the SDG 10.7.1 definition; svy's quantile rule "higher" gives the same)."""
    keep = ~np.isnan(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if not len(values):
        return math.nan
    order = np.argsort(values, kind="stable")
    share = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(share, 0.5 - 1e-12)])


# --- a design: svy ---------------------------------------------------------------------------------


def _design_estimates(
    frame: pd.DataFrame,
    cells: pd.Series,
    values: pd.Series | None,
    stated: pd.Series,
    statistic: str,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    confidence: float,
) -> pd.DataFrame:
    svy, pl = _survey_library()
    weights = _weights(frame, weight)
    for column, role in ((strata, "strata"), (psu, "primary sampling unit")):
        if column is not None and frame[column].isna().any():
            missing = frame[column].isna()
            raise MigmoduleError.of(
                ESTIMATE_DESIGN_MISSING,
                role=role,
                column=column,
                count=int(missing.sum()),
                rows=_rows(missing),
            )
    # Units whose value is not stated stay in the design (their PSUs and strata count) but form a
    # domain of their own, so every cell is a proper domain of the whole sample.
    domain = np.where(stated.to_numpy(), cells.to_numpy(), _UNSTATED)
    y = np.ones(len(frame)) if values is None else np.nan_to_num(values.to_numpy(), nan=0.0)
    columns: dict[str, Any] = {_CELL: domain, _Y: y, _W: weights}
    stratum_ids = pd.factorize(frame[strata])[0] if strata is not None else None
    if stratum_ids is not None:
        columns[_STRATUM] = stratum_ids
    if psu is not None:
        # PSU numbers are read within their stratum: EA 1 of stratum 1 is not EA 1 of stratum 2.
        nested = [frame[strata], frame[psu]] if strata is not None else [frame[psu]]
        columns[_PSU] = pd.MultiIndex.from_arrays(nested).factorize()[0]
    data = pl.DataFrame(columns)
    design = svy.Design(
        stratum=_STRATUM if strata is not None else None,
        psu=_PSU if psu is not None else None,
        wgt=_W,
        wr=True,
        singleton=SINGLETON_RULE if strata is not None else None,
    )
    alpha = 1.0 - float(confidence)
    with _quiet():
        sample = svy.Sample(data, design)
        method = {
            "total": sample.estimation.total,
            "proportion": sample.estimation.mean,  # the mean of a 0/1 indicator: same estimate, same SE
            "mean": sample.estimation.mean,
        }.get(statistic)
        if method is not None:
            result = method(_Y, by=_CELL, alpha=alpha).to_polars()
        else:
            result = sample.estimation.median(
                _Y, by=_CELL, q_method="higher", alpha=alpha
            ).to_polars()
    table = result.to_pandas().set_index(_CELL)
    table = table[table.index != _UNSTATED]
    estimate = table["est"].astype(float)
    se = table["se"].astype(float)
    quantile = _t_quantile(confidence, _design_df(data, strata is not None, psu is not None))
    if statistic == "median":
        # Woodruff intervals come from the library; they are not estimate +- t.se. Where a limit's
        # probability falls outside [0, 1] the library leaves it (and the SE) blank.
        low, high = table["lci"].astype(float), table["uci"].astype(float)
    elif statistic == "proportion":
        low, high = _logit_interval(estimate, se, quantile)
    else:
        low, high = estimate - quantile * se, estimate + quantile * se
    if _psu_count(data, strata is not None, psu is not None) < 2:
        # One PSU in the whole sample: no variance can be estimated (the library would say 0).
        se = low = high = pd.Series(np.nan, index=estimate.index)
    cv = se / estimate.where(estimate != 0)
    return pd.DataFrame({"estimate": estimate, "se": se, "ci_low": low, "ci_high": high, "cv": cv})


def _weights(frame: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(frame))
    column = frame[weight]
    numbers = pd.to_numeric(column, errors="coerce")
    for problem, bad in (
        ("no value", column.isna()),
        ("a value that is not a number", column.notna() & numbers.isna()),
        ("a negative or infinite value", numbers.notna() & ((numbers < 0) | np.isinf(numbers))),
    ):
        if bad.any():
            raise MigmoduleError.of(
                ESTIMATE_BAD_WEIGHT,
                column=weight,
                problem=problem,
                count=int(bad.sum()),
                rows=_rows(bad),
            )
    return numbers.to_numpy(dtype=float)


def _psu_count(data: Any, has_strata: bool, has_psu: bool) -> int:
    if not has_psu:
        return int(data.height)  # without PSUs, each unit is one
    pairs = data.select(_STRATUM, _PSU) if has_strata else data.select(_PSU)
    return int(pairs.unique().height)


def _design_df(data: Any, has_strata: bool, has_psu: bool) -> int:
    """Degrees of freedom of the whole design (PSUs minus strata; R's degf), used for every cell's
    interval, as Stata does for subpopulations: a cell's own count of PSUs would leave a cell held
    by one PSU without an interval."""
    psus = _psu_count(data, has_strata, has_psu)
    strata_count = data.get_column(_STRATUM).n_unique() if has_strata else 1
    return max(int(psus) - int(strata_count), 1)


def _t_quantile(confidence: float, df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2.0, df))


def _logit_interval(
    estimate: pd.Series, se: pd.Series, quantile: float
) -> tuple[pd.Series, pd.Series]:
    """The interval of a proportion on the logit scale (Stata's svy proportion, svy's default), so
    it stays inside [0, 1]. A share of exactly 0 or 1 has a Taylor SE of 0: its interval is the
    point itself, and the small-cell rules tell the reader how far to trust it."""
    p = estimate.clip(0.0, 1.0)
    inside = (p > 0) & (p < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(p / (1 - p))
        half = quantile * se / (p * (1 - p))
        low = 1 / (1 + np.exp(-(centre - half)))
        high = 1 / (1 + np.exp(-(centre + half)))
    return low.where(inside, p), high.where(inside, p)


def _survey_library() -> tuple[Any, Any]:
    try:
        import polars as pl
        import svy
    except ImportError as error:
        raise MigmoduleError.of(ESTIMATE_LIBRARY_MISSING, detail=str(error)) from error
    return svy, pl


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """svy reports design notes (e.g. a stratum with one PSU inside a cell) through logging and
    warnings; the rule applied is documented, so none of it reaches the user's terminal."""
    logger = logging.getLogger("svy")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


# --- SDG 10.7.1 ------------------------------------------------------------------------------------


def sdg_10_7_1(
    frame: pd.DataFrame,
    *,
    ratio: str = "recruitment_cost_indicator",
    by: list[str] | tuple[str, ...] = ("sex",),
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """SDG 10.7.1, recruitment cost borne by the employee as a proportion of monthly earnings: the
    weighted mean and the weighted median of the worker's cost-to-earnings ratio
    (`recruitment_cost_indicator` of modules/recruitment-costs), overall and by each `by`
    variable in turn (not crossed). Workers of the target population without a ratio (costs or
    earnings unknown, or zero costs excluded) are not in either figure; `n` counts those with one.

    One row per figure: `breakdown` ("total" or the `by` variable), `group` (its value; NaN for
    the total and for not stated), `statistic` ("mean" | "median"), then the columns of
    `estimate_cells`.
    """
    if ratio not in frame.columns:
        raise MigmoduleError.of(
            ESTIMATE_COLUMN_MISSING,
            column=ratio,
            role="SDG 10.7.1 ratio",
            available=", ".join(map(str, list(frame.columns)[:20])),
        )
    with_ratio = frame[pd.to_numeric(frame[ratio], errors="coerce").notna()]
    parts = []
    for breakdown in (None, *by):
        keys = [breakdown] if breakdown is not None else []
        for statistic in ("mean", "median"):
            cells = estimate_cells(
                with_ratio,
                keys,
                value=ratio,
                statistic=statistic,
                weight=weight,
                strata=strata,
                psu=psu,
                confidence=confidence,
            )
            group = cells.pop(breakdown) if breakdown is not None else np.nan
            cells.insert(0, "statistic", statistic)
            cells.insert(0, "group", group)
            cells.insert(0, "breakdown", breakdown or "total")
            parts.append(cells)
    return pd.concat(parts, ignore_index=True)

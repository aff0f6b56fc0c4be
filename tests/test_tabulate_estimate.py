"""Cell estimates for `migmodule tabulate`: values worked out by hand on tiny files, and standard
errors checked against an independent computation of the textbook with-replacement Taylor formula
for a stratified two-stage sample (between-PSU variance within strata, factor n_h / (n_h - 1))."""

from __future__ import annotations

import io
import logging
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from migmodule.codes import MigmoduleError
from migmodule.tabulate.estimate import estimate_cells, sdg_10_7_1, suppress, weighted_median

try:
    import svy  # noqa: F401
except ImportError:  # the tabulate extra; census counts need no survey library
    svy = None
needs_svy = pytest.mark.skipif(svy is None, reason="pip install 'migmodule[tabulate]'")


def table(text: str) -> pd.DataFrame:
    """A markdown table written in the test, as a data frame (empty cell = not stated)."""
    rows = [line.strip().strip("|") for line in text.strip().splitlines()]
    rows = [r for r in rows if not set(r) <= set("-| ")]
    csv = "\n".join(",".join(cell.strip() for cell in r.split("|")) for r in rows)
    return pd.read_csv(io.StringIO(csv))


PERSONS = table(
    """
    | person | sex | status | wt  | literate |
    |--------|-----|--------|-----|----------|
    | 1      | 1   | 1      | 10  | 1        |
    | 2      | 1   | 1      | 20  | 0        |
    | 3      | 2   | 1      | 30  | 1        |
    | 4      | 2   | 2      | 40  | 1        |
    | 5      | 2   | 2      | 50  | 0        |
    | 6      |     | 2      | 60  |          |
    """
)


def test_census_counts_by_hand_with_not_stated_as_its_own_cell():
    cells = estimate_cells(PERSONS, ["sex"])
    assert cells["sex"].tolist()[:2] == [1, 2] and math.isnan(cells["sex"].iloc[2])
    assert cells["n"].tolist() == [2, 3, 1]
    assert cells["estimate"].tolist() == [2, 3, 1]
    assert "se" not in cells.columns  # census: counts without standard errors


def test_census_cells_over_two_dimensions_are_only_those_present():
    cells = estimate_cells(PERSONS, ["status", "sex"])
    pairs = list(zip(cells["status"], cells["sex"].fillna(-1), cells["estimate"], strict=True))
    assert pairs == [(1, 1, 2), (1, 2, 1), (2, 2, 2), (2, -1, 1)]


@needs_svy
def test_weighted_totals_and_proportions_by_hand():
    totals = estimate_cells(PERSONS, ["sex"], weight="wt")
    assert totals["estimate"].tolist() == [30, 120, 60]
    assert totals["n"].tolist() == [2, 3, 1]
    shares = estimate_cells(PERSONS, ["sex"], value="literate", statistic="proportion", weight="wt")
    # men: 10 / (10 + 20); women: (30 + 40) / (30 + 40 + 50); person 6 has no answer: n = 0
    assert shares["estimate"].iloc[0] == pytest.approx(1 / 3)
    assert shares["estimate"].iloc[1] == pytest.approx(70 / 120)
    assert shares["n"].tolist() == [2, 3, 0] and math.isnan(shares["estimate"].iloc[2])
    overall = estimate_cells(PERSONS, [], value="literate", statistic="total", weight="wt")
    assert overall["estimate"].tolist() == [80] and overall["n"].tolist() == [5]


def test_unweighted_mean_median_and_share_without_design():
    ages = pd.DataFrame({"g": [1, 1, 1, 1, 2, 2], "age": [20, 30, 40, 90, 5, np.nan]})
    assert estimate_cells(ages, ["g"], value="age", statistic="mean")["estimate"].tolist() == [
        45,
        5,
    ]
    # median: the smallest value whose cumulative share reaches one half
    assert estimate_cells(ages, ["g"], value="age", statistic="median")["estimate"].tolist() == [
        30,
        5,
    ]
    assert estimate_cells(ages, ["g"], value="age", statistic="total")["n"].tolist() == [4, 1]


def test_weighted_median_is_the_smallest_value_reaching_half_the_weight():
    values = np.array([4.0, 1.0, 3.0, 2.0])
    assert weighted_median(values, np.array([4.0, 2.0, 0.5, 1.5])) == 3.0  # shares .25 .4375 .5
    assert weighted_median(values, np.array([1.0, 1.0, 1.0, 1.0])) == 2.0
    assert weighted_median(values, np.array([1.0, 0.0, 0.0, 0.0])) == 4.0


# --- a stratified two-stage sample and the textbook variance ---------------------------------------

RNG_SEED = 19


def two_stage_sample(singleton: bool = False) -> pd.DataFrame:
    """3 strata with 3, 2 and 4 PSUs (EA numbers restart in each stratum), 3 to 6 persons each."""
    rng = np.random.default_rng(RNG_SEED)
    psus_per_stratum = {1: 3, 2: 1 if singleton else 2, 3: 4}
    rows = []
    for stratum, psus in psus_per_stratum.items():
        for ea in range(1, psus + 1):
            for _person in range(int(rng.integers(3, 7))):
                rows.append(
                    {
                        "strat": stratum,
                        "ea": ea,
                        "wt": float(rng.integers(50, 300)),
                        "sex": int(rng.integers(1, 3)),
                        "migrant": int(rng.integers(0, 2)),
                        "income": float(rng.integers(100, 1000)),
                    }
                )
    return pd.DataFrame(rows)


def textbook_variance(frame: pd.DataFrame, z: np.ndarray) -> float:
    """v = sum_h n_h / (n_h - 1) * sum_i (z_hi - mean_h z)^2, z_hi the PSU totals of z."""
    psu_totals = pd.Series(z, index=frame.index).groupby([frame["strat"], frame["ea"]]).sum()
    variance = 0.0
    for _stratum, totals in psu_totals.groupby(level=0):
        n_h = len(totals)
        variance += n_h / (n_h - 1) * float(((totals - totals.mean()) ** 2).sum())
    return variance


def design_df(frame: pd.DataFrame) -> int:
    return frame.groupby(["strat", "ea"]).ngroups - frame["strat"].nunique()


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return two_stage_sample()


@needs_svy
def test_domain_totals_match_the_textbook_formula(sample):
    cells = estimate_cells(sample, ["sex"], weight="wt", strata="strat", psu="ea")
    quantile = student_t.ppf(0.975, design_df(sample))
    for _, cell in cells.iterrows():
        in_cell = (sample["sex"] == cell["sex"]).to_numpy()
        z = sample["wt"].to_numpy() * in_cell
        assert cell["n"] == in_cell.sum()
        assert cell["estimate"] == pytest.approx(z.sum())
        assert cell["se"] == pytest.approx(math.sqrt(textbook_variance(sample, z)), rel=1e-9)
        assert cell["ci_low"] == pytest.approx(cell["estimate"] - quantile * cell["se"])
        assert cell["ci_high"] == pytest.approx(cell["estimate"] + quantile * cell["se"])
        assert cell["cv"] == pytest.approx(cell["se"] / cell["estimate"])


@needs_svy
def test_domain_means_and_proportions_match_the_linearised_ratio(sample):
    for value, statistic in (("income", "mean"), ("migrant", "proportion")):
        cells = estimate_cells(
            sample, ["sex"], value=value, statistic=statistic, weight="wt", strata="strat", psu="ea"
        )
        for _, cell in cells.iterrows():
            in_cell = (sample["sex"] == cell["sex"]).to_numpy()
            w = sample["wt"].to_numpy() * in_cell
            y = sample[value].to_numpy()
            ratio = (w * y).sum() / w.sum()
            z = w * (y - ratio) / w.sum()  # the linearised variable of a ratio of totals
            assert cell["estimate"] == pytest.approx(ratio)
            assert cell["se"] == pytest.approx(math.sqrt(textbook_variance(sample, z)), rel=1e-9)
        if statistic == "proportion":
            assert ((cells["ci_low"] >= 0) & (cells["ci_high"] <= 1)).all()
            assert (cells["ci_low"] < cells["estimate"]).all()


@needs_svy
def test_confidence_level_changes_the_interval_not_the_se(sample):
    at95 = estimate_cells(sample, [], weight="wt", strata="strat", psu="ea")
    at90 = estimate_cells(sample, [], weight="wt", strata="strat", psu="ea", confidence=0.9)
    assert at90["se"].iloc[0] == pytest.approx(at95["se"].iloc[0])
    half = student_t.ppf(0.95, design_df(sample)) * at95["se"].iloc[0]
    assert at90["ci_high"].iloc[0] - at90["estimate"].iloc[0] == pytest.approx(half)


@needs_svy
def test_weights_only_and_strata_only_designs_treat_each_unit_as_a_psu(sample):
    weights_only = estimate_cells(sample, [], weight="wt")
    z = sample["wt"].to_numpy()
    n = len(z)
    expected = n / (n - 1) * ((z - z.mean()) ** 2).sum()
    assert weights_only["se"].iloc[0] == pytest.approx(math.sqrt(expected))
    by_stratum = estimate_cells(sample, [], weight="wt", strata="strat")
    as_units = sample.assign(ea=np.arange(len(sample)))
    assert by_stratum["se"].iloc[0] == pytest.approx(math.sqrt(textbook_variance(as_units, z)))


@needs_svy
def test_psu_numbers_restart_in_each_stratum(sample):
    """EA 1 of stratum 1 and EA 1 of stratum 2 are different PSUs."""
    cells = estimate_cells(sample, [], weight="wt", strata="strat", psu="ea")
    unique_ids = sample.assign(ea=sample["strat"] * 100 + sample["ea"])
    same = estimate_cells(unique_ids, [], weight="wt", strata="strat", psu="ea")
    assert cells["se"].iloc[0] == pytest.approx(same["se"].iloc[0])


@needs_svy
def test_single_psu_stratum_is_centred_on_the_grand_mean_without_warnings(caplog, recwarn):
    frame = two_stage_sample(singleton=True)
    with caplog.at_level(logging.DEBUG):
        cells = estimate_cells(frame, ["sex"], weight="wt", strata="strat", psu="ea")
    assert not [r for r in caplog.records if r.name.startswith("svy")]
    assert not [w for w in recwarn if "svy" in str(w.filename)]
    overall = estimate_cells(frame, [], weight="wt", strata="strat", psu="ea")
    z = frame["wt"].to_numpy()
    psu_totals = pd.Series(z).groupby([frame["strat"], frame["ea"]]).sum()
    grand_mean = psu_totals.mean()
    variance = 0.0
    for _stratum, totals in psu_totals.groupby(level=0):
        if len(totals) == 1:  # R "adjust" / Stata singleunit(centered)
            variance += float((totals.iloc[0] - grand_mean) ** 2)
        else:
            variance += (
                len(totals) / (len(totals) - 1) * float(((totals - totals.mean()) ** 2).sum())
            )
    assert overall["se"].iloc[0] == pytest.approx(math.sqrt(variance), rel=1e-9)
    assert np.isfinite(cells["se"]).all() and np.isfinite(cells["ci_low"]).all()


@needs_svy
def test_proportions_of_zero_and_one_have_a_point_interval_not_nan(sample):
    frame = sample.assign(all_yes=1, none=0)
    for column, share in (("all_yes", 1.0), ("none", 0.0)):
        cells = estimate_cells(
            frame,
            ["sex"],
            value=column,
            statistic="proportion",
            weight="wt",
            strata="strat",
            psu="ea",
        )
        assert cells["estimate"].tolist() == [share, share]
        assert cells["se"].tolist() == [0.0, 0.0]
        assert cells["ci_low"].tolist() == [share, share] and cells["ci_high"].tolist() == [
            share,
            share,
        ]
    assert cells["cv"].isna().all()  # a CV of a zero estimate is undefined, said as blank


@needs_svy
def test_one_psu_in_the_whole_sample_gives_no_standard_error():
    frame = PERSONS.assign(ea=1, strat=1)
    cells = estimate_cells(frame, ["status"], weight="wt", strata="strat", psu="ea")
    assert cells["estimate"].tolist() == [60, 150]
    assert cells[["se", "ci_low", "ci_high", "cv"]].isna().all().all()


@needs_svy
def test_design_median_uses_the_sdg_rule(sample):
    cells = estimate_cells(
        sample, ["sex"], value="income", statistic="median", weight="wt", strata="strat", psu="ea"
    )
    for _, cell in cells.iterrows():
        part = sample[sample["sex"] == cell["sex"]]
        assert cell["estimate"] == weighted_median(part["income"].to_numpy(), part["wt"].to_numpy())


# --- bad input: coded messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"by": ["nationality"]}, "TAB-EST-001"),
        ({"by": [], "statistic": "ratio"}, "TAB-EST-002"),
        ({"by": [], "statistic": "mean"}, "TAB-EST-002"),
        ({"by": [], "confidence": 95}, "TAB-EST-002"),
        ({"by": [], "value": "wt", "statistic": "proportion"}, "TAB-EST-003"),
        ({"by": [], "value": "label", "statistic": "mean"}, "TAB-EST-004"),
        ({"by": [], "weight": "bad_wt"}, "TAB-EST-005"),
        ({"by": [], "weight": "wt", "strata": "strat", "psu": "ea"}, "TAB-EST-006"),
    ],
)
def test_bad_input_gets_a_coded_message(kwargs, code):
    frame = PERSONS.assign(
        label="x", bad_wt=[1, 2, -3, 4, 5, 6], strat=[1, 1, 1, 2, 2, None], ea=[1, 2, 3, 1, 2, 3]
    )
    by = kwargs.pop("by")
    with pytest.raises(MigmoduleError) as raised:
        estimate_cells(frame, by, **kwargs)
    assert raised.value.finding.code == code


# --- small cells ----------------------------------------------------------------------------------


def test_suppress_blanks_small_cells_and_flags_high_cv():
    cells = pd.DataFrame(
        {
            "sex": [1, 2, 3, 4],
            "n": [29, 30, 100, 100],
            "estimate": [10.0, 20.0, 30.0, 0.0],
            "se": [1.0, 7.0, 3.0, 0.0],
            "ci_low": [8.0, 6.0, 24.0, 0.0],
            "ci_high": [12.0, 34.0, 36.0, 0.0],
            "cv": [0.1, 0.35, 0.1, np.nan],
        }
    )
    out = suppress(cells)
    assert out["flag"].tolist() == ["suppressed", "unreliable", "", ""]
    assert out.loc[0, ["estimate", "se", "ci_low", "ci_high", "cv"]].isna().all()
    assert out.loc[1, "estimate"] == 20.0 and out.loc[0, "n"] == 29  # n stays: it is not disclosive
    assert cells["estimate"].iloc[0] == 10.0  # the input is not changed
    assert suppress(cells, min_n=10, max_cv=None)["flag"].tolist() == ["", "", "", ""]
    assert suppress(cells, min_n=50, max_cv=0.05)["flag"].tolist() == [
        "suppressed",
        "suppressed",
        "unreliable",
        "",
    ]


def test_suppress_on_census_counts_without_cv():
    cells = estimate_cells(PERSONS, ["sex"])
    out = suppress(cells, min_n=2)
    assert out["flag"].tolist() == ["", "", "suppressed"]
    assert out["estimate"].iloc[:2].tolist() == [2, 3] and math.isnan(out["estimate"].iloc[2])


@pytest.mark.parametrize(
    ("kwargs"), [{"min_n": -1}, {"min_n": 2.5}, {"max_cv": 0}, {"max_cv": "high"}]
)
def test_bad_small_cell_rules_get_a_coded_message(kwargs):
    with pytest.raises(MigmoduleError) as raised:
        suppress(estimate_cells(PERSONS, ["sex"]), **kwargs)
    assert raised.value.finding.code == "TAB-EST-008"


# --- SDG 10.7.1 ------------------------------------------------------------------------------------

WORKERS = table(
    """
    | worker | sex | wt  | recruitment_cost_indicator |
    |--------|-----|-----|----------------------------|
    | 1      | 1   | 100 | 0.5                        |
    | 2      | 1   | 300 | 2.0                        |
    | 3      | 2   | 200 | 1.0                        |
    | 4      | 2   | 200 | 4.0                        |
    | 5      | 2   | 100 | 0.0                        |
    | 6      | 1   | 500 |                            |
    """
)


@needs_svy
def test_sdg_10_7_1_mean_and_median_overall_and_by_sex_by_hand():
    figures = sdg_10_7_1(WORKERS, weight="wt").set_index(["breakdown", "group", "statistic"])
    figures = figures.sort_index()
    # worker 6 has no ratio: left out. Total weight 900.
    # mean = (50 + 600 + 200 + 800 + 0) / 900; median: ratios 0, .5, 1, 2, 4 with weights
    # 100, 100, 200, 300, 200 -> cumulative shares 1/9, 2/9, 4/9, 7/9: the median is 2.0
    assert figures.loc[("total", np.nan, "mean"), "estimate"].item() == pytest.approx(1650 / 900)
    assert figures.loc[("total", np.nan, "median"), "estimate"].item() == 2.0
    assert figures.loc[("total", np.nan, "mean"), "n"].item() == 5
    # men: (50 + 600) / 400; median 2.0 (shares 1/4, 1). Women: (200 + 800 + 0) / 500; ratios
    # 0, 1, 4 with weights 100, 200, 200 -> shares .2, .6: the median is 1.0
    assert figures.loc[("sex", 1, "mean"), "estimate"].item() == pytest.approx(650 / 400)
    assert figures.loc[("sex", 1, "median"), "estimate"].item() == 2.0
    assert figures.loc[("sex", 2, "mean"), "estimate"].item() == pytest.approx(1000 / 500)
    assert figures.loc[("sex", 2, "median"), "estimate"].item() == 1.0
    assert "se" in figures.columns  # a weight is a design: SEs where the library gives them


def test_sdg_10_7_1_without_weights_and_without_the_ratio():
    figures = sdg_10_7_1(WORKERS, by=[])
    assert figures["statistic"].tolist() == ["mean", "median"]
    assert figures["estimate"].tolist() == [pytest.approx(7.5 / 5), 1.0]
    with pytest.raises(MigmoduleError) as raised:
        sdg_10_7_1(WORKERS.drop(columns="recruitment_cost_indicator"))
    assert raised.value.finding.code == "TAB-EST-001"


@needs_svy
def test_frames_glued_from_chunks_with_repeated_index_labels(sample):
    glued = pd.concat([sample.iloc[:20], sample.iloc[20:]])  # index 0.. twice over
    glued.index = list(range(20)) + list(range(len(sample) - 20))
    for design in ({}, {"weight": "wt", "strata": "strat", "psu": "ea"}):
        expected = estimate_cells(
            sample, ["sex"], value="migrant", statistic="proportion", **design
        )
        got = estimate_cells(glued, ["sex"], value="migrant", statistic="proportion", **design)
        pd.testing.assert_frame_equal(got, expected)

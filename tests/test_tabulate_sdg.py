"""`migmodule tabulate --tables sdg-10.7.1` and `--indicator` on a yes/no variable: a small
hand-made recruitment-costs 3.0.0 file, the figures worked out by hand.

Nepal, reference date 2026-06-30 (REFERENCE_PERIOD_YEARS 3: left and started the first job in
2023 or later). Every worker but 6 is in the target population (of working age, worked abroad,
left in 2025 to take up a job, stayed, first job as an employee in 2025). Costs other than the
recruitment fee are 0; fee and earnings in the same currency (634), paid monthly (one period):

| w | sex | dest. | ISCO | fee  | earnings | ratio | weight | stratum | psu | loan | type |
|---|-----|-------|------|------|----------|-------|--------|---------|-----|------|------|
| 1 | 1   | 634   | 9313 | 1200 | 1000     | 1.2   | 10     | 1       | 1   | 1    | 1    |
| 2 | 1   | 634   | 9313 | 500  | 1000     | 0.5   | 20     | 1       | 2   | 2    | 1    |
| 3 | 2   | 682   | 9313 | 0    | 800      | 0.0   | 10     | 2       | 3   | 2    | 1    |
| 4 | 2   | 682   | 5120 | 2000 | 1000     | 2.0   | 30     | 2       | 4   | 1    | 1    |
| 5 | 1   | 682   | 9313 | (blank)| 1000   | none  | 10     | 1       | 1   |      | 1    |
| 6 | 2   | (never worked abroad)   |      |          |       | 10     | 2       | 4   | 2    | 2    |

Unweighted: mean (1.2 + 0.5 + 0 + 2.0) / 4 = 0.925; men (1.2, 0.5) 0.85, women (0, 2) 1.0;
destination 634: 0.85, 682: 1.0 (worker 5 has no ratio); ISCO major group 9: (1.2+0.5+0)/3,
group 5: 2.0. Medians (the smallest value whose cumulative share reaches one half): all 0.5, men
0.5, women 0.0. Weighted by `weight` (10, 20, 10, 30; 70 in all): mean 82 / 70, men 22 / 30,
women 60 / 40 = 1.5; median: cumulative shares 10/70, 30/70, 40/70 at 0, 0.5, 1.2: 1.2; men 0.5;
women 2.0. Worker 5 is in the target population without a ratio (left out, counted); worker 6 is
outside it.

loan_for_costs (yes_no: 1 yes, 2 no): known for 1, 2, 3, 4, 6; yes 1 and 4: share 2 / 5 = 0.4;
men (1, 2) 0.5; women (3, 4, 6) 1 / 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.tabulate.engine import TOTAL, tabulate_data

COSTS = [
    "cost_documents", "cost_medical", "cost_travel", "cost_visa_permit", "cost_training",
    "cost_other", "cost_illegitimate", "wage_deductions",
]  # fmt: skip
COLUMNS = [
    "hh_id", "person_no", "sex", "age", "worked_abroad", "country_of_work_abroad",
    "year_left_for_work_abroad", "departure_month", "move_reason", "stay_min_months",
    "first_job_status", "job_start_year", "job_start_month", "first_job_occupation",
    "cost_recruitment_fee", "cost_recruitment_fee_currency", "pay_period",
    "pay_periods_first_month", "first_month_earnings", "first_month_earnings_currency",
    "xr_costs", "xr_earnings", "loan_for_costs", "respondent_type", "weight", "stratum", "psu",
]  # fmt: skip
WORKER = (1, 2025, 3, 1, 1, 1, 2025, 4)  # worked abroad ... job start month
ROWS = [
    (1, 1, 1, 30, WORKER[0], 634, *WORKER[1:], 9313, 1200, 634, 1, 1, 1000, 634, 1, 1, 1, 1, 10, 1, 1),
    (2, 1, 1, 35, WORKER[0], 634, *WORKER[1:], 9313, 500, 634, 1, 1, 1000, 634, 1, 1, 2, 1, 20, 1, 2),
    (3, 1, 2, 28, WORKER[0], 682, *WORKER[1:], 9313, 0, 634, 1, 1, 800, 634, 1, 1, 2, 1, 10, 2, 3),
    (4, 1, 2, 41, WORKER[0], 682, *WORKER[1:], 5120, 2000, 634, 1, 1, 1000, 634, 1, 1, 1, 1, 30, 2, 4),
    (5, 1, 1, 33, WORKER[0], 682, *WORKER[1:], 9313, None, 634, 1, 1, 1000, 634, 1, 1, None, 1, 10, 1, 1),
    (6, 1, 2, 50, 2, *[None] * 15, None, None, 2, 2, 10, 2, 4),
]  # fmt: skip
PROFILE = """\
profile_format: 1
name: hand-made migration survey
country: NPL
reference_date: 2026-06-30
languages: [en, fr, es]
modules:
  - module: recruitment-costs@{version}
    files:
      person: workers.csv
"""


def write(folder, version="3.0.0"):
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    for cost in COSTS:  # nothing paid: the currency is not asked
        frame[cost] = np.where(frame["worked_abroad"] == 1, 0, np.nan)
        frame[f"{cost}_currency"] = np.nan
    frame.astype("Int64").to_csv(folder / "workers.csv", index=False)
    (folder / "p.yaml").write_text(PROFILE.format(version=version), encoding="utf-8")
    return folder / "p.yaml"


@pytest.fixture
def workers(tmp_path):
    return write(tmp_path)


def cells(tabulation, table_id):
    result = next(r for r in tabulation.results if r.table.id == table_id)
    assert result.produced, result.needs
    dim = result.table.rows[0].id
    return result, {row[dim]: row for row in result.cells.to_dict("records")}


@pytest.mark.parametrize("version", ["3.0.0", "2.0.0"])
def test_sdg_10_7_1_unweighted_by_hand(tmp_path, version):
    tab = tabulate_data(profile=write(tmp_path, version), tables=["sdg-10.7.1"])
    result, by_sex = cells(tab, "sdg_10_7_1_mean_by_sex")
    assert by_sex[TOTAL]["estimate"] == pytest.approx(0.925)
    assert by_sex[1.0]["estimate"] == pytest.approx(0.85)
    assert by_sex[2.0]["estimate"] == pytest.approx(1.0)
    assert by_sex[TOTAL]["n"] == 4
    assert (result.in_universe, result.value_unknown, result.outside) == (4, 1, 1)
    _, median = cells(tab, "sdg_10_7_1_median_by_sex")
    assert [median[k]["estimate"] for k in (TOTAL, 1.0, 2.0)] == pytest.approx([0.5, 0.5, 0.0])
    _, destination = cells(tab, "sdg_10_7_1_mean_by_destination")
    assert destination[634.0]["estimate"] == pytest.approx(0.85)
    assert destination[682.0]["estimate"] == pytest.approx(1.0)
    _, occupation = cells(tab, "sdg_10_7_1_mean_by_occupation")
    assert occupation[9.0]["estimate"] == pytest.approx(1.7 / 3)
    assert occupation[5.0]["estimate"] == pytest.approx(2.0)
    assert not tab.findings


def test_sdg_10_7_1_weighted_with_design(workers):
    tab = tabulate_data(
        profile=workers, tables=["sdg-10.7.1"], weight="weight", strata="stratum", psu="psu",
        min_n=0,
    )  # fmt: skip
    _, mean = cells(tab, "sdg_10_7_1_mean_by_sex")
    assert mean[TOTAL]["estimate"] == pytest.approx(82 / 70)
    assert mean[1.0]["estimate"] == pytest.approx(22 / 30)
    assert mean[2.0]["estimate"] == pytest.approx(1.5)
    # The standard error of the overall mean, by the textbook linearisation (with replacement,
    # two PSUs of one worker in each stratum): z = w (y - mean) / W, variance = sum over strata
    # of n_h / (n_h - 1) * sum (z - mean z in h)^2.
    y, w, h = np.array([1.2, 0.5, 0.0, 2.0]), np.array([10, 20, 10, 30.0]), np.array([1, 1, 2, 2])
    z = w * (y - 82 / 70) / w.sum()
    var = sum(2 * ((z[h == s] - z[h == s].mean()) ** 2).sum() for s in (1, 2))
    assert mean[TOTAL]["se"] == pytest.approx(np.sqrt(var), rel=1e-6)
    _, median = cells(tab, "sdg_10_7_1_median_by_sex")
    assert [median[k]["estimate"] for k in (TOTAL, 1.0, 2.0)] == pytest.approx([1.2, 0.5, 2.0])


def test_yes_no_indicator_is_a_share_of_yes(workers):
    tab = tabulate_data(
        profile=workers, tables=[], indicator="loan_for_costs", by="respondent_type"
    )
    result = tab.results[0]
    assert result.table.statistic == "proportion"
    got = {
        (row["respondent_type"], row["age_group"], row["sex"]): row["estimate"]
        for row in result.cells.to_dict("records")
    }
    assert got[(TOTAL, TOTAL, TOTAL)] == pytest.approx(0.4)  # not a mean of codes (1.6)
    assert got[(TOTAL, TOTAL, 1.0)] == pytest.approx(0.5)
    assert got[(TOTAL, TOTAL, 2.0)] == pytest.approx(1 / 3)
    assert result.value_unknown == 1  # worker 5


@pytest.mark.parametrize(
    ("variable", "words"),
    [("move_reason", "To take up a job already arranged"), ("country_of_work_abroad", "country")],
)
def test_category_indicator_refused_with_its_name_and_fix(workers, variable, words):
    with pytest.raises(MigmoduleError) as caught:
        tabulate_data(profile=workers, tables=[], indicator=variable, by="respondent_type")
    message = str(caught.value)
    assert "TAB-OPTION-005" in message
    assert variable in message and words in message
    assert "--by" in message  # the fix


def test_cli_refuses_a_category_indicator(workers):
    from click.testing import CliRunner

    from migmodule.cli import main

    result = CliRunner().invoke(
        main,
        ["tabulate", "--profile", str(workers), "--indicator", "move_reason", "--by",
         "respondent_type", "--report", str(workers.parent / "out.csv")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "TAB-OPTION-005" in result.output and "Traceback" not in result.output


def test_sdg_10_7_1_sdmx_csv_read_back(workers):
    from click.testing import CliRunner

    from migmodule.cli import main

    pytest.importorskip("pysdmx")
    from migmodule.tabulate.sdmx import read_sdmx_csv

    out = workers.parent / "sdg.csv"
    report = workers.parent / "tables.csv"
    result = CliRunner().invoke(
        main,
        ["tabulate", "--profile", str(workers), "--tables", "sdg-10.7.1", "--report",
         str(report), "--sdmx", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    back = read_sdmx_csv(out)
    # not found in the SDG structures read: a placeholder, named so (docs/tabulate.md)
    assert set(back["SERIES"]) == {"PLACEHOLDER_SL_EMP_RCOST"}
    assert set(back["REF_AREA"]) == {"524"}  # Nepal's M49 code
    values = dict(zip(back["SEX"], back["OBS_VALUE"].astype(float), strict=True))
    assert values == pytest.approx({"_T": 0.925, "M": 0.85, "F": 1.0})


def test_a_table_not_produced_names_the_questions_missing(tmp_path):
    profile = write(tmp_path)
    data = pd.read_csv(tmp_path / "workers.csv").drop(columns=["cost_medical_currency"])
    data.to_csv(tmp_path / "workers.csv", index=False)
    tab = tabulate_data(profile=profile, tables=["sdg-10.7.1"])
    assert all(not r.produced for r in tab.results)
    # recruitment_cost_indicator reads cost_medical_currency through two derived variables
    assert tab.results[0].needs == ["recruitment_cost_indicator (cost_medical_currency)"]
    assert {f.code for f in tab.findings} == {"TAB-NEED-001"}

"""recruitment-costs 3.0.0 (issue 13): the exchange rates come from the profile's table
EXCHANGE_RATES, read at the month of departure, with the 2.0.0 office items as the fallback.

The NPR/QAR worker of issue 13 (165,000 rupees paid, 1,200 riyals a month, 137.5 NPR and 3.64
QAR per US dollar in March 2025) gets r_k = 3.64 through a CSV table set in a profile, computed
by the derived variables validate uses and by the reference evaluator; 2.0.0 is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.evaluate import derive
from migmodule.expr.reference import Deriver
from migmodule.profile import adapt, check_profile, load_profile
from migmodule.spec.diff import diff_modules
from migmodule.spec.lint import lint_paths
from migmodule.spec.registry import load_module
from tables import raw_frame

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "recruitment-costs" / "3.0.0.yaml"
OLD = MODULES / "recruitment-costs" / "2.0.0.yaml"
NEPAL, QATAR = 524, 634
COST_ITEMS = [
    "cost_recruitment_fee",
    "cost_documents",
    "cost_medical",
    "cost_travel",
    "cost_visa_permit",
    "cost_training",
    "cost_other",
    "cost_illegitimate",
    "wage_deductions",
]
RATES_CSV = """currency,year,month,rate
NPR,2025,2,136.9
NPR,2025,3,137.5
QAR,2025,3,3.64
USD,2025,3,1
"""
WORKERS = """
| age | worked_abroad | country_of_work_abroad | year_left_for_work_abroad | departure_month | move_reason | stay_min_months | first_job_status | job_start_year | job_start_month | cost_recruitment_fee | cost_recruitment_fee_currency | pay_period | pay_periods_first_month | first_month_earnings | first_month_earnings_currency |
|-----|---------------|------------------------|---------------------------|-----------------|-------------|-----------------|------------------|----------------|-----------------|----------------------|-------------------------------|------------|-------------------------|----------------------|-------------------------------|
| 29  | 1             | 634                    | 2025                      | 3               | 1           | 1               | 1                | 2025           | 4               | 165000               | 524                           | 1          | 1                       | 1200                 | 634                           |
| 31  | 1             | 634                    | 2025                      | 1               | 1           | 1               | 1                | 2025           | 2               | 165000               | 524                           | 1          | 1                       | 1200                 | 634                           |
"""


def profile_text(module_version: str = "3.0.0", rates: str = "{file: rates.csv}") -> str:
    return f"""profile_format: 1
name: npl-lfs-2026
country: NPL
reference_date: 2026-06-30
languages: [en]
modules:
  - module: recruitment-costs@{module_version}
    parameters:
      EXCHANGE_RATES: {rates}
"""


@pytest.fixture()
def profile_dir(tmp_path):
    folder = tmp_path / "national"
    folder.mkdir()
    (folder / "rates.csv").write_text(RATES_CSV, encoding="utf-8")
    (folder / "profile.yaml").write_text(profile_text(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rc3():
    return load_module(SPEC)


def workers(module) -> pd.DataFrame:
    given = raw_frame(WORKERS)
    out = pd.DataFrame({q.id: [None] * len(given) for q in module.questions}, dtype=object)
    for column in given.columns:
        out[column] = pd.to_numeric(given[column])
    for item in COST_ITEMS:
        if item != "cost_recruitment_fee":
            out[item] = 0
    return out


def test_lint_is_clean_and_the_diff_explains_the_change(rc3):
    findings = lint_paths([str(SPEC)])
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []
    changes = {(c.kind, c.item) for c in diff_modules(load_module(OLD), rc3)}
    assert ("parameter_added", "EXCHANGE_RATES") in changes
    assert ("derived_added", "xr_earnings_used") in changes
    assert ("derived_changed", "cost_recruitment_fee_conv") in changes
    # no question changed: data collected with 2.0.0 stay valid
    assert not {
        kind for kind, _ in changes if kind.startswith(("question_", "type_", "code_removed"))
    }


def test_the_npr_qar_worker_gets_3_64_from_the_csv_table(rc3, profile_dir):
    profile = load_profile(profile_dir / "profile.yaml")
    (adapted,) = adapt(profile)
    assert adapted.params["EXCHANGE_RATES"].source == str(profile_dir / "rates.csv")
    frame = workers(rc3)
    # the derived variables as validate computes them (validate/engine.py calls derive)
    out = derive(rc3, frame, adapted.params)
    # 165,000 NPR / 137.5 = 1,200 USD = 4,368 QAR; / 1,200 QAR a month = 3.64 months
    assert out["xr_earnings_used"].tolist()[0] == pytest.approx(3.64)
    assert out["cost_recruitment_fee_conv"].tolist()[0] == pytest.approx(4368.0)
    assert out["recruitment_cost_indicator"].tolist()[0] == pytest.approx(3.64)
    # the reference evaluator, row by row, says the same
    rows = [Deriver(rc3, adapted.params)(row) for row in frame.to_dict("records")]
    assert rows[0]["recruitment_cost_indicator"] == pytest.approx(3.64)


def test_a_month_missing_from_the_table_leaves_the_ratio_unknown(rc3, profile_dir):
    (adapted,) = adapt(load_profile(profile_dir / "profile.yaml"))
    frame = workers(rc3)  # the second worker left in January 2025: not in the table
    out = derive(rc3, frame, adapted.params)
    assert pd.isna(out["recruitment_cost_indicator"].tolist()[1])
    rows = [Deriver(rc3, adapted.params)(row) for row in frame.to_dict("records")]
    assert rows[1]["recruitment_cost_indicator"] is None
    # the office items are the fallback for that month
    frame["xr_costs"] = [None, 136.0]
    frame["xr_earnings"] = [None, 3.64]
    out = derive(rc3, frame, adapted.params)
    assert out["recruitment_cost_indicator"].tolist()[1] == pytest.approx(
        165000 / 136 * 3.64 / 1200
    )


def test_without_a_table_the_office_items_give_the_2_0_0_ratio(rc3):
    old = load_module(OLD)
    params = {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"}
    frame = workers(rc3)
    frame["xr_costs"] = 137.5
    frame["xr_earnings"] = 3.64
    new_ratio = derive(rc3, frame, params)["recruitment_cost_indicator"].tolist()
    old_ratio = derive(old, frame, params)["recruitment_cost_indicator"].tolist()
    assert new_ratio == pytest.approx(old_ratio) and new_ratio[0] == pytest.approx(3.64)


def test_items_in_the_earnings_currency_need_no_rate(rc3):
    frame = workers(rc3)
    frame["cost_recruitment_fee_currency"] = QATAR
    frame["cost_recruitment_fee"] = 600
    out = derive(rc3, frame, {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"})
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([0.5, 0.5])


def test_the_profile_check_loads_the_table(profile_dir):
    findings = check_profile(load_profile(profile_dir / "profile.yaml"))
    assert [f.code for f in findings if f.severity.value == "error"] == []
    (profile_dir / "rates.csv").write_text(RATES_CSV + "NPR,2025,3,140\n", encoding="utf-8")
    findings = check_profile(load_profile(profile_dir / "profile.yaml"))
    assert "PARAM-TABLE-004" in [f.code for f in findings]


def test_validate_computes_the_ratio_from_the_table(rc3, profile_dir):
    """RC07 reads the ratio: at 30 months of earnings through the table, validate warns."""
    from migmodule.validate.engine import validate_data

    frame = workers(rc3)
    frame["cost_recruitment_fee"] = [165000 * 30 / 3.64, 1000]
    frame.insert(0, "person_no", [1, 2])
    frame.insert(0, "hh_id", 1)
    frame["sex"] = 1
    path = profile_dir / "persons.csv"
    frame.to_csv(path, index=False)
    report = validate_data({"person": path}, profile=profile_dir / "profile.yaml")
    rc07 = next(r for r in report.results if r.edit == "RC07")
    # worker 1 (March, in the table) has a ratio of 30; worker 2 (January) has none
    assert (rc07.count, rc07.denominator) == (1, 1)
    missing = {r.question: r.count for r in report.results if r.code == "DATA-UNIV-002"}
    # the office items are asked only where the table lacks a rate: worker 2
    assert missing["xr_costs"] == 1 and missing["xr_earnings"] == 1
    empty = profile_dir / "empty.yaml"
    empty.write_text(profile_text(rates="[]"), encoding="utf-8")
    report = validate_data({"person": path}, profile=empty)
    rc07 = next(r for r in report.results if r.edit == "RC07")
    assert rc07.denominator == 0  # no table, no office rates: no ratio to check
    missing = {r.question: r.count for r in report.results if r.code == "DATA-UNIV-002"}
    assert missing["xr_costs"] == 2


def test_2_0_0_still_loads_and_lints():
    old = load_module(OLD)
    assert "EXCHANGE_RATES" not in old.parameter_by_id
    findings = lint_paths([str(OLD)])
    assert [str(f) for f in findings if f.severity.value in ("error", "warning")] == []


@pytest.mark.parametrize(
    "lang, words", [("fr", "table des taux de change"), ("es", "tabla de tipos de cambio")]
)
def test_the_table_is_described_in_french_and_spanish(rc3, lang, words):
    param = rc3.parameter_by_id["EXCHANGE_RATES"]
    assert words in param.label[lang].lower() or words in param.description[lang].lower()
    assert "EXCHANGE_RATES" in rc3.derived_by_id["xr_earnings_used"].description[lang]

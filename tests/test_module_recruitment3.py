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
from migmodule.spec.params import resolve_parameters
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


def test_items_in_the_earnings_currency_need_only_the_earnings_rate(rc3):
    """Fees paid in riyals and zero items with no currency convert at E/E = 1: a table with the
    riyal alone is enough (and without it, as in 2.0.0, the office items are needed)."""
    frame = workers(rc3)
    frame["cost_recruitment_fee_currency"] = QATAR
    frame["cost_recruitment_fee"] = 600
    frame["departure_month"] = 3
    riyal_only = [{"currency": "QAR", "year": 2025, "month": 3, "rate": 3.64}]
    params = {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30", "EXCHANGE_RATES": riyal_only}
    out = derive(rc3, frame, params)
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([0.5, 0.5])
    assert out["rates_in_table"].tolist() == [1, 1]
    rows = [Deriver(rc3, resolve_parameters(rc3, params))(r) for r in frame.to_dict("records")]
    assert [r["recruitment_cost_indicator"] for r in rows] == pytest.approx([0.5, 0.5])
    without = derive(rc3, frame, {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"})
    assert without["recruitment_cost_indicator"].isna().all()
    assert without["rates_in_table"].tolist() == [2, 2]


def test_without_a_table_every_target_reads_the_2_0_0_rule(rc3):
    """An empty table's look-ups are never known: coalesce() passes over them, so the generic
    CSPro and XLSForm exports write the 2.0.0 arithmetic (no pulldata, no refusal)."""
    from migmodule.expr.compile import compile_expression

    params = resolve_parameters(rc3, {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"})
    expression = rc3.derived_by_id["cost_recruitment_fee_conv"].expression
    xpath = compile_expression(rc3, expression, "xpath", params=params)
    assert "pulldata" not in xpath and "${xr_costs}" in xpath
    cspro = compile_expression(rc3, expression, "cspro", params=params)
    assert "XR_COSTS" in cspro and "XR_EARNINGS_USED" in cspro


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


def test_keys_missing_from_the_table_are_reported_once_with_counts(rc3, profile_dir):
    """Three January workers (not in the table) paying fees and documents in rupees: each missing
    key is listed once, with its rows; a row needing one key twice counts once; a chunked run says
    the same as a whole-file run."""
    from migmodule.validate.engine import validate_data

    frame = pd.concat([workers(rc3)] * 3, ignore_index=True)
    frame["cost_documents"] = [0, 1000] * 3
    frame["cost_documents_currency"] = NEPAL
    frame.insert(0, "person_no", range(1, 7))
    frame.insert(0, "hh_id", 1)
    frame["sex"] = 1
    path = profile_dir / "persons.csv"
    frame.to_csv(path, index=False)
    for chunk_size in (None, 2):
        report = validate_data(
            {"person": path}, profile=profile_dir / "profile.yaml", chunk_size=chunk_size
        )
        (result,) = [r for r in report.results if r.code == "DATA-TABLE-001"]
        assert result.count == 3  # the three January workers; March is in the table
        assert result.details["missing_keys"] == [
            {"currency": NEPAL, "year": 2025, "month": 1, "rows": 3},
            {"currency": QATAR, "year": 2025, "month": 1, "rows": 3},
        ]
        assert "currency 524, year 2025, month 1 (3 rows)" in result.finding.message
    # with the office rates filled for them, nothing is missing any more
    frame["xr_costs"] = [None, 136.0] * 3
    frame["xr_earnings"] = [None, 3.64] * 3
    frame.to_csv(path, index=False)
    report = validate_data({"person": path}, profile=profile_dir / "profile.yaml")
    (result,) = [r for r in report.results if r.code == "DATA-TABLE-001"]
    assert result.count == 0 and result.finding is None


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


def test_exported_with_labour_migration_earnings_of_two_concepts_have_two_names():
    """labour-migration's monthly_earnings (current main job, national currency) and E_k (first
    job abroad, earnings currency) are different concepts: 2.0.0 exported the second as
    monthly_earnings_rc. age_group and education_level are the same concepts in both modules
    (renamed *_rc until person-core carries them; docs/recruitment-2.0.md says what that needs)."""
    from migmodule.export.xlsform import build_xlsform

    adapted = [
        a
        for ref in (str(MODULES / "labour-migration" / "2.0.0.yaml"), str(SPEC))
        for a in adapt(None, ref, country="NPL", languages=["en"])
    ]
    sheets, _ = build_xlsform(adapted, ["en"])
    names = [row.get("name") for row in sheets["survey"]]
    assert names.count("monthly_earnings") == 1 and "monthly_earnings_rc" not in names
    assert names.count("first_job_monthly_earnings") == 1

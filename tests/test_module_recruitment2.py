"""recruitment-costs 2.0.0 (SDG 10.7.1, issue 13): the target population on every realistic
combination, the cross-currency ratio from a given exchange-rate table, pay periods, the published
weighted mean and median, the edits and universes that changed, and the wording fixes read from the
module text.

Rows are markdown tables; a blank cell is a blank answer. The survey country is Nepal (524), the
reference date 2026-06-30 (reference year 2026, recent period 2023-2026).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.spec.lint import lint_paths
from migmodule.spec.registry import load_module
from tables import parse_table, questions_frame, raw_frame

MODULES = Path(__file__).resolve().parents[1] / "modules"
SPEC = MODULES / "recruitment-costs" / "2.0.0.yaml"
NEPAL, QATAR, USA = 524, 634, 840
PARAMS = {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"}
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


@pytest.fixture(scope="module")
def rc2():
    return load_module(SPEC)


def table(module, text: str) -> pd.DataFrame:
    """A markdown table as one row per person with every question of the module as a column
    (blank where the table does not give it); numeric cells are numbers."""
    given = raw_frame(text)
    out = pd.DataFrame(index=given.index)
    for question in module.questions:
        out[question.id] = pd.Series([None] * len(given), index=given.index, dtype=object)
    for column in given.columns:
        converted = pd.to_numeric(given[column], errors="coerce")
        same = converted.notna().sum() == given[column].notna().sum()
        out[column] = converted if same else given[column]
    return out


def with_zero_costs(frame: pd.DataFrame, **given) -> pd.DataFrame:
    """Cost items the row does not give are 0 (nothing paid), as an interviewer records them."""
    out = frame.copy()
    for item in COST_ITEMS:
        out[item] = given.get(item, 0)
    return out


def derived(module, frame, params=PARAMS) -> pd.DataFrame:
    return derive(module, frame, params)


# --- lint, shared questions ----------------------------------------------------------------------


def test_lint_reports_no_error_and_no_warning():
    findings = lint_paths([str(SPEC)])
    serious = [str(f) for f in findings if f.severity.value in ("error", "warning")]
    assert serious == []
    assert not [f for f in findings if f.code == "LINT-LANG-001"]


def test_person_questions_and_the_worked_abroad_filter_are_shared(rc2):
    origin = {q.id: q.shared_from for q in rc2.questions if q.shared_from}
    assert origin == {
        "sex": "person-core@1.0.0",
        "age": "person-core@1.0.0",
        "worked_abroad": "work-abroad@1.0.0",
        "country_of_work_abroad": "work-abroad@1.0.0",
        "year_left_for_work_abroad": "work-abroad@1.0.0",
    }
    own = {q.id for q in rc2.questions if not q.shared_from}
    assert not own & {"worked_abroad_period", "destination_country", "departure_year"}
    assert "stay_12_months" not in own and "stay_min_months" in own


# --- the target population -----------------------------------------------------------------------

TARGET = """
| case                              | age | worked_abroad | year_left_for_work_abroad | move_reason | stay_min_months | first_job_status | job_start_year | expected |
|-----------------------------------|-----|---------------|---------------------------|-------------|-----------------|------------------|----------------|----------|
| employee, moved for a job, 2025   | 30  | 1             | 2025                      | 1           | 1               | 1                | 2025           | 1        |
| looked for work, found a job      | 27  | 1             | 2024                      | 2           | 1               | 1                | 2024           | 1        |
| looked for work, never found one  | 27  | 1             | 2025                      | 2           | 1               | 4                |                | 2        |
| job status don't know             | 27  | 1             | 2025                      | 2           | 1               | 8                |                | 9        |
| self-employed abroad              | 40  | 1             | 2024                      | 1           | 1               | 2                |                | 2        |
| moved to join family              | 26  | 1             | 2024                      | 3           |                 |                  |                | 2        |
| four-month seasonal contract      | 22  | 1             | 2025                      | 1           | 2               |                  |                | 2        |
| left before the period            | 45  | 1             | 2015                      |             |                 |                  |                | 2        |
| first job started before period   | 35  | 1             | 2023                      | 1           | 1               | 1                | 2022           | 2        |
| never worked abroad               | 35  | 2             |                           |             |                 |                  |                | 2        |
| under working age                 | 12  | 1             | 2025                      |             |                 |                  |                | 2        |
"""


def test_target_population_on_every_realistic_combination(rc2):
    frame = table(rc2, TARGET)
    out = derived(rc2, frame.drop(columns=["case", "expected"]))
    assert out["rci_target_population"].tolist() == frame["expected"].tolist(), frame["case"]


def test_a_worker_who_never_found_a_job_is_outside_not_unknown(rc2):
    codes = {c.code: c.label["en"] for c in rc2.code_list_by_id["job_status"].codes}
    assert codes[4] == "Did not work in that country (yet)"
    assert 4 not in rc2.code_list_by_id["job_status"].special_codes
    frame = table(rc2, TARGET)
    never = frame[frame["case"] == "looked for work, never found one"]
    out = derived(rc2, never.drop(columns=["case", "expected"]))
    assert out["rci_target_population"].tolist() == [2]
    # and nobody asks such a worker about costs
    asked = evaluate_frame(rc2, "in_target_population", never, PARAMS)
    assert asked.tolist() == [False]


def test_min_stay_is_a_parameter(rc2):
    param = rc2.parameter_by_id["MIN_STAY_MONTHS"]
    assert param.default == 12
    stay = rc2.question_by_id["stay_min_months"]
    for lang in ("en", "fr", "es"):
        assert "{MIN_STAY_MONTHS}" in stay.label[lang]
        assert "12" not in stay.label[lang]


def test_the_recent_period_decides_who_is_asked_the_move_questions(rc2):
    frame = table(
        rc2,
        """
| age | worked_abroad | year_left_for_work_abroad | asked |
|-----|---------------|---------------------------|-------|
| 30  | 1             | 2023                      | 1     |
| 30  | 1             | 2022                      | 0     |
| 30  | 1             | 9998                      | 1     |
| 30  | 2             |                           | 0     |
| 14  | 1             | 2025                      | 0     |
""",
    )
    universe = rc2.question_by_id["move_reason"].universe
    asked = evaluate_frame(rc2, universe, frame, PARAMS).fillna(False).astype(int)
    assert asked.tolist() == frame["asked"].tolist()


# --- the cross-currency ratio ---------------------------------------------------------------------

# A national exchange-rate table: units of each currency per US dollar, monthly average.
RATES_CSV = """currency,year,month,rate
524,2025,2,136.9
524,2025,3,137.5
524,2025,4,138.2
634,2025,3,3.64
634,2025,4,3.64
840,2025,3,1
"""


def rate(currency: int, year: int, month: int) -> float:
    """The office look-up the module's xr_ items describe: the table's rate for that month."""
    for row in csv.DictReader(io.StringIO(RATES_CSV)):
        if (int(row["currency"]), int(row["year"]), int(row["month"])) == (currency, year, month):
            return float(row["rate"])
    raise KeyError((currency, year, month))


NEPAL_QATAR = """
| age | worked_abroad | country_of_work_abroad | year_left_for_work_abroad | departure_month | move_reason | stay_min_months | first_job_status | job_start_year | job_start_month | cost_recruitment_fee | cost_recruitment_fee_currency | pay_period | pay_periods_first_month | first_month_earnings | first_month_earnings_currency |
|-----|---------------|------------------------|---------------------------|-----------------|-------------|-----------------|------------------|----------------|-----------------|----------------------|-------------------------------|------------|-------------------------|----------------------|-------------------------------|
| 29  | 1             | 634                    | 2025                      | 3               | 1           | 1               | 1                | 2025           | 4               | 165000               | 524                           | 1          | 1                       | 1200                 | 634                           |
"""


def test_worker_paying_165000_rupees_and_earning_1200_riyals_gets_the_ratio(rc2):
    frame = with_zero_costs(table(rc2, NEPAL_QATAR), cost_recruitment_fee=165000)
    frame["cost_recruitment_fee_currency"] = NEPAL
    # the conversion date is the month of departure, March 2025, for both currencies
    frame["xr_costs"] = rate(NEPAL, 2025, 3)
    frame["xr_earnings"] = rate(QATAR, 2025, 3)
    needs = evaluate_frame(rc2, rc2.question_by_id["xr_costs"].universe, frame, PARAMS)
    assert needs.tolist() == [True]
    out = derived(rc2, frame)
    # by hand: 165,000 NPR / 137.5 NPR per USD = 1,200 USD = 1,200 x 3.64 = 4,368 QAR;
    # 4,368 QAR / 1,200 QAR a month = 3.64 months of earnings
    assert out["cost_currency_check"].tolist() == [2]
    assert out["cost_recruitment_fee_conv"].tolist() == pytest.approx([4368.0])
    assert out["recruitment_cost_total"].tolist() == pytest.approx([4368.0])
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([3.64])


def test_without_the_exchange_rates_the_cross_currency_ratio_is_unknown(rc2):
    frame = with_zero_costs(table(rc2, NEPAL_QATAR), cost_recruitment_fee=165000)
    frame["cost_recruitment_fee_currency"] = NEPAL
    out = derived(rc2, frame)
    assert out["recruitment_cost_total"].isna().tolist() == [True]
    assert out["recruitment_cost_indicator"].isna().tolist() == [True]


def test_mixed_currencies_convert_only_the_foreign_items(rc2):
    # agency fee in rupees, the ticket deducted from wages in riyals
    frame = with_zero_costs(
        table(rc2, NEPAL_QATAR), cost_recruitment_fee=68750, wage_deductions=600
    )
    frame["cost_recruitment_fee_currency"] = NEPAL
    frame["wage_deductions_currency"] = QATAR
    frame["xr_costs"] = rate(NEPAL, 2025, 3)
    frame["xr_earnings"] = rate(QATAR, 2025, 3)
    out = derived(rc2, frame)
    # 68,750 / 137.5 = 500 USD = 1,820 QAR; plus 600 QAR = 2,420 QAR; / 1,200 = 2.0166...
    assert out["wage_deductions_conv"].tolist() == pytest.approx([600.0])
    assert out["recruitment_cost_total"].tolist() == pytest.approx([2420.0])
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([2420 / 1200])


def test_same_currency_the_rates_cancel(rc2):
    frame = with_zero_costs(table(rc2, NEPAL_QATAR), cost_recruitment_fee=300, wage_deductions=600)
    frame = pd.concat([frame] * 2).reset_index(drop=True)
    frame["cost_recruitment_fee_currency"] = USA
    frame["wage_deductions_currency"] = USA
    frame["first_month_earnings"] = 450
    frame["first_month_earnings_currency"] = USA
    # the office copies the earnings rate when no cost is in another currency
    frame["xr_costs"] = [1, 7]
    frame["xr_earnings"] = [1, 7]
    out = derived(rc2, frame)
    assert out["cost_currency_check"].tolist() == [1, 1]
    assert out["cost_recruitment_fee_foreign"].tolist() == [0, 0]
    assert out["cost_documents_foreign"].tolist() == [0, 0]  # nothing paid: nothing to convert
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([2.0, 2.0])


def test_illegitimate_costs_are_their_own_item_and_count_in_the_total(rc2):
    item = rc2.question_by_id["cost_illegitimate"]
    assert item.universe == "in_target_population"
    assert "bribe" in item.label["en"] and "pot-de-vin" in item.label["fr"]
    assert "soborno" in item.label["es"]
    assert "informal payments" not in rc2.question_by_id["cost_other"].label["en"]
    frame = with_zero_costs(table(rc2, NEPAL_QATAR), cost_illegitimate=200)
    frame["cost_illegitimate_currency"] = QATAR
    frame["first_month_earnings"] = 1000
    frame["xr_costs"] = frame["xr_earnings"] = rate(QATAR, 2025, 3)
    out = derived(rc2, frame)
    assert out["recruitment_cost_total"].tolist() == pytest.approx([200.0])
    assert out["recruitment_cost_indicator"].tolist() == pytest.approx([0.2])
    # a don't-know illegitimate cost leaves C_k unknown, never 0
    frame["cost_illegitimate"] = 999999998
    assert derived(rc2, frame)["recruitment_cost_total"].isna().tolist() == [True]


# --- pay period -------------------------------------------------------------------------------------


def test_non_monthly_pay_is_brought_to_a_month(rc2):
    frame = pd.concat([with_zero_costs(table(rc2, NEPAL_QATAR), cost_travel=1300)] * 5)
    frame = frame.reset_index(drop=True)
    frame["cost_travel_currency"] = QATAR
    frame["xr_costs"] = frame["xr_earnings"] = rate(QATAR, 2025, 3)
    frame["pay_period"] = [1, 2, 3, 4, 98]
    frame["first_month_earnings"] = [1300, 650, 260, 50, 1300]
    frame["pay_periods_first_month"] = [1, 2, 5, 26, None]
    question = rc2.question_by_id["pay_periods_first_month"]
    asked = evaluate_frame(rc2, question.universe, frame, PARAMS)
    assert asked.fillna(False).tolist() == [True, True, True, True, False]
    # monthly pay is one period: anything else is refused
    ok = evaluate_frame(
        rc2,
        question.constraint,
        frame.assign(pay_periods_first_month=[1, 2, 5, 26, 2]),
        PARAMS,
        self_id=question.id,
    )
    assert ok.fillna(True).tolist() == [True, True, True, True, True]
    bad = evaluate_frame(
        rc2,
        question.constraint,
        frame.assign(pay_periods_first_month=4),
        PARAMS,
        self_id=question.id,
    )
    assert bad.tolist()[0] is False
    out = derived(rc2, frame)
    # by hand: 1,300 x 1; 650 x 2 fortnights; 260 x 5 weeks; 50 x 26 days: 1,300 each; unknown
    assert out["monthly_earnings"].iloc[:4].tolist() == pytest.approx([1300.0] * 4)
    assert pd.isna(out["monthly_earnings"].iloc[4])
    assert out["recruitment_cost_indicator"].iloc[:4].tolist() == pytest.approx([1.0] * 4)
    assert pd.isna(out["recruitment_cost_indicator"].iloc[4])


# --- the published indicator: weighted mean and median of r_k --------------------------------------


def weighted_mean(ratios, weights) -> float:
    return sum(w * r for r, w in zip(ratios, weights, strict=True)) / sum(weights)


def weighted_median(ratios, weights) -> float:
    """The documented rule: the smallest r_k whose cumulative weight share reaches one half."""
    total, running = sum(weights), 0.0
    for r, w in sorted(zip(ratios, weights, strict=True)):
        running += w
        if running >= total / 2:
            return r
    raise ValueError("no weights")


def test_weighted_mean_and_median_of_the_ratio(rc2):
    frame = pd.concat([with_zero_costs(table(rc2, NEPAL_QATAR))] * 4).reset_index(drop=True)
    frame["cost_recruitment_fee"] = [165000, 0, 1200, 2400]
    frame["cost_recruitment_fee_currency"] = [NEPAL, None, QATAR, QATAR]
    frame["xr_costs"] = [rate(NEPAL, 2025, 3)] + [rate(QATAR, 2025, 3)] * 3
    frame["xr_earnings"] = rate(QATAR, 2025, 3)
    weights = [100.0, 300.0, 50.0, 50.0]
    out = derived(rc2, frame)
    ratios = out["recruitment_cost_indicator"].tolist()
    assert ratios == pytest.approx([3.64, 0.0, 1.0, 2.0])
    # by hand: (100 x 3.64 + 300 x 0 + 50 x 1 + 50 x 2) / 500 = 514 / 500
    assert weighted_mean(ratios, weights) == pytest.approx(1.028)
    # the zero-cost worker holds 300 of 500 weights: the median is 0
    assert weighted_median(ratios, weights) == 0.0
    # under ZERO_COST_WORKERS = exclude that worker has no ratio: mean 514 / 200, median 2.0
    excluded = derived(rc2, frame, {**PARAMS, "ZERO_COST_WORKERS": "exclude"})
    kept = excluded["recruitment_cost_indicator"].notna().tolist()
    assert kept == [True, False, True, True]
    ratios_kept = [r for r, k in zip(ratios, kept, strict=True) if k]
    weights_kept = [w for w, k in zip(weights, kept, strict=True) if k]
    assert weighted_mean(ratios_kept, weights_kept) == pytest.approx(2.57)
    assert weighted_median(ratios_kept, weights_kept) == 2.0


def test_indicator_is_documented_as_weighted_mean_and_median(rc2):
    indicator = rc2.derived_by_id["recruitment_cost_indicator"]
    assert "weighted mean sum(w_k r_k) / sum(w_k)" in indicator.description["en"]
    assert "cumulative share of the weights" in indicator.description["en"]
    assert "moyenne pondérée" in indicator.description["fr"]
    assert "mediana ponderada" in indicator.description["es"]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "recruitment-2.0.md").read_text(
        encoding="utf-8"
    )
    assert "weighted median" in docs and "3.64" in docs


# --- disaggregations, respondent type, edits --------------------------------------------------------


def test_education_groups_from_isced_levels(rc2):
    frame = table(rc2, NEPAL_QATAR)
    frame = pd.concat([frame] * 7).reset_index(drop=True)
    frame["education_level"] = [0, 1, 2, 3, 4, 5, 98]
    out = derived(rc2, frame)
    assert out["education_group"].tolist() == [1, 1, 2, 3, 3, 4, 9]


def test_disaggregations_are_asked_of_the_target_population(rc2):
    for qid in ("education_level", "documented_migration", "first_job_occupation"):
        assert rc2.question_by_id[qid].universe == "in_target_population", qid
    assert rc2.question_by_id["first_job_industry"].universe == "in_target_population"
    assert rc2.question_by_id["first_job_occupation"].range.maximum == 9629


def test_absent_member_code_only_in_the_absent_member_version(rc2):
    question = rc2.question_by_id["respondent_type"]
    frame = table(rc2, NEPAL_QATAR)
    frame = pd.concat([frame] * 3).reset_index(drop=True)
    frame["respondent_type"] = [1, 2, 3]
    default = evaluate_frame(rc2, question.constraint, frame, PARAMS, self_id=question.id)
    assert default.tolist() == [True, True, False]
    absent = {**PARAMS, "ABSENT_MEMBERS": "yes"}
    version = evaluate_frame(rc2, question.constraint, frame, absent, self_id=question.id)
    assert version.tolist() == [True, True, True]


def test_nobody_paid_with_wage_deductions_is_caught(rc2):
    edit = next(e for e in rc2.edits if e.id == "RC04")
    frame = with_zero_costs(table(rc2, NEPAL_QATAR))
    frame = pd.concat([frame] * 2).reset_index(drop=True)
    frame["costs_paid_by"] = ["6", "6"]
    frame["wage_deductions"] = [600, 0]
    when = evaluate_frame(rc2, edit.when, frame, PARAMS).fillna(False)
    check = evaluate_frame(rc2, edit.check, frame, PARAMS).fillna(True)
    assert (when & ~check).tolist() == [True, False]


# --- wording fixes read from the module text ----------------------------------------------------------


def all_texts(module, lang: str) -> list[tuple[str, str]]:
    own = [q for q in module.questions if not q.shared_from]
    texts = [(q.id, q.label[lang]) for q in own]
    texts += [(q.id, q.variable_label[lang]) for q in own]
    texts += [(q.id, q.instructions[lang]) for q in own if q.instructions]
    texts += [(q.id, q.definition[lang]) for q in own if q.definition]
    texts += [
        (cl.id, c.label[lang]) for cl in module.code_lists if not cl.shared_from for c in cl.codes
    ]
    texts += [("description", module.description[lang])]
    return texts


def test_ilo_terms_for_recruitment_fees(rc2):
    fee = rc2.question_by_id["cost_recruitment_fee"]
    assert "commissions de recrutement" in fee.label["fr"]
    assert "comisiones de contratación" in fee.label["es"]
    concept = next(c for c in rc2.concepts if c.id == "recruitment_costs")
    assert "comisiones de contratación y gastos conexos" in concept.definition["es"]
    for qid, text in all_texts(rc2, "es"):
        assert "tarifa" not in text.lower(), qid
        assert "gestor" not in text.lower(), qid
    for qid, text in all_texts(rc2, "fr"):
        assert "frais de recrutement" not in text.lower(), qid


def test_french_questions_read_aloud(rc2):
    for qid in ("departure_month", "job_start_month"):
        assert rc2.question_by_id[qid].label["fr"].startswith("En quel mois"), qid
    for qid, text in all_texts(rc2, "fr"):
        assert "ont-ils payé" not in text, qid
        assert "ont-ils emprunté" not in text, qid
    assert "extrait de casier judiciaire" in rc2.question_by_id["cost_documents"].label["fr"]
    assert "certificado de antecedentes penales" in rc2.question_by_id["cost_documents"].label["es"]


@pytest.mark.parametrize(
    "phrase", ["Select all", "Cocher toutes", "Marque todas", "Plusieurs réponses"]
)
def test_interviewer_instructions_are_not_read_to_the_respondent(rc2, phrase):
    for q in rc2.questions:
        for lang in ("en", "fr", "es"):
            assert phrase.lower() not in q.label[lang].lower(), (q.id, lang)
    paid_by = rc2.question_by_id["costs_paid_by"]
    assert any(
        p.lower() in paid_by.instructions[lang].lower()
        for p, lang in (("Select all", "en"), ("Plusieurs réponses", "fr"), ("varias", "es"))
    )


def test_one_spanish_register(rc2):
    for qid, text in all_texts(rc2, "es"):
        assert "visado" not in text, qid  # Latin American "visa", with "pasaje" and "costos"
        assert "costes" not in text and "billete" not in text, qid
        for tu_form in (" tú ", " tu ", "puedes", "pagaste"):
            assert tu_form not in f" {text} ", (qid, tu_form)


EXERCISE_RESULTS = """
| exercise                             | in_target | currency_check | total | ratio |
|--------------------------------------|-----------|----------------|-------|-------|
| ex_agency_fee_covers_visa_and_ticket | 1         | 2              |       |       |
| ex_employer_advance_deducted         | 1         | 1              | 900   | 2     |
| ex_family_move_then_work             | 2         | 9              |       |       |
| ex_seasonal_contract                 | 2         | 9              |       |       |
| ex_employer_pays_everything          | 1         | 1              | 0     | 0     |
"""


def test_exercises_match_their_explanations(rc2):
    """The agency exercise has costs in rupees and pay in riyals: without the office rates its
    ratio is unknown, which is what its explanation says before conversion."""
    exercises = {e.id: e for e in rc2.exercises}
    for row in parse_table(EXERCISE_RESULTS):
        exercise = exercises[row["exercise"]]
        assert set(exercise.answers) <= set(rc2.question_by_id), exercise.id
        answers = {**exercise.answers, "age": 30}
        data = questions_frame(rc2, [answers])
        out = derived(rc2, data)
        assert out.at[0, "rci_target_population"] == int(row["in_target"]), exercise.id
        assert out.at[0, "cost_currency_check"] == int(row["currency_check"]), exercise.id
        total, ratio = out.at[0, "recruitment_cost_total"], out.at[0, "recruitment_cost_indicator"]
        expected_total = float(row["total"]) if row["total"] else None
        expected_ratio = float(row["ratio"]) if row["ratio"] else None
        assert (None if pd.isna(total) else total) == expected_total, exercise.id
        assert (None if pd.isna(ratio) else ratio) == expected_ratio, exercise.id


# --- exported with labour-migration 2.0 (the usual LFS plus 10.7.1 pairing) ------------------------


def test_exported_with_labour_migration_asks_the_worked_abroad_filter_once():
    from migmodule.export.xlsform import build_xlsform
    from migmodule.profile import adapt

    labour = MODULES / "labour-migration" / "2.0.0.yaml"
    if not labour.is_file():
        pytest.skip("labour-migration 2.0.0 is not in the bank yet")
    adapted = [
        a
        for ref in (str(labour), str(SPEC))
        for a in adapt(None, ref, country="NPL", languages=["en"])
    ]
    sheets, _ = build_xlsform(adapted, ["en"])
    names = [row["name"] for row in sheets["survey"] if row["type"] != "end_repeat"]
    for name in (
        "worked_abroad",
        "country_of_work_abroad",
        "year_left_for_work_abroad",
        "sex",
        "age",
    ):
        assert names.count(name) == 1, name
    assert not [n for n in names if n.startswith("worked_abroad_")]
    assert [row["type"] for row in sheets["survey"]].count("begin_repeat") == 1

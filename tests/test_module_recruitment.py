"""recruitment-costs 1.0.0 (SDG 10.7.1): release metadata, the target population, the per-worker
total cost and ratio, and the routing, checked on small hand-made workers.

Expected results are markdown tables parsed here (pyxform's habit). The survey is a country of
origin with reference date 30 June 2030 and the default recent period of 3 years, so first jobs
that started in 2027 or later are in scope.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.spec.load import load_spec_file
from tables import parse_table
from tables import questions_frame as frame

SPEC = Path(__file__).resolve().parents[1] / "modules" / "recruitment-costs" / "1.0.0.yaml"
NEPAL, QATAR = 524, 634
NPR, QAR, USD = 524, 634, 840
PARAMS = {"COUNTRY": NEPAL, "REF_DATE": "2030-06-30"}
COST_ITEMS = [
    "cost_recruitment_fee",
    "cost_documents",
    "cost_medical",
    "cost_travel",
    "cost_visa_permit",
    "cost_training",
    "cost_other",
    "wage_deductions",
]
DONT_KNOW_AMOUNT = 999999998


@pytest.fixture(scope="module")
def module():
    return load_spec_file(SPEC).module


def worker(
    costs: dict[str, tuple[int, int]] | None = None,
    earnings: int | None = 440,
    earnings_currency: int | None = USD,
    **overrides,
) -> dict:
    """A return migrant worker in the target population: went to Qatar in March 2029 to take up
    an arranged job for two years, employee, first job from April 2029. `costs` maps an item to
    (amount, currency); items not given are 0."""
    answers = {
        "sex": 2,
        "age": 31,
        "worked_abroad_period": 1,
        "destination_country": QATAR,
        "departure_year": 2029,
        "departure_month": 3,
        "move_reason": 1,
        "stay_12_months": 1,
        "first_job_status": 1,
        "job_start_year": 2029,
        "job_start_month": 4,
        "how_job_found": 1,
        "costs_paid_by": "1",
        "first_month_earnings": earnings,
    }
    for item in COST_ITEMS:
        amount, currency = (costs or {}).get(item, (0, None))
        answers[item] = amount
        if amount not in (0, None) and amount < DONT_KNOW_AMOUNT - 1:
            answers[f"{item}_currency"] = currency
    answers["first_month_earnings_currency"] = earnings_currency
    answers["loan_for_costs"] = 2 if any(v[0] for v in (costs or {}).values()) else None
    answers.update(overrides)
    return answers


def test_release_metadata(module):
    assert module.id == "recruitment-costs"
    assert module.version == "1.0.0"
    assert module.status.value == "released"
    assert module.languages == ["en", "fr", "es"]
    assert [level.id for level in module.levels] == ["household", "person"]
    assert module.level_by_id["person"].parent == "household"


def test_reference_period_default_is_three_years(module):
    assert module.parameter_by_id["REFERENCE_PERIOD_YEARS"].default == 3


def test_total_and_ratio_exact_for_known_costs_and_earnings(module):
    # 300 agency + 50 documents + 25 medical + 125 visa + 600 deducted from wages = 1,100 dollars;
    # 440 dollars for the first full month: 1,100 / 440 = 2.5 months.
    costs = {
        "cost_recruitment_fee": (300, USD),
        "cost_documents": (50, USD),
        "cost_medical": (25, USD),
        "cost_visa_permit": (125, USD),
        "wage_deductions": (600, USD),
    }
    out = derive(module, frame(module, [worker(costs, earnings=440)]), PARAMS)
    assert out.at[0, "recruitment_cost_total"] == 1100
    assert out.at[0, "recruitment_cost_indicator"] == 2.5
    assert out.at[0, "cost_currency_check"] == 1
    assert out.at[0, "rci_target_population"] == 1


RATIO_TABLE = """
| case                              | fee  | fee_currency | documents | earnings  | earnings_currency | total | ratio |
|-----------------------------------|------|--------------|-----------|-----------|-------------------|-------|-------|
| same currency                     | 900  | 840          | 0         | 450       | 840               | 900   | 2     |
| earnings don't know               | 900  | 840          | 0         | 999999998 | 840               | 900   |       |
| earnings blank                    | 900  | 840          | 0         |           | 840               | 900   |       |
| earnings zero                     | 900  | 840          | 0         | 0         | 840               | 900   |       |
| earnings and currency blank       | 900  | 840          | 0         |           |                   |       |       |
| a cost item don't know            | 900  | 840          | 999999998 | 450       | 840               |       |       |
| fee in another currency           | 9000 | 524          | 0         | 450       | 840               |       |       |
| nothing paid                      | 0    |              | 0         | 450       | 840               | 0     | 0     |
| nothing paid, earnings don't know | 0    |              | 0         | 999999998 |                   | 0     |       |
"""


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


@pytest.mark.parametrize("row", parse_table(RATIO_TABLE), ids=lambda r: r["case"])
def test_total_and_ratio_rules(module, row):
    answers = worker(
        {
            "cost_recruitment_fee": (int(row["fee"]), _int_or_none(row["fee_currency"])),
            "cost_documents": (int(row["documents"]), USD),
        },
        earnings=_int_or_none(row["earnings"]),
        earnings_currency=_int_or_none(row["earnings_currency"]),
    )
    out = derive(module, frame(module, [answers]), PARAMS)
    total, ratio = out.at[0, "recruitment_cost_total"], out.at[0, "recruitment_cost_indicator"]
    assert (None if pd.isna(total) else total) == _int_or_none(row["total"])
    assert (None if pd.isna(ratio) else ratio) == _int_or_none(row["ratio"])


def test_missing_cost_item_is_never_counted_as_zero(module):
    """The rule for a missing item: the total is unknown, not the sum of the known items."""
    for special in (999999997, 999999998, 999999999):
        costs = {"cost_recruitment_fee": (500, USD), "cost_travel": (special, None)}
        out = derive(module, frame(module, [worker(costs)]), PARAMS)
        assert pd.isna(out.at[0, "recruitment_cost_total"]), special
        assert pd.isna(out.at[0, "recruitment_cost_indicator"]), special


def test_costs_in_another_currency_need_conversion(module):
    costs = {"cost_recruitment_fee": (90000, NPR), "cost_documents": (5000, NPR)}
    out = derive(
        module, frame(module, [worker(costs, earnings=1500, earnings_currency=QAR)]), PARAMS
    )
    assert out.at[0, "cost_currency_check"] == 2
    assert pd.isna(out.at[0, "recruitment_cost_total"])
    assert pd.isna(out.at[0, "recruitment_cost_indicator"])


def test_zero_cost_workers_parameter(module):
    answers = worker({}, earnings=2000000, earnings_currency=410)
    included = derive(module, frame(module, [answers]), PARAMS)
    excluded = derive(module, frame(module, [answers]), {**PARAMS, "ZERO_COST_WORKERS": "exclude"})
    assert included.at[0, "recruitment_cost_indicator"] == 0
    assert pd.isna(excluded.at[0, "recruitment_cost_indicator"])
    assert excluded.at[0, "recruitment_cost_total"] == 0


# One change from the in-scope worker per row; in_target is the condition, rci the derived code.
TARGET_POPULATION_TABLE = """
| case                                  | change                  | in_target | rci |
|---------------------------------------|-------------------------|-----------|-----|
| in scope                              |                         | true      | 1   |
| first job started 2027 (window edge)  | job_start_year=2027     | true      | 1   |
| first job started 2026                | job_start_year=2026     | false     | 2   |
| start year don't know                 | job_start_year=9998     | unknown   | 9   |
| below working age                     | age=14                  | false     | 2   |
| did not go abroad to work             | worked_abroad_period=2  | false     | 2   |
| went to join family                   | move_reason=3           | false     | 2   |
| went to look for work                 | move_reason=2           | true      | 1   |
| reason not stated                     | move_reason=99          | unknown   | 9   |
| seasonal stay under 12 months         | stay_12_months=2        | false     | 2   |
| own business abroad                   | first_job_status=2      | false     | 2   |
| status don't know                     | first_job_status=8      | unknown   | 9   |
"""


@pytest.mark.parametrize("row", parse_table(TARGET_POPULATION_TABLE), ids=lambda r: r["case"])
def test_target_population(module, row):
    answers = worker({"cost_recruitment_fee": (100, USD)})
    if row["change"]:
        key, value = row["change"].split("=")
        answers[key] = int(value)
    data = frame(module, [answers])
    truth = evaluate_frame(module, "in_target_population", data, PARAMS).iloc[0]
    expected = {"true": True, "false": False, "unknown": None}[row["in_target"]]
    assert (None if pd.isna(truth) else bool(truth)) == expected
    assert derive(module, data, PARAMS).at[0, "rci_target_population"] == int(row["rci"])


def test_reference_period_parameter_moves_the_window(module):
    answers = worker({}, job_start_year=2026)
    data = frame(module, [answers])
    assert not evaluate_frame(module, "in_target_population", data, PARAMS).iloc[0]
    assert evaluate_frame(
        module, "in_target_population", data, {**PARAMS, "REFERENCE_PERIOD_YEARS": 4}
    ).iloc[0]


# Who is asked what: x = asked, . = not asked.
ROUTING_TABLE = """
| case                     | move_reason | stay_12_months | job_start_year | cost_travel | cost_travel_currency | loan_for_costs | loan_source | first_month_earnings_currency |
|--------------------------|-------------|----------------|----------------|-------------|----------------------|----------------|-------------|-------------------------------|
| in scope, paid, borrowed | x           | x              | x              | x           | x                    | x              | x           | x                             |
| in scope, paid nothing   | x           | x              | x              | x           | .                    | .              | .           | x                             |
| went to join family      | x           | .              | .              | .           | .                    | .              | .           | .                             |
| never went abroad        | .           | .              | .              | .           | .                    | .              | .           | .                             |
"""

ROUTING_PEOPLE = {
    "in scope, paid, borrowed": worker(
        {"cost_travel": (700, USD)}, loan_for_costs=1, loan_source="1 2"
    ),
    "in scope, paid nothing": worker({}),
    "went to join family": {
        "age": 26,
        "worked_abroad_period": 1,
        "destination_country": QATAR,
        "departure_year": 2029,
        "departure_month": 1,
        "move_reason": 3,
    },
    "never went abroad": {"age": 40, "worked_abroad_period": 2},
}


def test_routing(module):
    rows = parse_table(ROUTING_TABLE)
    data = frame(module, [ROUTING_PEOPLE[r["case"]] for r in rows])
    for question_id in [c for c in rows[0] if c != "case"]:
        universe = module.question_by_id[question_id].universe
        asked = evaluate_frame(module, universe, data, PARAMS).fillna(False).tolist()
        assert asked == [r[question_id] == "x" for r in rows], question_id


def test_every_question_reachable(module):
    everything_paid = {item: (100, USD) for item in COST_ITEMS}
    people = [worker(everything_paid, loan_for_costs=1, loan_source="1"), *ROUTING_PEOPLE.values()]
    data = frame(module, people)
    for question in module.questions:
        if question.universe is None:
            continue
        asked = evaluate_frame(module, question.universe, data, PARAMS)
        assert asked.fillna(False).any(), f"{question.id} is never asked"


def test_edits_flag_hand_made_errors(module):
    people = [
        worker({}, costs_paid_by="6"),  # consistent
        worker({"cost_medical": (40, USD)}, costs_paid_by="6"),  # "no costs" but an amount
        worker({}, job_start_year=2029, departure_year=2030),  # job before departure
        worker({"cost_recruitment_fee": (20000, USD)}, earnings=500),  # 40 months of earnings
    ]
    data = derive(module, frame(module, people), PARAMS)
    edits = {e.id: e for e in module.edits}

    def fails(edit_id: str) -> list[bool]:
        edit = edits[edit_id]
        when = evaluate_frame(module, edit.when, data, PARAMS).fillna(False)
        check = evaluate_frame(module, edit.check, data, PARAMS)
        return (when & (check == False)).fillna(False).tolist()  # noqa: E712 - nullable boolean

    assert fails("RC04") == [False, True, False, False]
    assert fails("RC01") == [False, False, True, False]
    assert fails("RC07") == [False, False, False, True]


EXERCISE_RESULTS = """
| exercise                             | in_target | currency_check | total | ratio |
|--------------------------------------|-----------|----------------|-------|-------|
| ex_agency_fee_covers_visa_and_ticket | 1         | 2              |       |       |
| ex_employer_advance_deducted         | 1         | 1              | 900   | 2     |
| ex_family_move_then_work             | 2         | 9              |       |       |
| ex_seasonal_contract                 | 2         | 9              |       |       |
| ex_employer_pays_everything          | 1         | 1              | 0     | 0     |
"""


def test_exercises_match_their_explanations(module):
    exercises = {e.id: e for e in module.exercises}
    params = {"COUNTRY": NEPAL, "REF_DATE": "2026-06-30"}
    for row in parse_table(EXERCISE_RESULTS):
        exercise = exercises[row["exercise"]]
        assert set(exercise.answers) <= set(module.question_by_id), exercise.id
        answers = {**exercise.answers, "age": 30}
        out = derive(module, frame(module, [answers]), params)
        assert out.at[0, "rci_target_population"] == int(row["in_target"]), exercise.id
        assert out.at[0, "cost_currency_check"] == int(row["currency_check"]), exercise.id
        total, ratio = out.at[0, "recruitment_cost_total"], out.at[0, "recruitment_cost_indicator"]
        assert (None if pd.isna(total) else total) == _int_or_none(row["total"]), exercise.id
        assert (None if pd.isna(ratio) else ratio) == _int_or_none(row["ratio"]), exercise.id

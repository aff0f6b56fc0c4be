"""`evaluate_truth` gives the masks of the condition `evaluate_frame` gives (the checks read
them without the Series), for conditions over columns, literals on either side, arithmetic,
and unknown values; the masks are read-only so a per-chunk cache can share them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migmodule.expr.evaluate import PreparedExpressions, evaluate_frame, evaluate_truth
from migmodule.expr.reference import evaluate_row
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from migmodule.validate.checks.base import masks

MINI = Path(__file__).parent / "specs" / "mini.yaml"
KENYA = {"COUNTRY": 404}
ROWS = pd.DataFrame(
    {
        "age": [30.0, 999.0, np.nan, 4.0, 15.0, 0.0, 998.0],
        "country_of_birth": [404.0, 250.0, 998.0, np.nan, 800.0, 404.0, 250.0],
        "year_of_arrival": [np.nan, 2010.0, 9998.0, 2029.0, np.nan, 2030.0, 1999.0],
    }
)
CONDITIONS = [
    "age >= 5",
    "5 <= age",  # the literal on the left
    "age == 999",  # a raw code
    "age in (30, 999)",
    "not known(age) or age < 15",
    "year(REF_DATE) - year_of_arrival > 10",
    "10 < year(REF_DATE) - year_of_arrival",
    "age * 2 - 1 >= 29",
    "age / 2 > 7",
    "foreign_born and age > 14",
    "true",
    "age",  # a value, not a condition: the masks of its Series, as before
]


@pytest.fixture(scope="module")
def module():
    return load_module(MINI)


@pytest.mark.parametrize("expression", CONDITIONS)
def test_truth_is_the_masks_of_the_series(module, expression):
    prepared = PreparedExpressions(module, KENYA)
    got = evaluate_truth(module, expression, ROWS, KENYA, prepared=prepared)
    expected = masks(evaluate_frame(module, expression, ROWS, KENYA, prepared=prepared))
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == bool and not a.flags.writeable
        np.testing.assert_array_equal(a, b)
    true, false, unknown = got
    assert not (true & false).any() and ((true | false) == ~unknown).all()


@pytest.mark.parametrize("expression", CONDITIONS[:-2])
def test_literals_as_scalars_follow_the_reference(module, expression):
    """The scalar literal path, row by row against the plain-Python reference evaluator."""
    values = resolve_parameters(module, KENYA)
    true, false, _ = evaluate_truth(module, expression, ROWS, KENYA)
    for position, row in enumerate(ROWS.to_dict("records")):
        cells = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        expected = evaluate_row(module, expression, cells, values)
        assert (True if true[position] else False if false[position] else None) == expected

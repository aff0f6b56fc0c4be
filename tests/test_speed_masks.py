"""The faster paths of the per-chunk checks give what the paths they replace gave.

- `checks.values.in_codes` is `np.isin` (coded answers against their list);
- `checks.base.masks` is `isna()` / `to_numpy(dtype=bool, na_value=False)` of a condition;
- `semantics.referenced` is computed once per module and text;
- a file without text columns to parse does not import polars (Parquet is read by pyarrow).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import migmodule.expr.semantics as semantics
from migmodule.expr.parser import ExprSyntaxError
from migmodule.validate.checks.base import masks
from migmodule.validate.checks.values import FEW_CODES, TABLE_SPAN, in_codes
from validate_helpers import mini, write

ODD = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, 1.5, -1.0, 2.0**53, 1e300, -1e300, 3.0000001]


def _values(rng, low: float, high: float, n: int = 5000) -> np.ndarray:
    whole = rng.integers(int(low) - 5, int(high) + 6, size=n).astype("float64")
    fractions = whole + rng.choice([0.0, 0.25, 0.5, 1e-9], size=n)
    out = np.where(rng.random(n) < 0.8, whole, fractions)
    return np.concatenate([out, np.array(ODD), np.array([low, high, low - 1, high + 1])])


@pytest.mark.parametrize(
    "codes",
    [
        [],
        [1, 2],
        list(range(1, FEW_CODES + 1)),  # compared one by one
        list(range(1, FEW_CODES + 2)),  # the table
        [4, 8, 12, 108, 999, 894, 716, 0],  # few, with 0
        sorted({4, 8, 12, 108, 894, 716, 0, *range(20, 900, 7)}),  # a country list
        [-9, -8, -1, *range(1, 40)],  # negative codes
        [1, 2, *range(3, 40), TABLE_SPAN + 10],  # too wide for a table: np.isin
        [0.5, *range(1, 40)],  # not whole: np.isin
        [2.0**53 - 40 + i for i in range(20)],  # big whole numbers
    ],
)
def test_in_codes_is_isin(codes):
    allowed = np.array(sorted(codes), dtype="float64")
    rng = np.random.default_rng(len(codes))
    low, high = (allowed[0], allowed[-1]) if len(allowed) else (0.0, 10.0)
    numbers = _values(rng, low, high)
    expected = np.isin(numbers, allowed)
    got = in_codes(numbers, allowed)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, expected)
    assert got.sum() > 0 or len(allowed) == 0


def test_in_codes_table_path_rejects_near_misses():
    allowed = np.arange(1.0, 100.0)
    numbers = np.array([1.0, 99.0, 100.0, 0.0, 1.0000000001, 98.9999999, np.nan, -0.0, 50.0])
    np.testing.assert_array_equal(
        in_codes(numbers, allowed), [True, True, False, False, False, False, False, False, True]
    )


def _old_masks(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    unknown = series.isna().to_numpy()
    true = series.to_numpy(dtype=bool, na_value=False)
    return true, ~true & ~unknown, unknown


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(pd.array([True, False, None, True, None, False], dtype="boolean")),
        pd.Series(pd.array([None, None], dtype="boolean")),
        pd.Series(pd.array([], dtype="boolean")),
        pd.Series([True, False, True]),  # plain numpy booleans: the generic path
        pd.Series([True, None, False], dtype=object),
    ],
)
def test_masks_are_the_generic_ones(series):
    for got, expected in zip(masks(series), _old_masks(series), strict=True):
        assert got.dtype == bool
        np.testing.assert_array_equal(got, expected)


def test_masks_are_new_arrays():
    array = pd.array([True, None, False], dtype="boolean")
    true, false, unknown = masks(pd.Series(array))
    unknown[:] = False
    true[:] = False
    assert array.isna().tolist() == [False, True, False]
    assert array[0] is np.True_ or array[0] == True  # noqa: E712


def test_referenced_is_computed_once_per_module_and_text(monkeypatch):
    module = mini().module
    text = "age >= 15 and year_of_arrival > 2000 and age < 99"
    expected = semantics.referenced(module, text)
    parsed: Counter = Counter()
    parse = semantics.parse

    def counting_parse(source, *args, **kwargs):
        parsed[source] += 1
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(semantics, "parse", counting_parse)
    first = semantics.referenced(module, text)
    first.append("changed by a caller")
    assert semantics.referenced(module, text) == expected == ["age", "year_of_arrival"]
    assert parsed[text] == 0
    other = mini().module  # another module object: its own answers
    assert other is not module
    assert semantics.referenced(other, text) == expected
    assert parsed[text] == 1


def test_referenced_of_a_bad_expression_raises_every_time():
    module = mini().module
    for _ in range(2):
        with pytest.raises(ExprSyntaxError):
            semantics.referenced(module, "age >= (")


def test_parquet_validation_does_not_import_polars(tmp_path):
    from test_validate_chunks import persons

    data = write(persons(), tmp_path / "persons.parquet")
    script = (
        "import sys\n"
        "from migmodule.validate import validate_data\n"
        "from validate_helpers import mini\n"
        f"validate_data({str(data)!r}, mini(), chunk_size=7)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'polars'))\n"
    )
    tests = str(__import__("pathlib").Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tests, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("copies", [1, 3, 40])  # failures under and over STRIP_IN_POLARS
@pytest.mark.parametrize("dtype", ["str", "object"])
def test_numbers_cast_first_then_stripped_are_pandas_to_numeric(copies, dtype):
    from migmodule.validate.prepare import STRIP_IN_POLARS, _parse_numbers_pandas, parse_columns
    from test_speed_paths import SPELLINGS

    cells = [*SPELLINGS * copies, *[f" {i} " for i in range(copies * 10)], "12", "3.5"]
    frame = pd.DataFrame({"c": np.array(cells, dtype=object)})
    frame["c"] = frame["c"].astype(dtype)
    numbers, not_number = parse_columns(frame, ["c"])["c"]
    expected, expected_not = _parse_numbers_pandas(frame["c"])
    np.testing.assert_array_equal(numbers, expected)
    np.testing.assert_array_equal(np.signbit(numbers), np.signbit(expected))
    np.testing.assert_array_equal(not_number, expected_not)
    padded = numbers[len(SPELLINGS) * copies : -2]
    np.testing.assert_array_equal(padded, np.arange(copies * 10, dtype="float64"))
    # 40 copies: 400 padded numbers alone do not cast as they are, so polars strips them
    assert (copies * 10 > STRIP_IN_POLARS) == (copies == 40)

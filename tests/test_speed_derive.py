"""`derive(..., only=names)` computes only the derived variables a run reads, with the derived
variables those read, and gives them exactly as a full `derive` does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from migmodule.expr.evaluate import PreparedExpressions, derive
from migmodule.spec.registry import load_module

MINI = Path(__file__).parent / "specs" / "mini.yaml"
KENYA = {"COUNTRY": 404}
DATA = pd.DataFrame(
    {
        "country_of_birth": [404.0, 250.0, 999.0, 250.0],
        "year_of_arrival": [float("nan"), 2010.0, 9998.0, 2028.0],
    }
)


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    """The mini module with one more derived variable that reads another (years_since_arrival)."""
    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    spec["derived"].append(
        {
            "id": "long_stay",
            "level": "person",
            "expression": "if(years_since_arrival >= 10, 1, 0)",
            "label": {"en": "Long stay"},
            "variable_label": {"en": "Ten years or more since arrival"},
        }
    )
    path = tmp_path_factory.mktemp("spec") / "mini.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return load_module(path)


def test_only_what_is_read_and_what_that_reads(module):
    every = derive(module, DATA, KENYA)
    assert {"nativity", "years_since_arrival", "long_stay"} <= set(every.columns)
    some = derive(module, DATA, KENYA, only={"long_stay", "country_of_birth"})
    assert "nativity" not in some.columns
    for name in ("years_since_arrival", "long_stay"):  # long_stay reads years_since_arrival
        pd.testing.assert_series_equal(some[name], every[name])
    just = derive(module, DATA, KENYA, only=["nativity"])
    assert [c for c in just.columns if c not in DATA.columns] == ["nativity"]
    pd.testing.assert_series_equal(just["nativity"], every["nativity"])


def test_nothing_read_nothing_derived(module):
    prepared = PreparedExpressions(module, KENYA)
    out = derive(module, DATA, KENYA, prepared=prepared, only=set())
    pd.testing.assert_frame_equal(out, DATA)
    assert out is not DATA  # a copy, as always

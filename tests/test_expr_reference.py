"""The plain-Python reference evaluator, and the rooms it keeps: spec/ without pandas, no cache on the model."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from migmodule.expr import semantics
from migmodule.expr.reference import Deriver, evaluate_row
from migmodule.spec.model import Module
from migmodule.spec.params import resolve_parameters
from migmodule.spec.reach import reachable
from migmodule.spec.registry import load_module

MINI = Path(__file__).parent / "specs" / "mini.yaml"


@pytest.fixture(scope="module")
def module():
    return load_module(MINI)


@pytest.fixture(scope="module")
def params(module):
    return resolve_parameters(module, {"COUNTRY": 404})


def test_spec_lint_does_not_import_pandas():
    code = "import sys, migmodule.spec.lint; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_symbol_table_is_kept_beside_the_module_not_on_it():
    assert not hasattr(Module, "memo")
    module = load_module(MINI)
    key = id(module)
    table = semantics.symbols(module)
    assert semantics.symbols(module) is table  # cached
    del module, table
    gc.collect()
    assert key not in semantics._SYMBOLS  # dropped with its module


@pytest.mark.parametrize(
    "expression, row, expected",
    [
        ("foreign_born", {"country_of_birth": 250}, True),
        ("foreign_born", {"country_of_birth": 998}, False),  # known() is false for don't know
        ("age >= 5", {"age": 999}, None),  # not stated is unknown
        ("age == 999", {"age": 999}, True),  # ... but compares as the raw code
        ("age == 999", {"age": None}, False),
        ("age in (30, 999)", {"age": None}, None),  # each item follows its own rule
        ("age in (30, 999)", {"age": 999}, True),
        ("selected(reasons, 98)", {"reasons": "1 98"}, True),
        ("selected(reasons, 3)", {"reasons": "1 98"}, None),
        ("selected(reasons, 3)", {"reasons": "1 3"}, True),
        ("if(age >= 18, 1, 2)", {"age": 30}, 1.0),
        ("if(age >= 18, 1, 2)", {"age": None}, None),
        ("if(age >= 18, 1, 1)", {"age": None}, 1.0),  # unknown test, equal branches
        ("coalesce(year_of_arrival, age, 0)", {"year_of_arrival": 9998, "age": 7}, 7.0),
        ("coalesce(year_of_arrival, age, 0)", {"year_of_arrival": None, "age": None}, 0.0),
        ("age_at('1990-08-24', REF_DATE)", {}, 39.0),  # REF_DATE is 2030-01-01
        ("age_at('1990-08-24', '2029-08-23')", {}, 38.0),
        ("year(REF_DATE) - year_of_arrival", {"year_of_arrival": 2010}, 20.0),
        ("not known(age) or age < 15", {"age": None}, True),
    ],
)
def test_reference_rules(module, params, expression, row, expected):
    assert evaluate_row(module, expression, row, params) == expected


def test_derived_variables_follow_their_cases(module, params):
    derive = Deriver(module, params)
    assert derive({"country_of_birth": 404})["nativity"] == 1
    assert derive({"country_of_birth": 250})["nativity"] == 2
    assert derive({"country_of_birth": 999})["nativity"] == 9
    assert derive({"country_of_birth": 250, "year_of_arrival": 2010})["years_since_arrival"] == 20
    assert derive({"country_of_birth": 250, "year_of_arrival": 9998})["years_since_arrival"] is None


def test_reachability_without_pandas(module, params):
    assert reachable(module, "foreign_born and old_enough", params) is True
    assert reachable(module, "age >= 5 and age < 3", params) is False
    assert reachable(module, "nativity == 2 and country_of_birth == 404", params) is False


def test_dates_read_alike_from_datetime_columns_iso_text_and_date_objects():
    import datetime as dt

    import pandas as pd

    from migmodule.expr.evaluate import evaluate_frame

    props = load_module(Path(__file__).parent / "specs" / "props.yaml")
    values = resolve_parameters(props, {})
    texts = ["1990-05-01", None, "2012-12-31"]
    as_datetimes = pd.DataFrame({"birth_date": pd.to_datetime(texts)})
    as_text = pd.DataFrame({"birth_date": texts})
    for text in (
        "age_at(birth_date, REF_DATE) >= 18",
        "year(birth_date)",
        "birth_date < '2000-01-01'",
    ):
        expected = [
            evaluate_row(
                props,
                text,
                {"birth_date": dt.date.fromisoformat(t) if t else None},
                values,
            )
            for t in texts
        ]
        for frame in (as_datetimes, as_text):
            got = evaluate_frame(props, text, frame, {}).tolist()
            assert [None if v is pd.NA else v for v in got] == expected, (text, frame.dtypes)

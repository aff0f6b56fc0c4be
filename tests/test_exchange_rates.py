"""Table parameters (spec/tables.py) and rate() (issue 13): loading a table from a profile's CSV
file or inline rows, every loading error coded with file, line and column, and rate() in every
target: pandas and the reference evaluator agree, XLSForm reads pulldata(), CSPro a HashMap."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.expr.compile import compile_expression
from migmodule.expr.evaluate import _ModuleEvaluator
from migmodule.expr.semantics import Field, check, prepare
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from migmodule.spec.tables import currency_number, pulldata_csv, table_from_csv

PROPS = Path(__file__).parent / "specs" / "props.yaml"
KEYS, VALUE = ["currency", "year", "month"], "rate"
GOOD = """currency,year,month,rate
NPR,2025,3,137.5
634,2025,3,3.64
840,2025,3,1
"""


@pytest.fixture(scope="module")
def module():
    return load_module(PROPS)


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_csv_table_takes_alphabetic_and_numeric_currencies(tmp_path):
    table = table_from_csv("RATES", write(tmp_path, GOOD), KEYS, VALUE)
    assert table.rows == {(524, 2025, 3): 137.5, (634, 2025, 3): 3.64, (840, 2025, 3): 1.0}
    assert table.get([524.0, 2025.0, 3.0]) == 137.5
    assert table.get([524, 2025, 4]) is None
    assert table.get([524.5, 2025, 3]) is None


def test_semicolons_and_blank_lines_are_read(tmp_path):
    text = "currency;year;month;rate\n\nQAR;2025;3;3.64\n"
    assert table_from_csv("RATES", write(tmp_path, text), KEYS, VALUE).rows == {
        (634, 2025, 3): 3.64
    }


def test_currency_codes_come_from_iso_4217():
    assert currency_number("npr") == 524
    assert currency_number("524") == 524
    assert currency_number("40") is None  # not an ISO 4217 numeric code
    assert currency_number("XYZ") is None


@pytest.mark.parametrize(
    "text, code, line, fragments",
    [
        ("currency,year,rate\nNPR,2025,137.5\n", "PARAM-TABLE-002", 1, ["no column month"]),
        ("currency,year,month,rate\nNPR,2025,3,lots\n", "PARAM-TABLE-003", 2, ["column rate", "not a number"]),
        ("currency,year,month,rate\nNPR,2025,3,1_000\n", "PARAM-TABLE-003", 2, ["not a number"]),
        ("currency,year,month,rate\nNPR,2025,3,137.5\n524,2025,3,138\n", "PARAM-TABLE-004", 3, ["also on line 2"]),
        ("currency,year,month,rate\nNPR,2025,3,0\n", "PARAM-TABLE-003", 2, ["not above 0"]),
        ("currency,year,month,rate\nNPR,2025,3,-2\n", "PARAM-TABLE-003", 2, ["not above 0"]),
        ("currency,year,month,rate\nRUPEE,2025,3,137.5\n", "PARAM-TABLE-003", 2, ["column currency", "ISO 4217"]),
        ("currency,year,month,rate\nNPR,2025,13,137.5\n", "PARAM-TABLE-003", 2, ["column month", "1 to 12"]),
        ("currency,year,month,rate\nNPR,2025.5,3,137.5\n", "PARAM-TABLE-003", 2, ["column year", "whole number"]),
        ("", "PARAM-TABLE-001", 1, ["empty"]),
    ],
)  # fmt: skip
def test_each_loading_error_is_coded_with_file_line_and_fix(tmp_path, text, code, line, fragments):
    path = write(tmp_path, text)
    with pytest.raises(MigmoduleError) as info:
        table_from_csv("RATES", path, KEYS, VALUE)
    finding = info.value.finding
    assert finding.code == code
    assert finding.location.file == str(path)
    assert finding.location.line == line
    for fragment in fragments:
        assert fragment in finding.message


def test_a_missing_file_is_coded(tmp_path):
    with pytest.raises(MigmoduleError) as info:
        table_from_csv("RATES", tmp_path / "nowhere.csv", KEYS, VALUE)
    assert info.value.finding.code == "PARAM-TABLE-001"
    assert "does not exist" in info.value.finding.message


def test_inline_rows_and_bad_values_through_resolve_parameters(module, tmp_path):
    rows = [{"currency": "QAR", "year": 2025, "month": 3, "rate": 3.64}]
    assert resolve_parameters(module, {"RATES": rows})["RATES"].rows == {(634, 2025, 3): 3.64}
    path = write(tmp_path, GOOD)
    assert len(resolve_parameters(module, {"RATES": {"file": str(path)}})["RATES"]) == 3
    with pytest.raises(MigmoduleError) as info:
        resolve_parameters(module, {"RATES": "a lot"})  # read as a file name: it does not exist
    assert info.value.finding.code == "PARAM-TABLE-001"
    with pytest.raises(MigmoduleError) as info:
        resolve_parameters(module, {"RATES": 12})
    assert info.value.finding.code == "PARAM-VALUE-001"
    with pytest.raises(MigmoduleError) as info:
        resolve_parameters(module, {"RATES": [{"currency": "QAR", "year": 2025, "rate": 3.64}]})
    assert info.value.finding.code == "PARAM-TABLE-002"


# --- rate() -------------------------------------------------------------------------------------

FRAME = pd.DataFrame(
    {
        "age": [524, 634, 524, None, 524, 840],  # the currency, for the test spec's numbers
        "years": [2025, 2025, 2025, 2025, 2024, 2025],
        "answer": [3, 3, 4, 3, 3, 3],  # the month
    }
)
RATE = "rate(RATES, age, years, answer)"


@pytest.fixture(scope="module")
def params(module, tmp_path_factory):
    path = write(tmp_path_factory.mktemp("rates"), GOOD)
    return resolve_parameters(module, {"RATES": {"file": str(path)}})


def test_pandas_and_the_reference_evaluator_agree(module, params):
    vectorised = compile_expression(module, RATE, "pandas", params=params)(FRAME)
    row_by_row = compile_expression(module, RATE, "reference", params=params)
    expected = [137.5, 3.64, None, None, None, 1.0]
    assert [None if pd.isna(v) else v for v in vectorised] == expected
    assert [row_by_row(r) for r in FRAME.to_dict("records")] == expected


def test_missing_keys_are_counted_once_per_key(module, params):
    bigger = pd.concat([FRAME] * 3, ignore_index=True)
    evaluator = _ModuleEvaluator(module, bigger, None, "test", RATE)
    evaluator.value(prepare(module, RATE, params))
    # month 4 of 2025 and 2024 are not in the table; an unknown currency is not a missing key
    assert evaluator.missing_keys == {"RATES": {(524, 2025, 4): 3, (524, 2024, 3): 3}}


def test_rate_takes_a_table_and_its_keys(module):
    for text, fragment in [
        ("rate(REF_DATE, age, years, answer) > 1", "takes a table parameter"),
        ("rate(age, age, years, answer) > 1", "takes a table parameter"),
        ("rate(RATES, age, years) > 1", "key columns (currency, year, month)"),
    ]:
        _, findings = check(module, text, Field("test", level="person"))
        assert [f.code for f in findings] == ["EXPR-ARG-001"], text
        assert fragment in findings[0].message
    _, findings = check(module, "RATES > 1", Field("test", level="person"))
    assert [f.code for f in findings] == ["EXPR-ARG-001"]


def test_xlsform_reads_the_table_with_pulldata(module, params):
    calculation = compile_expression(module, f"coalesce(years, {RATE})", "xpath", params=params)
    assert "pulldata('rates', 'value', 'key', concat(${age}, '-', ${years}, '-', ${answer}))" in (
        calculation
    )
    attachment = pulldata_csv(params["RATES"]).splitlines()
    assert attachment[0] == "key,value" and "524-2025-3,137.5" in attachment


def test_cspro_reads_the_table_from_a_hashmap(module, params):
    """CSPro logic looks the key up in the HashMap the CSPro export declares and fills
    (tests/test_export_tables.py runs it); a key the table lacks is notappl, so unknown."""
    forms = compile_expression(module, f"{RATE} > 1", "cspro", params=params)
    assert "not special(RATES(AGE, YEARS, ANSWER)) and RATES(AGE, YEARS, ANSWER) > 1" in (
        forms.true
    )


def test_a_profile_derive_cannot_read_a_table():
    from migmodule.expr.columns import evaluate_on_columns

    with pytest.raises(MigmoduleError) as info:
        evaluate_on_columns("rate(A, B, C, D)", pd.DataFrame({x: [1] for x in "ABCD"}))
    assert info.value.finding.code == "EXPR-TABLE-001"


def test_sentences_name_the_table(module, params):
    english = compile_expression(module, f"{RATE} > 100", "sentence-en", params=params)
    assert "exchange rates" in english
    french = compile_expression(module, f"{RATE} > 100", "sentence-fr", params=params)
    assert "taux de change" in french


def test_the_table_file_is_an_input_no_command_writes_over(tmp_path):
    from migmodule.io import guard_inputs, refuse_input_target

    path = write(tmp_path, GOOD)
    with guard_inputs():
        table_from_csv("RATES", path, KEYS, VALUE)
        with pytest.raises(MigmoduleError) as info:
            refuse_input_target(path)
    assert str(path) in info.value.finding.message or info.value.finding.location.file == str(path)

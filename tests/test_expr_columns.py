"""evaluate_on_columns: the expression language over a file's own columns (profiles' derive/where)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.expr.columns import column_names, evaluate_on_columns
from tables import raw_frame


def people() -> pd.DataFrame:
    out = raw_frame("""
        | HHID              | E02 | E03 | SEX    | P12_COB | REF_DATE   |
        |-------------------|-----|-----|--------|---------|------------|
        | 10000000000000001 | 1   | 5   | Male   | 12      | 2029-08-24 |
        | 10000000000000002 | 2   | 7   | Female | 604     | 2029-08-24 |
        | 10000000000000003 |     | 8   |        | 47      | 2029-08-24 |
        | 10000000000000004 | 2   |     | Male   |         |            |
    """)
    for column in ("E02", "E03", "P12_COB"):
        out[column] = pd.to_numeric(out[column])
    out["DOB"] = pd.to_datetime(["1990-08-24", "2000-12-31", None, "1980-01-01"])
    return out


def test_a_condition_is_boolean_with_na_for_unknown():
    result = evaluate_on_columns("P12_COB >= 1 and P12_COB <= 47", people())
    assert str(result.dtype) == "boolean"
    assert result.tolist() == [True, False, True, pd.NA]


def test_if_takes_the_branch_and_is_unknown_only_when_the_branches_differ():
    frame = people()
    result = evaluate_on_columns("if(E02 == 1, 96, E03)", frame)
    assert result.dtype == "float64"
    assert result.iloc[:2].tolist() == [96.0, 7.0]
    assert np.isnan(result.iloc[2])  # E02 unknown, the branches differ (96 against 8)
    assert np.isnan(result.iloc[3])  # E02 == 2 takes E03, which is blank
    same = evaluate_on_columns("if(E02 == 1, 5, 5)", frame)
    assert same.tolist() == [5.0, 5.0, 5.0, 5.0]  # unknown condition, equal branches


def test_coalesce_takes_the_first_known_value():
    assert evaluate_on_columns("coalesce(E03, E02, 0)", people()).tolist() == [5.0, 7.0, 8.0, 2.0]


def test_dates_from_datetime_columns_and_iso_text():
    frame = people()
    ages = evaluate_on_columns("age_at(DOB, REF_DATE)", frame)
    assert ages.iloc[:2].tolist() == [39.0, 28.0]  # a birthday on the reference date counts
    assert ages.iloc[2:].isna().all()
    assert evaluate_on_columns("year(REF_DATE)", frame).iloc[:3].tolist() == [2029.0] * 3
    assert evaluate_on_columns("year(DOB) < 1995", frame).tolist() == [True, False, pd.NA, True]
    objects = pd.DataFrame({"D": [dt.date(2001, 2, 3), None]})  # pyreadstat's date objects
    assert evaluate_on_columns("year(D)", objects).iloc[0] == 2001.0


def test_text_answers_and_blank_cells():
    result = evaluate_on_columns("SEX == 'Male'", people())
    assert result.tolist() == [True, False, pd.NA, True]
    assert evaluate_on_columns("known(SEX)", people()).tolist() == [True, True, False, True]


def test_identifiers_stored_as_text_are_compared_as_numbers_only_when_all_are_numbers():
    result = evaluate_on_columns("HHID == 10000000000000001", people())
    assert result.tolist()[0] is True


def test_column_names_in_first_use_order():
    assert column_names("if(E02 == 1, 96, E03) + E02") == ["E02", "E03"]
    assert column_names("age_at(DOB, REF_DATE) >= 15") == ["DOB", "REF_DATE"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("E02 = 1", "EXPR-SYNTAX-001"),
        ("E02 == ‘1’", "EXPR-SYNTAX-002"),
        ("NOPE + 1", "EXPR-DATA-001"),
        ("lenght(E02)", "EXPR-NAME-002"),
        ("if(E02 == 1, 2)", "EXPR-ARG-001"),
        ("year(E02)", "EXPR-DATE-001"),
        (". > 1", "EXPR-SELF-001"),
    ],
)
def test_bad_expressions_give_coded_errors(text, code):
    with pytest.raises(MigmoduleError) as info:
        evaluate_on_columns(text, people())
    assert info.value.finding.code == code


def test_syntax_errors_are_coded_in_column_names_too():
    with pytest.raises(MigmoduleError) as info:
        column_names("(E02 >= 1")
    assert info.value.finding.code == "EXPR-SYNTAX-001"


def test_a_column_of_blanks_is_unknown_and_text_in_arithmetic_is_a_coded_error():
    frame = pd.DataFrame({"A": [None, None], "B": [1.0, 2.0], "T": ["x", "y"]})
    assert evaluate_on_columns("A + B", frame).isna().all()
    assert evaluate_on_columns("coalesce(A, B)", frame).tolist() == [1.0, 2.0]
    with pytest.raises(MigmoduleError) as info:
        evaluate_on_columns("T + 1", frame)
    assert info.value.finding.code == "EXPR-TYPE-002"

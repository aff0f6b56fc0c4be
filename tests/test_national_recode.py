"""Profile recodes: every key form, the order (exact, ranges, else), crosswalk files and built-ins,
and the vectorised rule held to the reference rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migmodule.national.layer import apply_recode, standard_values
from migmodule.national.recode import from_crosswalk, from_mapping, parse_recode
from tables import parse_table

REASONS = {"'11:13'": 1, "'21:22'": 2, "'71'": 96, "else": 99}


def _recode(mapping):
    recode, problems = from_mapping("q", mapping)
    assert problems == []
    return recode


def _shown(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.parametrize(
    "mapping, table",
    [
        (
            {"Male": 1, "Female": 2},
            """
            | value     | standard |
            | Male      | 1        |
            | ' Female '| 2        |
            | male      | male     |
            | Other     | Other    |
            """,
        ),
        (
            {"11:13": 1, "21:22": 2, "71": 96, "else": 99},
            """
            | value | standard |
            | 11    | 1        |
            | 12.5  | 1        |
            | 13    | 1        |
            | 71    | 96       |
            | '71'  | 96       |
            | 14    | 99       |
            | abc   | 99       |
            | ''    |          |
            """,
        ),
        (
            {"0": None, "9": 9, 5: 1},
            """
            | value | standard |
            | 0     | null     |
            | 9     | 9        |
            | 5     | 1        |
            | 6     | 6        |
            """,
        ),
        (
            {"1:5": 1, "3": 7, "90:": 90, ":-1": 0},
            """
            | value | standard |
            | 3     | 7        |
            | 4     | 1        |
            | 120   | 90       |
            | -5    | 0        |
            """,
        ),
    ],
)
def test_each_key_form_maps_values_in_order_exact_ranges_else(mapping, table):
    recode = _recode(mapping)
    values = []
    for row in parse_table(table):
        value = row["value"].strip("'") if row["value"].startswith("'") else row["value"]
        if row["value"] not in ("''",) and value.lstrip("-").replace(".", "", 1).isdigit():
            value = float(value)
        values.append(value)
        matched, standard = recode.lookup(value)
        expected = row["standard"]
        if expected == "null":
            assert matched and standard is None, row
        elif expected == "":
            assert not matched, row
        else:
            assert (_shown(standard) if matched else _shown(value)) == expected, row
    # the vectorised rule says the same on a text column and on a numeric column
    text = pd.Series([v if isinstance(v, str) else _shown(v) for v in values], dtype=object)
    out, recoded, nulls = standard_values(text, recode)
    for value, got, was_recoded, null in zip(values, out, recoded, nulls, strict=True):
        matched, standard = recode.lookup(value if isinstance(value, str) else _shown(value))
        assert was_recoded == matched and null == (matched and standard is None)
        if matched:
            assert _shown(got) == _shown(standard if standard is None else float(standard))
        elif isinstance(value, float):
            assert got == value  # numbers stay numbers
        elif value.strip():
            assert got == value  # unmapped text is kept as it was


def test_text_keys_are_case_sensitive_and_trimmed_but_builtins_fold_case():
    recode = _recode({"Yes": 1})
    assert recode.lookup(" Yes ") == (True, 1) and recode.lookup("yes") == (False, None)
    iso3, problems = parse_recode("q", "iso3", None)
    assert (
        problems == [] and iso3.lookup("ken") == (True, 404) and iso3.lookup("FRA") == (True, 250)
    )
    iso2, _ = parse_recode("q", "iso2", None)
    assert iso2.lookup("KE") == (True, 404) and iso2.lookup("KEN") == (False, None)


@pytest.mark.parametrize(
    "mapping, kind, key",
    [
        ({True: 1, False: 2}, "key_type", "True"),  # YAML's bare yes / no
        ({None: 1}, "key_type", "None"),
        ({"Male": "one"}, "value_type", "Male"),
        ({"Male": 1.5}, "value_type", "Male"),
        ({"5:3": 1}, "range", "5:3"),
        ({":": 1}, "range", ":"),
        ({"1:5": 1, "4:9": 2}, "overlap", "4:9"),
        ({"1": 1, 1: 2}, "duplicate", "1"),
        ({"": 1}, "key_type", ""),
    ],
)
def test_bad_keys_and_codes_are_problems_not_crashes(mapping, kind, key):
    _, problems = from_mapping("q", mapping)
    assert (kind, key) in [(p.kind, p.key) for p in problems]


def test_overlapping_ranges_with_the_same_code_are_allowed():
    assert from_mapping("q", {"1:5": 1, "4:9": 1})[1] == []


def test_crosswalk_holds_ranges_null_and_else(tmp_path):
    path = tmp_path / "countries.csv"
    path.write_text(
        "national,standard,name\n1:47,404,counties\n600,404,Kenya\n601,800,Uganda\n"
        "602,null,not asked\n603,,not asked\nelse,996,\n",
        encoding="utf-8",
    )
    recode, problems = parse_recode("q", "countries.csv", tmp_path)
    assert problems == []
    assert [recode.lookup(v) for v in (12, 600, 601, 602, 603, 700, "")] == [
        (True, 404),
        (True, 404),
        (True, 800),
        (True, None),
        (True, None),
        (True, 996),
        (False, None),
    ]


@pytest.mark.parametrize(
    "text, kind, line",
    [
        ("code,label\n1,2\n", "crosswalk_format", 1),
        ("national,standard\n1,404\n2,Kenya\n", "value_type", 3),
        ("national,standard\n1,404\n5:3,1\n", "range", 3),
        ("national,standard\n1,404\n1,405\n", "duplicate", 3),
        ("national,standard\n1\n", "crosswalk_format", 2),
        ("", "crosswalk_format", 1),
    ],
)
def test_malformed_crosswalk_names_its_line(tmp_path, text, kind, line):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    _, problems = from_crosswalk("q", path, "x.csv")
    assert [(p.kind, p.line, p.file) for p in problems] == [(kind, line, "x.csv")]


def test_missing_crosswalk_and_unknown_builtin(tmp_path):
    assert parse_recode("q", "nope.csv", tmp_path)[1][0].kind == "crosswalk_missing"
    assert parse_recode("q", "m49", tmp_path)[1][0].kind == "builtin"


def test_numeric_map_for_syntax_exports_keeps_exact_whole_numbers_only():
    recode = _recode({"1001": 404, "0": None, "3:5": 3, "Male": 1, "else": 9})
    assert recode.numeric_map() == {1001: 404}
    rules, texts = recode.syntax_rules()
    assert rules == [("0", None), ("1001", 404), ("3/5", 3), ("else", 9)] and texts == ["Male"]


# property tests: the vectorised rule is the reference rule, and the order holds -----------------
_numbers = st.integers(min_value=-3, max_value=30)
_codes = st.one_of(st.none(), st.integers(min_value=1, max_value=9))


@st.composite
def _mappings(draw):
    mapping: dict = {}
    for key in draw(st.lists(_numbers, max_size=5, unique=True)):
        mapping[str(key) if draw(st.booleans()) else key] = draw(_codes)
    for word in draw(
        st.lists(st.sampled_from(["Yes", "No", "yes", "DK"]), max_size=3, unique=True)
    ):
        mapping[word] = draw(_codes)
    low = draw(st.integers(min_value=-3, max_value=30))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        width = draw(st.integers(min_value=0, max_value=4))
        mapping[f"{low}:{low + width}"] = draw(_codes)
        low += width + 1  # ranges that do not overlap
    if draw(st.booleans()):
        mapping["else"] = draw(_codes)
    return mapping


_values = st.one_of(
    st.none(),
    _numbers,
    st.floats(min_value=-3, max_value=30, allow_nan=False),
    _numbers.map(str),
    _numbers.map(lambda n: f" {n} "),
    st.sampled_from(["Yes", " No", "yes", "DK", "", "  ", "abc", "\t7\n", "\u00a05", "\x1c8"]),
    st.sampled_from(["\u0663", "1e3", "+5", ".5", "5.", " -0 ", "\u200b9", "Yes\u3000"]),
)


@settings(max_examples=200, deadline=None)
@given(_mappings(), st.lists(_values, min_size=1, max_size=25))
def test_vectorised_recode_is_the_reference_rule(mapping, values):
    recode, problems = from_mapping("q", mapping)
    assert problems == []
    series = pd.Series(values, dtype=object)
    matched, standard = apply_recode(series, recode)
    for value, hit, code in zip(values, matched, standard, strict=True):
        expected_hit, expected = recode.lookup(value)
        assert hit == expected_hit, value
        if hit:
            assert (np.isnan(code) and expected is None) or code == expected, value
    # numbers only: the same through a float64 column
    numbers = [v for v in values if isinstance(v, (int, float))]
    if numbers:
        matched, standard = apply_recode(pd.Series(numbers, dtype="float64"), recode)
        assert matched.tolist() == [recode.lookup(v)[0] for v in numbers]


@settings(max_examples=200, deadline=None)
@given(_mappings(), _numbers)
def test_exact_beats_range_beats_else(mapping, value):
    recode, _ = from_mapping("q", mapping)
    matched, standard = recode.lookup(value)
    exact = [v for k, v in mapping.items() if k != "else" and str(k).strip() == str(value)]
    in_range = [
        v
        for k, v in mapping.items()
        if isinstance(k, str) and ":" in k and int(k.split(":")[0]) <= value <= int(k.split(":")[1])
    ]
    if exact:
        assert (matched, standard) == (True, exact[0])
    elif in_range:
        assert (matched, standard) == (True, in_range[0])
    elif "else" in mapping:
        assert (matched, standard) == (True, mapping["else"])
    else:
        assert not matched


@settings(max_examples=100, deadline=None)
@given(
    _mappings(), st.lists(_values, min_size=2, max_size=30), st.integers(min_value=1, max_value=7)
)
def test_a_row_does_not_depend_on_its_chunk(mapping, values, size):
    recode, _ = from_mapping("q", mapping)
    whole, recoded, nulls = standard_values(pd.Series(values, dtype=object), recode)
    parts = [
        standard_values(pd.Series(values[i : i + size], dtype=object), recode)
        for i in range(0, len(values), size)
    ]
    chunked = [v for part in parts for v in part[0]]
    assert [_shown(v) for v in whole] == [_shown(v) for v in chunked]
    assert recoded.tolist() == [bool(x) for part in parts for x in part[1]]
    assert nulls.tolist() == [bool(x) for part in parts for x in part[2]]


def test_label_drift_asks_whether_a_code_is_recoded():
    recode = _recode({"11:13": 1, "71": 96, "0": None})
    assert [code in recode for code in (12, 71, 0, 14, "71")] == [True, True, True, False, True]

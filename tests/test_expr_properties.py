"""Property tests: on random trees and rows, every target agrees with the reference semantics.

The reference is `expr/reference.py` (plain Python, row by row). XPath forms are run by lxml's
XPath 1.0 after `${x}` is replaced by the row's answer as text (as ODK stores it), with the ODK
functions the compiler uses (`selected`, `if`, `format-date`) registered as extension functions.
CSPro forms are run by a small evaluator of the subset the compiler writes (below), with answers
stored as the CSPro export stores them: blank is NOTAPPL, not stated is MISSING, refused is
REFUSED, a select_multiple is one yes/no item per code, a date is the number YYYYMMDD.
For conditions, the "definitely true" form must hold exactly where the reference says True, and
the "definitely false" form exactly where it says False. Division is left out: the two-valued
targets do not guard a zero divisor (the reference and pandas read it as unknown).
"""

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from migmodule.expr.ast import Binary, Call, In, Name, Num, Self, Str, Unary, to_source
from migmodule.expr.compile import TwoValuedForms, compile_expression
from migmodule.expr.evaluate import evaluate_frame
from migmodule.expr.visit import Transformer
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module

PROPS = Path(__file__).parent / "specs" / "props.yaml"
MODULE = load_module(PROPS)
PARAMS = resolve_parameters(MODULE, {})
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- random trees ---------------------------------------------------------------------------------

numbers = st.sampled_from([0, 3, 5, 18, 30, 998, 999, 1990, 2000]).map(Num)
references = st.sampled_from(["age", "years"]).map(Name)
dates = st.sampled_from(
    [
        Call("year", (Name("birth_date"),)),
        Call("age_at", (Name("birth_date"), Name("REF_DATE"))),
    ]
)


def _values(conditions):
    return st.recursive(
        st.one_of(numbers, references, dates),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*"]), inner, inner).map(
                lambda t: Binary(t[0], t[1], t[2])
            ),
            st.tuples(conditions, inner, inner).map(lambda t: Call("if", t)),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: Call("coalesce", tuple(xs))),
        ),
        max_leaves=4,
    )


simple_conditions = st.one_of(
    st.tuples(st.sampled_from(["==", "!="]), st.sampled_from([1, 2, 7, 8])).map(
        lambda t: Binary(t[0], Name("answer"), Num(t[1]))
    ),
    st.tuples(st.booleans(), st.lists(st.sampled_from([1, 2, 7, 8]), min_size=1, max_size=3)).map(
        lambda t: In(Name("answer"), tuple(Num(c) for c in t[1]), t[0])
    ),
    st.sampled_from([1, 2, 3, 98]).map(lambda c: Call("selected", (Name("reasons"), Num(c)))),
    st.tuples(
        st.sampled_from(["known", "answered"]),
        st.sampled_from(["age", "years", "answer", "reasons", "birth_date"]),
    ).map(lambda t: Call(t[0], (Name(t[1]),))),
    st.tuples(st.sampled_from(["<", ">=", "==", "!="]), references, numbers).map(
        lambda t: Binary(t[0], t[1], t[2])
    ),
)


def _comparisons(values):
    return st.tuples(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), values, values).map(
        lambda t: Binary(t[0], t[1], t[2])
    )


conditions = st.recursive(
    st.one_of(simple_conditions, _comparisons(_values(simple_conditions))),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), inner, inner).map(lambda t: Binary(*t)),
        inner.map(lambda c: Unary("not", c)),
    ),
    max_leaves=5,
)
values = _values(simple_conditions)

rows = st.fixed_dictionaries(
    {
        "age": st.sampled_from([None, 0, 17, 18, 30, 998, 999]),
        "years": st.sampled_from([None, 0, 3, 30]),
        "answer": st.sampled_from([None, 1, 2, 7, 8]),
        "reasons": st.sampled_from([None, "1", "1 3", "98", "2 98", "3"]),
        "birth_date": st.sampled_from([None, "1990-05-01", "2000-01-01", "2012-12-31"]),
    }
)


def reference(text: str):
    return compile_expression(MODULE, text, "reference", params=PARAMS)


# --- XPath with lxml ------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _string(arg) -> str:
    if isinstance(arg, list):
        return arg[0].text or "" if arg and hasattr(arg[0], "text") else "".join(map(str, arg))
    if isinstance(arg, float) and arg.is_integer():
        return str(int(arg))
    return str(arg)


def _selected(context, answer, code):
    return _string(code) in _string(answer).split()


def _if(context, test, then, other):
    return then if test else other


def _format_date(context, value, pattern):
    text = _string(value)
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        return ""
    return (
        pattern.replace("%Y", f"{date.year:04d}")
        .replace("%m", f"{date.month:02d}")
        .replace("%d", f"{date.day:02d}")
    )


FUNCTIONS = etree.FunctionNamespace(None)
FUNCTIONS["selected"] = _selected
FUNCTIONS["if"] = _if
FUNCTIONS["format-date"] = _format_date
DOCUMENT = etree.fromstring("<data/>")


def run_xpath(text: str, row: dict):
    def literal(match: re.Match) -> str:
        value = _text(row.get(match.group(1)))
        return f"'{value}'"

    return DOCUMENT.xpath(re.sub(r"\$\{(\w+)\}", literal, text))


# --- CSPro logic ------------------------------------------------------------------------------------

SPECIALS = {"NOTAPPL": 1e30, "MISSING": 1e31, "REFUSED": 1e32, "DEFAULT": 1e33}
CSPRO_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|[=<>()+\-*/,])|(\"[^\"]*\"))"
)


def cspro_items(row: dict) -> dict[str, float]:
    """A row as the CSPro export stores it."""
    items = {}
    for question in MODULE.questions:
        value = row.get(question.id)
        name = question.variable_name.upper()
        if question.type.value == "select_multiple":
            chosen = (value or "").split()
            for code in MODULE.code_list_by_id[question.code_list].codes:
                items[f"{name}_{code.code}"] = (
                    1 if str(code.code) in chosen else SPECIALS["NOTAPPL"]
                )
            continue
        if value is None:
            items[name] = SPECIALS["NOTAPPL"]
        elif question.type.value == "date":
            items[name] = float(value.replace("-", ""))
        else:
            kind = None
            if question.code_list:
                for code in MODULE.code_list_by_id[question.code_list].codes:
                    if code.code == value and code.special is not None:
                        kind = code.special.value
            special = {"not_stated": "MISSING", "refused": "REFUSED"}.get(kind or "")
            items[name] = SPECIALS[special] if special else float(value)
    return items


class CSPro:
    """A recursive-descent evaluator of the CSPro logic subset the compiler writes."""

    def __init__(self, text: str, items: dict[str, float]):
        self.tokens = []
        position = 0
        while position < len(text):
            match = CSPRO_TOKEN.match(text, position)
            assert match and match.end() > position, text[position:]
            self.tokens.append(next(g for g in match.groups() if g is not None))
            position = match.end()
            while position < len(text) and text[position] == " ":
                position += 1
        self.index = 0
        self.items = items

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected=None):
        token = self.peek()
        assert expected is None or token == expected, (token, expected)
        self.index += 1
        return token

    def run(self):
        value = self.disjunction()
        assert self.peek() is None, self.tokens[self.index :]
        return value

    def disjunction(self):
        value = self.conjunction()
        while self.peek() == "or":
            self.take()
            other = self.conjunction()
            value = bool(value) or bool(other)
        return value

    def conjunction(self):
        value = self.negation()
        while self.peek() == "and":
            self.take()
            other = self.negation()
            value = bool(value) and bool(other)
        return value

    def negation(self):
        if self.peek() == "not":
            self.take()
            return not self.negation()
        return self.comparison()

    def comparison(self):
        left = self.sum()
        if self.peek() in ("=", "<>", "<", "<=", ">", ">="):
            op = self.take()
            right = self.sum()
            return {
                "=": left == right,
                "<>": left != right,
                "<": left < right,
                "<=": left <= right,
                ">": left > right,
                ">=": left >= right,
            }[op]
        return left

    def sum(self):
        value = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()
            other = self.product()
            value = value + other if op == "+" else value - other
        return value

    def product(self):
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            other = self.unary()
            value = value * other if op == "*" else value / other
        return value

    def unary(self):
        if self.peek() == "-":
            self.take()
            return -self.unary()
        return self.atom()

    def atom(self):
        token = self.take()
        if token == "(":
            value = self.disjunction()
            self.take(")")
            return value
        if token[0].isdigit():
            return float(token)
        if token in SPECIALS:
            return SPECIALS[token]
        if token in ("special", "int"):
            self.take("(")
            value = self.sum()
            self.take(")")
            if token == "special":
                return value in SPECIALS.values()
            return float(math.trunc(value))
        return self.items[token]


def run_cspro(text: str, row: dict) -> bool:
    return bool(CSPro(text, cspro_items(row)).run())


# --- the properties ---------------------------------------------------------------------------------


@SETTINGS
@given(conditions, st.lists(rows, min_size=1, max_size=6))
def test_xpath_forms_agree_with_the_reference(tree, data):
    text = to_source(tree)
    forms = compile_expression(MODULE, text, "xpath", params=PARAMS)
    assert isinstance(forms, TwoValuedForms)
    expected = reference(text)
    for row in data:
        result = expected(row)
        assert run_xpath(forms.true, row) is (result is True), (text, row, forms.true)
        assert run_xpath(forms.false, row) is (result is False), (text, row, forms.false)


@SETTINGS
@given(conditions, st.lists(rows, min_size=1, max_size=6))
def test_cspro_forms_agree_with_the_reference(tree, data):
    text = to_source(tree)
    forms = compile_expression(MODULE, text, "cspro", params=PARAMS)
    expected = reference(text)
    for row in data:
        result = expected(row)
        assert run_cspro(forms.true, row) is (result is True), (text, row, forms.true)
        assert run_cspro(forms.false, row) is (result is False), (text, row, forms.false)


@SETTINGS
@given(values, st.lists(rows, min_size=1, max_size=6))
def test_xpath_values_agree_with_the_reference(tree, data):
    text = to_source(tree)
    compiled = compile_expression(MODULE, text, "xpath", params=PARAMS)
    expected = reference(text)
    for row in data:
        result = expected(row)
        got = run_xpath(compiled, row)
        if result is None:
            assert got == "", (text, row, compiled)
        else:
            assert float(got) == pytest.approx(result), (text, row, compiled)


@SETTINGS
@given(st.one_of(conditions, values), st.lists(rows, min_size=1, max_size=8))
def test_pandas_agrees_with_the_reference(tree, data):
    text = to_source(tree)
    frame = pd.DataFrame(data)
    got = evaluate_frame(MODULE, text, frame, {}).tolist()
    expected = reference(text)
    for row, value in zip(data, got, strict=True):
        result = expected(row)
        if result is None:
            assert (
                value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value))
            ), (text, row, value)
        else:
            assert value == pytest.approx(result), (text, row, value)


# --- expressions over a data file's own columns (profiles' derive: and where:) ----------------------

column_numbers = st.sampled_from([0, 1, 2, 5, 47, 96]).map(Num)
column_names = st.sampled_from(["E02", "E03"]).map(Name)
column_values = st.recursive(
    st.one_of(
        column_numbers,
        column_names,
        st.just(Call("age_at", (Name("DOB"), Name("REF")))),
        st.just(Call("year", (Name("DOB"),))),
    ),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-"]), inner, inner).map(lambda t: Binary(*t)),
        st.tuples(
            st.tuples(st.sampled_from(["==", "<", ">="]), column_names, column_numbers).map(
                lambda t: Binary(*t)
            ),
            inner,
            inner,
        ).map(lambda t: Call("if", t)),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Call("coalesce", tuple(xs))),
    ),
    max_leaves=4,
)
column_conditions = st.recursive(
    st.one_of(
        st.tuples(st.sampled_from(["==", "!=", "<", ">="]), column_values, column_values).map(
            lambda t: Binary(*t)
        ),
        st.sampled_from(["E02", "E03", "DOB", "SEX"]).map(lambda n: Call("known", (Name(n),))),
        st.sampled_from(["Male", "Female"]).map(lambda v: Binary("==", Name("SEX"), Str(v))),
    ),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), inner, inner).map(lambda t: Binary(*t)),
        inner.map(lambda c: Unary("not", c)),
    ),
    max_leaves=4,
)
column_rows = st.fixed_dictionaries(
    {
        "E02": st.sampled_from([None, 1.0, 2.0, float("nan")]),
        "E03": st.sampled_from([None, 0.0, 5.0, 96.0]),
        "DOB": st.sampled_from([None, "1990-05-01", "2012-12-31"]),
        "REF": st.sampled_from(["2029-08-24", None]),
        "SEX": st.sampled_from([None, "Male", "Female", " "]),
    }
)


@SETTINGS
@given(st.one_of(column_conditions, column_values), st.lists(column_rows, min_size=1, max_size=8))
def test_columns_agree_with_the_reference(tree, data):
    from migmodule.expr.columns import evaluate_on_columns
    from migmodule.expr.reference import compile_columns_row

    text = to_source(tree)
    frame = pd.DataFrame(data)
    frame["SEX"] = frame["SEX"].astype(object)  # text even when every cell is blank
    got = evaluate_on_columns(text, frame).tolist()
    expected = compile_columns_row(text)
    for row, value in zip(data, got, strict=True):
        result = expected(row)
        if result is None:
            assert value is pd.NA or value is None or math.isnan(value), (text, row, value)
        else:
            assert value == pytest.approx(result), (text, row, value)


class _AgeAsSelf(Transformer):
    """The same tree written as a constraint of `age`: `age` becomes `.`."""

    def visit_Name(self, node):
        return Self() if node.id == "age" else node


def run_xpath_with_self(text: str, row: dict):
    value = _text(row.get("age"))
    return run_xpath(re.sub(r"(?<![\w'.])\.(?![\w.])", f"'{value}'", text), row)


@SETTINGS
@given(conditions, st.lists(rows, min_size=1, max_size=6))
def test_constraints_on_this_answer_agree_with_the_reference(tree, data):
    constraint = _AgeAsSelf().visit(tree)
    text = to_source(constraint)
    expected = compile_expression(MODULE, text, "reference", params=PARAMS, self_id="age")
    xpath = compile_expression(MODULE, text, "xpath", params=PARAMS, self_id="age")
    cspro = compile_expression(MODULE, text, "cspro", params=PARAMS, self_id="age")
    for row in data:
        result = expected(row)
        assert expected(row) == reference(to_source(tree))(row)  # `.` reads the answer itself
        assert run_xpath_with_self(xpath.false, row) is (result is False), (text, row, xpath.false)
        assert run_xpath_with_self(xpath.true, row) is (result is True), (text, row, xpath.true)
        assert run_cspro(cspro.false, row) is (result is False), (text, row, cspro.false)

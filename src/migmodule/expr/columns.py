"""Evaluate an expression over a data file's own columns (profiles' `derive:` and `where:`).

Names are the frame's COLUMN names, read as they are: no module, no symbol table, no special
codes. Numbers, text and dates (datetime columns as pyreadstat gives them for SPSS/Stata date
formats, or ISO `YYYY-MM-DD` text) work; blank and NaN cells are unknown, and the logic is the
language's three-valued logic:

    evaluate_on_columns("if(E02 == 1, 96, E03)", frame)       # values, NaN where unknown
    evaluate_on_columns("P12_COB >= 1 and P12_COB <= 47", frame)  # boolean dtype, <NA> unknown
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.expr.ast import Name, Node, Self
from migmodule.expr.evaluate import FrameEvaluator, _dates, _Value, run
from migmodule.expr.functions import FUNCTIONS
from migmodule.expr.parser import ExprSyntaxError, parse
from migmodule.expr.semantics import fold
from migmodule.spec import codes

FIELD = "expression"


def _findings(text: str, tree: Node) -> list[Finding]:
    """What makes an expression unusable over columns: `.` and unknown functions or arities."""
    found = []

    def add(issue, column: int, **values) -> None:
        found.append(
            Finding.make(
                issue,
                Location(column=column),
                field=FIELD,
                expression=text,
                column=column,
                **values,
            )
        )

    for node in tree.walk():
        if isinstance(node, Self):
            add(codes.EXPR_SELF, node.pos)
        func = getattr(node, "func", None)
        if func is None:
            continue
        spec = FUNCTIONS.get(func)
        if spec is None:
            add(codes.EXPR_UNKNOWN_FUNCTION, node.pos, name=func, known=", ".join(FUNCTIONS))
        elif not spec.accepts(len(node.args)):
            add(
                codes.EXPR_ARGUMENTS,
                node.pos,
                reason=f"{func}() takes {spec.arity_text()}, not {len(node.args)}",
            )
    return found


def _parse(expression: str) -> Node:
    try:
        tree = parse(expression)
    except ExprSyntaxError as exc:
        issue = codes.EXPR_TYPOGRAPHIC_QUOTE if exc.typographic else codes.EXPR_SYNTAX
        raise MigmoduleError.of(
            issue,
            Location(column=exc.column),
            field=FIELD,
            expression=expression,
            column=exc.column,
            reason=exc.reason,
            char=exc.typographic,
        ) from None
    problems = _findings(expression, tree)
    if problems:
        raise MigmoduleError(problems[0])
    return fold(tree, None)  # constants only: every name is a column


def column_names(expression: str) -> list[str]:
    """The column names an expression reads, in first-use order; a coded error if it is unusable."""
    seen: list[str] = []
    for node in _parse(expression).walk():
        if isinstance(node, Name) and node.id not in seen:
            seen.append(node.id)
    return seen


class _ColumnEvaluator(FrameEvaluator):
    def column(self, name: str) -> _Value:
        if name in self._columns:
            return self._columns[name]
        if name not in self.frame.columns:
            raise self.missing_column(name)
        series = self.frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            dates = _dates(series)
            value = _Value(dates, np.isnat(dates), kind="date", name=name)
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            raw = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            value = _Value(raw, np.isnan(raw), raw, kind="number", name=name)
        else:
            value = self._text_or_dates(series, name)
        self._columns[name] = value
        return value

    def _text_or_dates(self, series: pd.Series, name: str) -> _Value:
        present = series.notna() & (series.astype("string").str.strip() != "").fillna(False)
        if present.any():
            objects = series[present].map(lambda v: hasattr(v, "year") and not isinstance(v, str))
            if objects.all():  # date objects (pyreadstat's dates without datetime conversion)
                dates = _dates(series)
                return _Value(dates, np.isnat(dates), kind="date", name=name)
        text = series.astype("string").str.strip()
        unknown = ~present.to_numpy(dtype=bool)
        if not present.any():  # nothing but blanks: unknown numbers, usable in arithmetic
            raw = np.full(len(series), np.nan)
            return _Value(raw, unknown, raw, kind="number", name=name)
        numbers = pd.to_numeric(text.where(present), errors="coerce")
        if present.any() and numbers[present].notna().all():  # numbers stored as text
            raw = numbers.to_numpy(dtype="float64", na_value=np.nan)
            return _Value(raw, unknown, raw, kind="number", name=name)
        values = text.fillna("").to_numpy(dtype=object)
        return _Value(values, unknown, values, kind="text", name=name)

    def self_column(self) -> _Value:  # refused by _parse; kept for the visitor's contract
        raise MigmoduleError.of(
            codes.EXPR_SELF, Location(), field=FIELD, expression=self.expression, column=1
        )


def evaluate_on_columns(expression: str, frame: pd.DataFrame) -> pd.Series:
    """Evaluate an expression whose names are `frame`'s columns, with three-valued logic.

    A condition gives a pandas "boolean" Series (<NA> where unknown); a value gives a Series of
    numbers (float64, NaN where unknown), text (object, None where unknown) or dates
    (datetime64, NaT where unknown). Blank and NaN cells are unknown. A syntax error, an unknown
    function or a name that is not a column raises a coded MigmoduleError.
    """
    tree = _parse(expression)
    missing = [name for name in column_names(expression) if name not in frame.columns]
    evaluator = _ColumnEvaluator(frame, expression, FIELD, Location())
    if missing:
        raise evaluator.missing_column(missing[0])
    result = run(evaluator, tree, frame.index)
    if result.dtype == "Float64":  # numbers as plain float64, NaN where unknown
        return result.astype("float64")
    return result

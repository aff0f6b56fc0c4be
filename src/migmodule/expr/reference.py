"""The reference semantics: a plain-Python, row-by-row evaluator of prepared expressions.

This is the statement of the three-valued rules (docs/spec-format.md, "Missing values") that the
vectorised pandas evaluator and the XPath and CSPro forms are tested against, and what lint uses
to decide whether a universe can ever be true (spec/ does not import pandas). `None` is unknown.

A row maps question/derived ids to raw answers: numbers, text, `datetime.date` or ISO text for
dates, space-separated codes for select_multiple; `None`, NaN and blank text are blank.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable
from typing import Any

from migmodule.expr.ast import Binary, Bool, Call, In, Name, Node, Num, Self, Str, Unary
from migmodule.expr.functions import implementation
from migmodule.expr.semantics import (
    Symbol,
    TableRef,
    _iso_date,
    completed_years,
    mark_raw_codes,
    prepare,
    referenced,
    symbols,
)
from migmodule.expr.visit import Visitor
from migmodule.spec.model import Module

Row = dict[str, Any]
Compiled = Callable[[Row], Any]

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def as_number(value: Any) -> float | None:
    if type(value) is float:
        return None if value != value else value  # NaN is blank
    if type(value) is int:
        return float(value)
    if is_blank(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _iso_date(value.strip())
    return None


class _Reader:
    """How a name is read from a row: raw value, and the value with missing codes unknown."""

    def __init__(self, name: str, symbol: Symbol | None):
        self.name = name
        self.symbol = symbol

    def raw(self, row: Row) -> Any:
        value = row.get(self.name)
        symbol = self.symbol
        if symbol is not None and symbol.multiple:
            return None if is_blank(value) else str(value).strip()
        if symbol is None or symbol.numeric:
            return as_number(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return as_date(value)
        return None if is_blank(value) else str(value)

    def value(self, row: Row) -> Any:
        raw = self.raw(row)
        symbol = self.symbol
        if raw is None or symbol is None or not symbol.missing_codes:
            return raw
        if symbol.multiple:
            tokens = raw.split()
            missing = any(
                t.lstrip("-").isdigit() and int(t) in symbol.missing_codes for t in tokens
            )
            return None if missing else raw
        return None if raw in symbol.missing_codes else raw


class _CellReader(_Reader):
    """A data file's cell as it is (profiles' columns): numbers, numeric text, text or dates."""

    def __init__(self, name: str):
        super().__init__(name, None)

    def raw(self, row: Row) -> Any:
        value = row.get(self.name)
        if is_blank(value):
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return as_date(value)
        if isinstance(value, str):
            return as_number(value) if as_number(value) is not None else value.strip()
        return as_number(value)

    def value(self, row: Row) -> Any:
        return self.raw(row)


class RowCompiler(Visitor[Compiled]):
    """Compile a prepared tree to a function of one row (faster than walking per row).

    With `columns=True` names are a data file's columns, read as they are (`expr/columns.py`).
    """

    def __init__(
        self, table: dict[str, Symbol], self_id: str | None = None, *, columns: bool = False
    ):
        self.table = table
        self.self_id = self_id
        self.columns = columns

    def reader(self, node: Node) -> _Reader:
        name = self.self_id if isinstance(node, Self) else node.id
        if self.columns:
            return _CellReader(name or "")
        return _Reader(name or "", self.table.get(name or ""))

    def raw(self, node: Node) -> Compiled:
        if isinstance(node, (Name, Self)):
            return self.reader(node).raw
        return self.visit(node)

    # leaves ------------------------------------------------------------------------------------
    def visit_Num(self, node: Num) -> Compiled:
        value = float(node.value)
        return lambda row: value

    def visit_Str(self, node: Str) -> Compiled:
        return lambda row: node.value

    def visit_Bool(self, node: Bool) -> Compiled:
        return lambda row: node.value

    def visit_Name(self, node: Name) -> Compiled:
        return self.reader(node).value

    visit_Self = visit_Name

    # operators ---------------------------------------------------------------------------------
    def visit_Unary(self, node: Unary) -> Compiled:
        inner = self.visit(node.operand)
        if node.op == "not":
            return lambda row: None if (v := inner(row)) is None else not v
        return lambda row: None if (v := inner(row)) is None else -v

    def visit_Binary(self, node: Binary) -> Compiled:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op == "and":

            def conjunction(row: Row) -> bool | None:
                a = left(row)
                if a is False:
                    return False
                b = right(row)
                if b is False:
                    return False
                return None if a is None or b is None else True

            return conjunction
        if node.op == "or":

            def disjunction(row: Row) -> bool | None:
                a = left(row)
                if a is True:
                    return True
                b = right(row)
                if b is True:
                    return True
                return None if a is None or b is None else False

            return disjunction
        if node.raw_code:
            ref, lit = (
                (node.left, node.right) if isinstance(node.right, Num) else (node.right, node.left)
            )
            read, code = self.raw(ref), float(lit.value)
            if node.op == "==":
                return lambda row: read(row) == code
            return lambda row: read(row) != code
        if node.op in _COMPARE:
            compare = _COMPARE[node.op]

            def comparison(row: Row) -> bool | None:
                a, b = left(row), right(row)
                if a is None or b is None:
                    return None
                if isinstance(a, dt.date) or isinstance(b, dt.date):  # a date against 'YYYY-MM-DD'
                    a, b = as_date(a), as_date(b)
                    if a is None or b is None:
                        return None
                if isinstance(a, str) != isinstance(b, str):
                    if node.op in ("==", "!="):
                        return node.op == "!="
                    return None
                return bool(compare(a, b))

            return comparison
        if node.op == "/":
            return lambda row: (
                None if (a := left(row)) is None or (b := right(row)) is None or b == 0 else a / b
            )
        combine = _ARITHMETIC[node.op]
        return lambda row: (
            None if (a := left(row)) is None or (b := right(row)) is None else combine(a, b)
        )

    def visit_In(self, node: In) -> Compiled:
        operand = self.visit(node.operand)
        items = [float(i.value) if isinstance(i, Num) else i.value for i in node.items]

        def membership(row: Row) -> bool | None:
            value = operand(row)
            if value is None:
                return None
            return (value in items) != node.negated

        return membership

    def visit_Call(self, node: Call) -> Compiled:
        return implementation(self, node)(node)

    # functions -----------------------------------------------------------------------------------
    def call_known(self, node: Call) -> Compiled:
        value = self.visit(node.args[0])
        return lambda row: value(row) is not None

    def call_answered(self, node: Call) -> Compiled:
        raw = self.raw(node.args[0])
        return lambda row: raw(row) is not None

    def call_selected(self, node: Call) -> Compiled:
        ref, code = node.args
        reader = self.reader(ref)
        if reader.symbol is not None and reader.symbol.multiple:
            text = str(int(code.value)) if isinstance(code, Num) else str(code.value)
            read = reader.raw if node.raw_code else reader.value

            def selected(row: Row) -> bool | None:
                value = read(row)
                if value is None:
                    return False if node.raw_code else None
                return text in value.split()

            return selected
        number = int(code.value) if isinstance(code, Num) else int(code.value)
        return self.visit(Binary("==", ref, Num(number), raw_code=node.raw_code))

    def date(self, node: Node) -> Compiled:
        value = self.visit(node)
        return lambda row: as_date(value(row))

    def call_year(self, node: Call) -> Compiled:
        date = self.date(node.args[0])
        return lambda row: None if (d := date(row)) is None else float(d.year)

    def call_age_at(self, node: Call) -> Compiled:
        birth, at = self.date(node.args[0]), self.date(node.args[1])
        return lambda row: (
            None
            if (b := birth(row)) is None or (a := at(row)) is None
            else float(completed_years(b, a))
        )

    def call_if(self, node: Call) -> Compiled:
        test, then, other = (self.visit(a) for a in node.args)

        def conditional(row: Row) -> Any:
            decided = test(row)
            if decided is True:
                return then(row)
            if decided is False:
                return other(row)
            a, b = then(row), other(row)
            return a if a is not None and b is not None and _same(a, b) else None

        return conditional

    def call_rate(self, node: Call) -> Compiled:
        first = node.args[0]
        if not isinstance(first, TableRef):
            from migmodule.codes import Location, MigmoduleError
            from migmodule.expr.evaluate import EXPR_TABLE

            raise MigmoduleError.of(
                EXPR_TABLE,
                Location(),
                field="expression",
                expression="rate(...)",
                name=getattr(first, "id", getattr(first, "value", "?")),
            )
        table = first.table
        keys = [self.visit(a) for a in node.args[1:]]

        def lookup(row: Row) -> float | None:
            parts = [key(row) for key in keys]
            if any(not isinstance(p, float) for p in parts):
                return None  # unknown, or text where a key is a number
            return table.get(parts)

        return lookup

    def call_coalesce(self, node: Call) -> Compiled:
        values = [self.visit(a) for a in node.args]

        def first_known(row: Row) -> Any:
            for value in values:
                found = value(row)
                if found is not None:
                    return found
            return None

        return first_known


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) != isinstance(b, str):
        return False
    return a == b


def compile_row(module: Module, tree: Node, self_id: str | None = None) -> Compiled:
    """A function of one row for a prepared tree (raw-code comparisons marked here if not yet)."""
    return RowCompiler(symbols(module), self_id).visit(mark_raw_codes(module, tree, self_id))


def compile_columns_row(expression: str) -> Compiled:
    """A function of one row of a data file for an expression over its column names."""
    from migmodule.expr.columns import _parse

    return RowCompiler({}, columns=True).visit(_parse(expression))


def evaluate_row(
    module: Module,
    expression: str,
    row: Row,
    params: dict[str, Any],
    *,
    self_id: str | None = None,
) -> Any:
    """One expression on one row: True/False/None for conditions, the value or None for values."""
    return compile_row(module, prepare(module, expression, params), self_id)(row)


class Deriver:
    """Add a module's derived variables to rows, in spec order (the rules of `evaluate.derive`).

    Each rule is compiled once; a derived variable is left out when a variable it reads is not
    in the row.
    """

    def __init__(self, module: Module, params: dict[str, Any]):
        self.plans = []
        for item in module.derived:
            texts = [c.when for c in item.cases or [] if c.when]
            texts += [t for t in (item.expression, item.when) if t]
            needed = {n for t in texts for n in referenced(module, t)}

            def rule(text: str | None) -> Compiled | None:
                return compile_row(module, prepare(module, text, params)) if text else None

            cases = (
                [(rule(c.when), c.value) for c in item.cases] if item.cases is not None else None
            )
            self.plans.append((item.id, needed, cases, rule(item.expression), rule(item.when)))

    def __call__(self, row: Row) -> Row:
        out = dict(row)
        for name, needed, cases, expression, when in self.plans:
            if not needed <= out.keys():
                continue
            if cases is not None:
                out[name] = next(
                    (value for test, value in cases if test is None or test(out) is True), None
                )
                continue
            value = expression(out)
            out[name] = value if when is None or when(out) is True else None
        return out

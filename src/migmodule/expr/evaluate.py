"""Compile expressions to vectorised pandas/numpy evaluation with three-valued (Kleene) logic.

A condition evaluates to a nullable boolean Series: True, False or <NA> (unknown). A value is
unknown when it is blank or one of its question's missing-value special codes. The rules are in
docs/spec-format.md ("Missing values"); `evaluate_row` is a plain-Python statement of the same
rules, used by the tests to check the vectorised version.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Location, MigmoduleError, define
from migmodule.expr.ast import (
    ARITHMETIC,
    COMPARISONS,
    Binary,
    Bool,
    Call,
    In,
    Name,
    Node,
    Num,
    Self,
    Str,
    Unary,
)
from migmodule.expr.semantics import Symbol, prepare, referenced, symbols
from migmodule.spec.model import Module
from migmodule.spec.params import resolve_parameters

MISSING_COLUMN = define(
    "EXPR-DATA-001",
    "error",
    "Expression needs a variable the data does not have",
    "{field} needs '{name}', which is not among the data's columns; map it in the profile or drop the rule.",
    "spec",
)
NOT_A_CONDITION = define(
    "EXPR-TYPE-001",
    "error",
    "Value used as a condition",
    "`{expression}`: '{name}' is a value, not a condition; compare it (e.g. {name} == 1).",
    "spec",
)

_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass
class _Value:
    values: np.ndarray  # float64 for numbers, object for text
    unknown: np.ndarray  # bool
    raw: np.ndarray | None = None  # values before special codes were masked
    symbol: Symbol | None = None


@dataclass
class _Truth:
    true: np.ndarray  # definitely true
    false: np.ndarray  # definitely false

    def series(self, index: pd.Index) -> pd.Series:
        known = self.true | self.false
        return pd.Series(pd.arrays.BooleanArray(self.true.copy(), ~known), index=index)


class _Evaluator:
    def __init__(self, module: Module, frame: pd.DataFrame, self_id: str | None, field: str):
        self.module = module
        self.frame = frame
        self.n = len(frame)
        self.table = symbols(module)
        self.self_id = self_id
        self.field = field
        self.expression = ""
        self._columns: dict[str, _Value] = {}

    # values --------------------------------------------------------------------------------
    def column(self, name: str) -> _Value:
        if name in self._columns:
            return self._columns[name]
        if name not in self.frame.columns:
            raise MigmoduleError.of(
                MISSING_COLUMN,
                Location(module=self.module.ref, variable=name),
                field=self.field,
                name=name,
            )
        symbol = self.table.get(name)
        series = self.frame[name]
        if symbol is not None and symbol.multiple:
            text = series.astype("string").fillna("").str.strip()
            values = text.to_numpy(dtype=object)
            unknown = (text == "").to_numpy()
            if symbol.missing_codes:
                tokens = text.str.split()
                has_missing = tokens.map(
                    lambda t: any(
                        int(x) in symbol.missing_codes for x in t if x.lstrip("-").isdigit()
                    )
                )
                unknown = unknown | has_missing.to_numpy(dtype=bool)
            value = _Value(values, unknown, values, symbol)
        elif symbol is None or symbol.numeric:
            raw = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            unknown = np.isnan(raw)
            if symbol is not None and symbol.missing_codes:
                unknown = unknown | np.isin(raw, list(symbol.missing_codes))
            value = _Value(np.where(unknown, np.nan, raw), unknown, raw, symbol)
        else:
            text = series.astype("string")
            unknown = text.isna().to_numpy() | (text.fillna("") == "").to_numpy()
            values = text.fillna("").to_numpy(dtype=object)
            value = _Value(values, unknown, values, symbol)
        self._columns[name] = value
        return value

    def value(self, node: Node) -> _Value:
        if isinstance(node, Num):
            return _Value(np.full(self.n, float(node.value)), np.zeros(self.n, dtype=bool))
        if isinstance(node, Str):
            return _Value(np.full(self.n, node.value, dtype=object), np.zeros(self.n, dtype=bool))
        if isinstance(node, Name):
            return self.column(node.id)
        if isinstance(node, Self):
            return self.column(self.self_id)
        if isinstance(node, Unary) and node.op == "-":
            inner = self.value(node.operand)
            return _Value(-inner.values, inner.unknown)
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            left, right = self.value(node.left), self.value(node.right)
            unknown = left.unknown | right.unknown
            with np.errstate(divide="ignore", invalid="ignore"):
                if node.op == "/":
                    unknown = unknown | (right.values == 0)
                    result = left.values / np.where(right.values == 0, np.nan, right.values)
                else:
                    result = {"+": np.add, "-": np.subtract, "*": np.multiply}[node.op](
                        left.values, right.values
                    )
            return _Value(np.where(unknown, np.nan, result), unknown)
        raise MigmoduleError.of(
            NOT_A_CONDITION,
            Location(module=self.module.ref),
            expression=self.expression,
            name=type(node).__name__,
        )

    # conditions ----------------------------------------------------------------------------
    def truth(self, node: Node) -> _Truth:
        n = self.n
        if isinstance(node, Bool):
            full = np.full(n, node.value)
            return _Truth(full, ~full)
        if isinstance(node, Unary) and node.op == "not":
            inner = self.truth(node.operand)
            return _Truth(inner.false, inner.true)
        if isinstance(node, Binary) and node.op == "and":
            a, b = self.truth(node.left), self.truth(node.right)
            return _Truth(a.true & b.true, a.false | b.false)
        if isinstance(node, Binary) and node.op == "or":
            a, b = self.truth(node.left), self.truth(node.right)
            return _Truth(a.true | b.true, a.false & b.false)
        if isinstance(node, Binary) and node.op in COMPARISONS:
            return self.compare(node)
        if isinstance(node, In):
            return self.membership(node)
        if isinstance(node, Call):
            return self.call(node)
        name = node.id if isinstance(node, Name) else type(node).__name__
        raise MigmoduleError.of(
            NOT_A_CONDITION, Location(module=self.module.ref), expression=self.expression, name=name
        )

    def _raw_special(self, ref: Node, literals: list[Node]) -> _Value | None:
        """The referenced column, when a literal is one of its missing codes (compare raw codes)."""
        if not isinstance(ref, (Name, Self)):
            return None
        value = self.value(ref)
        if value.symbol is None or value.symbol.multiple:
            return None
        if any(
            isinstance(lit, Num) and lit.value in value.symbol.missing_codes for lit in literals
        ):
            return value
        return None

    def compare(self, node: Binary) -> _Truth:
        if node.op in ("==", "!="):
            for ref, lit in ((node.left, node.right), (node.right, node.left)):
                raw = self._raw_special(ref, [lit])
                if raw is not None:
                    equal = raw.raw == float(lit.value)
                    return _Truth(equal, ~equal) if node.op == "==" else _Truth(~equal, equal)
        left, right = self.value(node.left), self.value(node.right)
        known = ~(left.unknown | right.unknown)
        with np.errstate(invalid="ignore"):
            result = _OPS[node.op](left.values, right.values)
        result = np.asarray(result, dtype=bool)
        return _Truth(result & known, ~result & known)

    def membership(self, node: In) -> _Truth:
        raw = self._raw_special(node.operand, list(node.items))
        items = [float(i.value) if isinstance(i, Num) else i.value for i in node.items]
        if raw is not None:
            hit = np.isin(raw.raw, items)
            known = np.ones(self.n, dtype=bool)
        else:
            value = self.value(node.operand)
            known = ~value.unknown
            hit = np.isin(value.values, items) & known
        truth = _Truth(hit & known, ~hit & known)
        return _Truth(truth.false, truth.true) if node.negated else truth

    def call(self, node: Call) -> _Truth:
        if node.func in ("known", "answered"):
            value = self.value(node.args[0])
            if node.func == "known":
                yes = ~value.unknown
            else:  # anything but blank
                raw = value.raw if value.raw is not None else value.values
                yes = (
                    ~pd.isna(raw)
                    if raw.dtype != object
                    else np.array([str(v).strip() != "" for v in raw], dtype=bool)
                )
                yes = np.asarray(yes, dtype=bool)
            return _Truth(yes, ~yes)
        if node.func == "selected":
            ref, code = node.args
            value = self.value(ref)
            code_text = str(int(code.value)) if isinstance(code, Num) else str(code.value)
            if value.symbol is not None and value.symbol.multiple:
                tokens = pd.Series(value.raw, dtype="string").fillna("").str.split()
                hit = tokens.map(lambda t: code_text in t).to_numpy(dtype=bool)
                is_special = isinstance(code, Num) and code.value in value.symbol.missing_codes
                known = np.ones(self.n, dtype=bool) if is_special else ~value.unknown
                return _Truth(hit & known, ~hit & known)
            return self.compare(
                Binary("==", ref, code if isinstance(code, Num) else Num(int(code_text)))
            )
        raise MigmoduleError.of(
            NOT_A_CONDITION,
            Location(module=self.module.ref),
            expression=self.expression,
            name=node.func,
        )


def evaluate_frame(
    module: Module,
    expression: str,
    frame: pd.DataFrame,
    params: dict[str, Any] | None = None,
    *,
    self_id: str | None = None,
    field: str = "expression",
) -> pd.Series:
    """Evaluate an expression over a frame whose columns are question/derived ids.

    Returns a nullable boolean Series for conditions (NA = unknown) and a Float64 Series for values.
    """
    values = resolve_parameters(module, params)
    tree = prepare(module, expression, values)
    evaluator = _Evaluator(module, frame, self_id, field)
    evaluator.expression = expression
    if _is_condition(tree):
        return evaluator.truth(tree).series(frame.index)
    result = evaluator.value(tree)
    return pd.Series(
        pd.array(np.where(result.unknown, np.nan, result.values), dtype="Float64"),
        index=frame.index,
    ).mask(result.unknown)


def _is_condition(node: Node) -> bool:
    if isinstance(node, Bool):
        return True
    if isinstance(node, Unary):
        return node.op == "not"
    if isinstance(node, Binary):
        return node.op not in ARITHMETIC
    return isinstance(node, (In, Call)) and not (isinstance(node, Call) and node.func == "year")


def derive(
    module: Module,
    frame: pd.DataFrame,
    params: dict[str, Any] | None = None,
    *,
    level: str | None = None,
) -> pd.DataFrame:
    """Add the module's derived variables to a copy of `frame`, in spec order.

    A derived variable is computed when it is at `level` (any level if None) and every variable it
    reads is in the frame; the others are left out.
    """
    out = frame.copy()
    for item in module.derived:
        if level is not None and item.level != level:
            continue
        texts = [c.when for c in item.cases or [] if c.when] + [
            t for t in (item.expression, item.when) if t
        ]
        needed = {name for text in texts for name in referenced(module, text)}
        if not needed <= set(out.columns):
            continue
        field = f"derived variable {item.id}"
        if item.cases is not None:
            result = pd.Series(pd.NA, index=out.index, dtype="Int64")
            decided = np.zeros(len(out), dtype=bool)
            for case in item.cases:
                hit = (
                    np.ones(len(out), dtype=bool)
                    if case.when is None
                    else evaluate_frame(module, case.when, out, params, field=field)
                    .fillna(False)
                    .to_numpy(dtype=bool)
                )
                take = hit & ~decided
                result[take] = case.value
                decided |= take
        else:
            result = evaluate_frame(module, item.expression, out, params, field=field)
            if item.when:
                ok = (
                    evaluate_frame(module, item.when, out, params, field=field)
                    .fillna(False)
                    .to_numpy(dtype=bool)
                )
                result = result.mask(~ok)
        out[item.id] = result
    return out

"""The function table of the expression language: one entry per function, read by every target.

Each target implements a function as a method `call_<name>` on its compiler (XPath, CSPro logic,
pandas, the reference evaluator, sentences); `tests/test_expr_functions.py` fails when a target
lacks one. Argument kinds:

- `reference`: a question or derived variable, or `.` (what `known()` and `selected()` look at);
- `code`: a number or text literal;
- `condition`: true / false / unknown;
- `value`: a number, text or date;
- `date`: a date (a date question, a date parameter, a date column, or text 'YYYY-MM-DD');
- `table`: a table parameter (`type: table`, `spec/tables.py`); the arguments after it are its
  key columns in order, and the result is unknown for a key not in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from migmodule.expr.ast import ARITHMETIC, Binary, Bool, Call, In, Name, Node, Num, Self, Str, Unary
from migmodule.expr.visit import Visitor


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    minimum: int  # number of arguments
    maximum: int | None  # None: any number from `minimum`
    arguments: tuple[str, ...]  # kind of each argument; the last repeats
    result: str  # "condition" or "value"
    example: str

    def kind(self, index: int) -> str:
        return self.arguments[min(index, len(self.arguments) - 1)]

    def arity_text(self) -> str:
        if self.maximum == self.minimum:
            return f"{self.minimum} argument(s)"
        if self.maximum is None:
            return f"{self.minimum} or more arguments"
        return f"{self.minimum} to {self.maximum} arguments"

    def accepts(self, count: int) -> bool:
        return count >= self.minimum and (self.maximum is None or count <= self.maximum)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("selected", 2, 2, ("reference", "code"), "condition", "selected(reasons, 3)"),
        FunctionSpec("answered", 1, 1, ("reference",), "condition", "answered(age)"),
        FunctionSpec("known", 1, 1, ("reference",), "condition", "known(age)"),
        FunctionSpec("year", 1, 1, ("date",), "value", "year(REF_DATE)"),
        FunctionSpec("if", 3, 3, ("condition", "value", "value"), "value", "if(E02 == 1, 96, E03)"),
        FunctionSpec("coalesce", 2, None, ("value",), "value", "coalesce(age, AGE_REPORTED)"),
        FunctionSpec("age_at", 2, 2, ("date", "date"), "value", "age_at(birth_date, REF_DATE)"),
        FunctionSpec(
            "rate",
            2,
            None,
            ("table", "value"),
            "value",
            "rate(EXCHANGE_RATES, cost_currency, year_left, departure_month)",
        ),
    )
}


def implementation(target: object, node: Call):
    """The target's method for a call: a coded error for a function not in the table (bad input),
    NotImplementedError for one the target lacks (a programming error, never silent)."""
    if node.func not in FUNCTIONS:
        from migmodule.codes import Location, MigmoduleError
        from migmodule.spec import codes

        raise MigmoduleError.of(
            codes.EXPR_UNKNOWN_FUNCTION,
            Location(column=node.pos),
            field="expression",
            expression=f"{node.func}(...)",
            column=node.pos,
            name=node.func,
            known=", ".join(FUNCTIONS),
        )
    method = getattr(target, f"call_{node.func}", None)
    if method is None:
        raise NotImplementedError(f"{type(target).__name__} does not implement {node.func}()")
    return method


def missing_implementations(target: type) -> list[str]:
    """Functions of the table that a target class lacks."""
    return [name for name in FUNCTIONS if not callable(getattr(target, f"call_{name}", None))]


class _IsCondition(Visitor[bool]):
    """Whether a node is a condition (true/false/unknown) rather than a value."""

    def __init__(self, condition_names: frozenset[str] = frozenset()):
        self.condition_names = condition_names

    def visit_Num(self, node: Num) -> bool:
        return False

    def visit_Str(self, node: Str) -> bool:
        return False

    def visit_Bool(self, node: Bool) -> bool:
        return True

    def visit_Name(self, node: Name) -> bool:
        return node.id in self.condition_names

    def visit_Self(self, node: Self) -> bool:
        return False

    def visit_Unary(self, node: Unary) -> bool:
        return node.op == "not"

    def visit_Binary(self, node: Binary) -> bool:
        return node.op not in ARITHMETIC

    def visit_In(self, node: In) -> bool:
        return True

    def visit_Call(self, node: Call) -> bool:
        spec = FUNCTIONS.get(node.func)
        return spec is not None and spec.result == "condition"


def is_condition(node: Node, condition_names: frozenset[str] = frozenset()) -> bool:
    """True for conditions (comparisons, and/or/not, in, known() ...), False for values."""
    return _IsCondition(condition_names).visit(node)

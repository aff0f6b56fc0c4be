"""Compile prepared expressions to two-valued targets: XLSForm (XPath) and CSPro logic.

The spec's logic is three-valued (unknown for blanks and missing-value codes); these targets only
know true and false. So each condition compiles to two formulas: `true_form` (definitely true) and
`false_form` (definitely false). A universe becomes `relevant = true_form`; a check becomes
`constraint = not(false_form)`, so that an unknown answer never blocks the interviewer.

The forms are built as small formula trees (`All`, `AnyOf`, `Not`, `Atom`, `Const`) and written
out at the end: joining, de-duplicating and bracketing are decided on those trees, never by
editing generated text. The forms are returned as `Form` strings that keep their tree, so that
callers can join them (`join`) or ask what they decide (`cannot_be_true`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from migmodule.codes import Location, MigmoduleError
from migmodule.expr.ast import (
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
    to_source,
)
from migmodule.expr.codes import EXPR_TARGET
from migmodule.expr.functions import implementation
from migmodule.expr.semantics import Symbol, _iso_date, fold, mark_raw_codes, symbols
from migmodule.expr.visit import Transformer, Visitor
from migmodule.spec.model import Module
from migmodule.spec.tables import Table, pulldata_name


class TargetError(MigmoduleError, ValueError):
    """An expression that this target cannot express (coded; a ValueError for the exporters)."""


# formula trees --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    def has_or(self) -> bool:
        return False


@dataclass(frozen=True)
class Atom(Formula):
    text: str


@dataclass(frozen=True)
class Const(Formula):
    value: bool


@dataclass(frozen=True)
class All(Formula):
    parts: tuple[Formula, ...]

    def has_or(self) -> bool:
        return any(p.has_or() for p in self.parts)


@dataclass(frozen=True)
class AnyOf(Formula):
    parts: tuple[Formula, ...]
    grouped: bool = True  # each part in brackets: "(a) or (b)"

    def has_or(self) -> bool:
        return True


@dataclass(frozen=True)
class Not(Formula):
    inner: Formula

    def has_or(self) -> bool:
        return self.inner.has_or()


def decided(formula: Formula) -> bool | None:
    """True/False when a formula holds always/never whatever the answers, else None."""
    if isinstance(formula, Const):
        return formula.value
    if isinstance(formula, Not):
        inner = decided(formula.inner)
        return None if inner is None else not inner
    if isinstance(formula, All):
        values = [decided(p) for p in formula.parts]
        return False if False in values else (True if all(v is True for v in values) else None)
    if isinstance(formula, AnyOf):
        values = [decided(p) for p in formula.parts]
        return True if True in values else (False if all(v is False for v in values) else None)
    return None


class Form(str):
    """Target text that keeps the formula tree it was written from."""

    formula: Formula

    def __new__(cls, text: str, formula: Formula) -> Form:
        made = super().__new__(cls, text)
        made.formula = formula
        return made


def cannot_fail(when: Node | None, check: Node) -> bool:
    """An edit that can never fail: its `when` is false, or its `check` true, whatever the answers."""
    return (isinstance(when, Bool) and not when.value) or (isinstance(check, Bool) and check.value)


# the compiler ----------------------------------------------------------------------------------
class _TwoValued(Visitor):
    """Shared structure of the T/F translation; subclasses supply the target's syntax.

    `visit(node, want)` gives the formula under which a condition is definitely `want`.
    """

    TRUE = FALSE = AND = OR = ""
    OPS: dict[str, str] = {}
    TARGET = ""

    def __init__(self, module: Module, self_id: str | None = None):
        self.module = module
        self.table = symbols(module)
        self.self_id = self_id

    # syntax hooks ------------------------------------------------------------------------------
    def ref(self, name: str) -> str: ...
    def self_ref(self) -> str: ...
    def string(self, value: str) -> str: ...
    def negate(self, text: str) -> str: ...
    def present(self, ref: Node) -> Formula: ...  # the answer is not blank
    def has_code(self, ref: Node, code: int | str) -> Formula: ...  # select_multiple membership
    def date_number(self, node: Node) -> str: ...  # a date as the number YYYYMMDD
    def conditional(self, test: Formula, then: str, other: str, node: Node) -> str: ...

    # writing formulas --------------------------------------------------------------------------
    def render(self, formula: Formula) -> str:
        if isinstance(formula, Atom):
            return formula.text
        if isinstance(formula, Const):
            return self.TRUE if formula.value else self.FALSE
        if isinstance(formula, Not):
            return self.negate(self.render(formula.inner))
        if isinstance(formula, AnyOf):
            texts = [self.render(p) for p in formula.parts]
            if formula.grouped:
                texts = [f"({t})" for t in texts]
            return f" {self.OR} ".join(texts)
        parts = self.terms(formula)
        if not parts:
            return self.TRUE
        if len(parts) == 1:
            return self.render(parts[0])
        return f" {self.AND} ".join(
            f"({self.render(p)})" if p.has_or() else self.render(p) for p in parts
        )

    def terms(self, formula: All) -> list[Formula]:
        """The conjuncts of a conjunction, nested ones flattened, `true` and repeats dropped."""
        out: list[Formula] = []
        seen: set[str] = set()
        for part in formula.parts:
            for term in self.terms(part) if isinstance(part, All) else [part]:
                if isinstance(term, Const) and term.value:
                    continue
                text = self.render(term)
                if text not in seen:
                    seen.add(text)
                    out.append(term)
        return out

    def form(self, formula: Formula) -> Form:
        return Form(self.render(formula), formula)

    @staticmethod
    def formula_of(part: str) -> Formula:
        return part.formula if isinstance(part, Form) else Atom(part)

    def join(self, op: str, parts: list[str]) -> Form:
        """Join compiled forms with `AND` (flattened, repeats dropped) or `OR`."""
        formulas = tuple(self.formula_of(p) for p in parts)
        if op == self.AND:
            return self.form(All(formulas))
        return self.form(formulas[0] if len(formulas) == 1 else AnyOf(formulas))

    # helpers -------------------------------------------------------------------------------------
    def symbol(self, node: Node) -> Symbol | None:
        if isinstance(node, Name):
            return self.table.get(node.id)
        if isinstance(node, Self):
            return self.table.get(self.self_id or "")
        return None

    def known_formula(self, ref: Node) -> Formula:
        symbol = self.symbol(ref)
        parts = [self.present(ref)]
        if symbol is not None:
            for code in sorted(symbol.missing_codes):
                parts.append(
                    Not(self.has_code(ref, code))
                    if symbol.multiple
                    else Atom(f"{self.value(ref)} {self.OPS['!=']} {code}")
                )
        return All(tuple(parts))

    def known(self, ref: Node) -> Form:
        return self.form(self.known_formula(ref))

    def known_value(self, node: Node) -> Formula:
        """When a value is known: its answers are known (and an `if`'s branch is decided)."""
        return _KnownValue(self).visit(node)

    def all_known(self, node: Node) -> Form:
        return self.form(self.known_value(node))

    def fail(self, node: Node, reason: str) -> TargetError:
        return TargetError(
            MigmoduleError.of(
                EXPR_TARGET,
                Location(module=self.module.ref),
                field="expression",
                expression=to_source(node),
                reason=reason,
                target=self.TARGET,
            ).finding
        )

    # values ---------------------------------------------------------------------------------------
    def value(self, node: Node) -> str:
        return _ValueText(self).visit(node)

    # conditions -------------------------------------------------------------------------------
    def prepare(self, node: Node) -> Node:
        return mark_raw_codes(self.module, node, self.self_id)

    def true_form(self, node: Node) -> Form:
        return self.form(self.visit(self.prepare(node), True))

    def false_form(self, node: Node) -> Form:
        return self.form(self.visit(self.prepare(node), False))

    def cannot_be_true(self, form: str) -> bool:
        """Whether a compiled form is false whatever the answers (decided on its formula)."""
        return decided(self.formula_of(form)) is False

    def visit_Bool(self, node: Bool, want: bool) -> Formula:
        return Const(node.value == want)

    def visit_Unary(self, node: Unary, want: bool) -> Formula:
        if node.op != "not":
            raise ValueError(f"not a condition: {node!r}")
        return self.visit(node.operand, not want)

    def not_a_condition(self, node: Node, want: bool) -> Formula:
        raise ValueError(f"not a condition: {node!r}")

    visit_Num = visit_Str = visit_Name = visit_Self = not_a_condition

    def visit_Binary(self, node: Binary, want: bool) -> Formula:
        if node.op in ("and", "or"):
            left, right = self.visit(node.left, want), self.visit(node.right, want)
            # T(a and b) = T(a) and T(b); F(a and b) = F(a) or F(b); dually for or.
            if (node.op == "and") == want:
                return All((left, right))
            return AnyOf((left, right))
        if node.op in COMPARISONS:
            return self.comparison(node, want)
        raise ValueError(f"not a condition: {node!r}")

    def visit_In(self, node: In, want: bool) -> Formula:
        tests = [Binary("==", node.operand, item) for item in node.items]
        combined: Node = tests[0]
        for test in tests[1:]:
            combined = Binary("or", combined, test)
        return self.visit(Unary("not", combined) if node.negated else combined, want)

    def visit_Call(self, node: Call, want: bool) -> Formula:
        return implementation(self, node)(node, want)

    def comparison(self, node: Binary, want: bool) -> Formula:
        if node.raw_code:
            ref, lit = (
                (node.left, node.right) if isinstance(node.right, Num) else (node.right, node.left)
            )
            equal = Atom(f"{self.value(ref)} {self.OPS['==']} {self.special_literal(ref, lit)}")
            return equal if (node.op == "==") == want else Not(equal)
        branching = _first_branching(node)
        if branching is not None:
            return self.branch(node, branching, want)
        text = Atom(f"{self.value(node.left)} {self.OPS[node.op]} {self.value(node.right)}")
        guard = self.known_value(node.left), self.known_value(node.right)
        return All((*guard, text if want else Not(text)))

    def branch(self, node: Node, call: Call, want: bool) -> Formula:
        """A comparison reading `if(c, a, b)` or `coalesce(a, ...)`, split by the branch taken."""

        def on(value: Node) -> Formula:
            return self.visit(fold(_replace(node, call, value), None), want)

        if call.func == "if":
            test, then, other = call.args
            t, f = self.visit(test, True), self.visit(test, False)
            same = self.visit(fold(Binary("==", then, other), None), True)
            return _any(_all(t, on(then)), _all(f, on(other)), _all(Not(t), Not(f), same, on(then)))
        first, rest = call.args[0], call.args[1:]
        remainder = rest[0] if len(rest) == 1 else Call("coalesce", rest)
        known = self.known_value(first)
        return _any(_all(known, on(first)), _all(Not(known), on(remainder)))

    def special_literal(self, ref: Node, literal: Num) -> str:
        """How a missing-value code is written when compared with raw (target may override)."""
        return self.value(literal)

    def special_kind(self, ref: Node, code: int) -> str | None:
        symbol = self.symbol(ref)
        code_list = self.module.code_list_by_id.get(symbol.code_list or "") if symbol else None
        for entry in code_list.codes if code_list else ():
            if entry.code == code and entry.special is not None:
                return entry.special.value
        return None

    # functions (conditions) -------------------------------------------------------------------
    def call_known(self, node: Call, want: bool) -> Formula:
        known = self.known_formula(node.args[0])
        return known if want else Not(known)

    def call_answered(self, node: Call, want: bool) -> Formula:
        present = self.present(node.args[0])
        return present if want else Not(present)

    def call_selected(self, node: Call, want: bool) -> Formula:
        ref, code_node = node.args
        symbol = self.symbol(ref)
        code = code_node.value
        if symbol is not None and symbol.multiple:
            test = self.has_code(ref, code)
            if node.raw_code:
                return test if want else Not(test)
            return All((self.known_formula(ref), test if want else Not(test)))
        return self.comparison(Binary("==", ref, Num(int(code)), raw_code=node.raw_code), want)

    def value_function(self, node: Call, want: bool) -> Formula:
        raise ValueError(f"not a condition: {to_source(node)} is a value")

    call_year = call_if = call_coalesce = call_age_at = call_rate = value_function

    # functions (values) ---------------------------------------------------------------------
    def year_value(self, node: Call) -> str:
        return f"int({self.date_number(node.args[0])} / 10000)"

    def age_at_value(self, node: Call) -> str:
        birth, at = (self.date_number(a) for a in node.args)
        return f"int(({at} - {birth}) / 10000)"

    def if_value(self, node: Call) -> str:
        test, then, other = node.args
        return self.conditional(
            self.visit(self.prepare(test), True), self.value(then), self.value(other), node
        )

    def rate_value(self, node: Call) -> str:
        """A table look-up: XPath writes pulldata(), CSPro logic reads a HashMap. Over an empty
        table a look-up is never known (`rate_known` is false, so the value is never read)."""
        if _table_rows(node) == 0:
            return self.empty_value()
        raise self.fail(node, "rate() (a table look-up)")

    def rate_known(self, node: Call) -> Formula:
        if _table_rows(node) == 0:
            return Const(False)
        raise self.fail(node, "rate() (a table look-up)")

    def empty_value(self) -> str:
        return "notappl"

    def coalesce_value(self, node: Call) -> str:
        first, rest = node.args[0], node.args[1:]
        remainder = self.value(rest[0] if len(rest) == 1 else Call("coalesce", rest))
        return self.conditional(self.known_value(first), self.value(first), remainder, node)

    # derived variables ---------------------------------------------------------------------------
    def cases(self, cases: list[tuple[Node | None, int]]) -> str:
        """First case whose condition is definitely true; blank when none holds."""
        result = self.string("")
        for when, value in reversed(cases):
            result = (
                str(value) if when is None else f"if({self.true_form(when)}, {value}, {result})"
            )
        return result


def _table_rows(node: Call) -> int | None:
    """Rows of the table a rate() call reads (None when it reads no folded table)."""
    table = getattr(node.args[0], "table", None) if node.args else None
    return len(table) if table is not None else None


def _all(*parts: Formula) -> Formula:
    """A conjunction built for a branch: false at once when a part is false."""
    return Const(False) if any(decided(p) is False for p in parts) else All(parts)


def _any(*parts: Formula) -> Formula:
    """A disjunction built for a branch: parts that are false are left out."""
    if any(decided(p) is True for p in parts):
        return Const(True)
    kept = tuple(p for p in parts if decided(p) is not False)
    return Const(False) if not kept else kept[0] if len(kept) == 1 else AnyOf(kept)


def _first_branching(node: Node) -> Call | None:
    """The first `if()` or `coalesce()` a comparison reads, if any."""
    for n in node.walk():
        if isinstance(n, Call) and n.func in ("if", "coalesce"):
            return n
    return None


class _Replace(Transformer):
    """Rebuild a tree with one node (found by identity) replaced."""

    def __init__(self, old: Node, new: Node):
        self.old, self.new = old, new

    def visit(self, node: Node, *args) -> Node:
        return self.new if node is self.old else super().visit(node, *args)


def _replace(tree: Node, old: Node, new: Node) -> Node:
    """`tree` with the node `old` (by identity) replaced by `new`."""
    return _Replace(old, new).visit(tree)


class _ValueText(Visitor[str]):
    """A value in the target's syntax."""

    def __init__(self, target: _TwoValued):
        self.target = target

    def visit_Num(self, node: Num) -> str:
        return repr(node.value) if isinstance(node.value, float) else str(node.value)

    def visit_Str(self, node: Str) -> str:
        return self.target.string(node.value)

    def visit_Name(self, node: Name) -> str:
        return self.target.ref(node.id)

    def visit_Self(self, node: Self) -> str:
        return self.target.self_ref()

    def visit_Unary(self, node: Unary) -> str:
        if node.op != "-":
            raise ValueError(f"not a value: {node!r}")
        return f"-{self.visit(node.operand)}"

    def visit_Binary(self, node: Binary) -> str:
        if node.op not in ("+", "-", "*", "/"):
            raise ValueError(f"not a value: {node!r}")
        op = self.target.OPS.get(node.op, node.op)
        return f"({self.visit(node.left)} {op} {self.visit(node.right)})"

    def not_a_value(self, node: Node) -> str:
        raise ValueError(f"not a value: {node!r}")

    visit_Bool = visit_In = not_a_value

    def visit_Call(self, node: Call) -> str:
        method = getattr(self.target, f"{node.func}_value", None)
        if method is None:
            raise ValueError(f"not a value: {to_source(node)}")
        return method(node)


class _KnownValue(Visitor[Formula]):
    """When a value is known, as a formula: every answer it reads is known, an `if` is decided."""

    def __init__(self, target: _TwoValued):
        self.target = target

    def constant(self, node: Node) -> Formula:
        return Const(True)

    visit_Num = visit_Str = visit_Bool = constant

    def reference(self, node: Node) -> Formula:
        if self.target.symbol(node) is None:
            return Const(True)
        return self.target.known_formula(node)

    visit_Name = visit_Self = reference

    def visit_Unary(self, node: Unary) -> Formula:
        return self.visit(node.operand)

    def visit_Binary(self, node: Binary) -> Formula:
        return All((self.visit(node.left), self.visit(node.right)))

    def visit_In(self, node: In) -> Formula:
        return All(tuple(self.visit(n) for n in node.children()))

    def visit_Call(self, node: Call) -> Formula:
        target = self.target
        if node.func == "if":
            test, then, other = node.args
            t, f = target.visit(test, True), target.visit(test, False)
            same = target.visit(fold(Binary("==", then, other), None), True)
            return _any(
                _all(t, self.visit(then)), _all(f, self.visit(other)), _all(Not(t), Not(f), same)
            )
        if node.func == "coalesce":
            return _any(*(self.visit(arg) for arg in node.args))
        if node.func == "rate":  # known when the keys are known and the table has the key
            keys = tuple(self.visit(arg) for arg in node.args[1:])
            return _all(*keys, target.rate_known(node))
        return All(tuple(self.visit(arg) for arg in node.args))


class XPath(_TwoValued):
    """XLSForm expressions: ${name} references, = != < <= > >=, div, selected(), string-length()."""

    TRUE, FALSE, AND, OR = "true()", "false()", "and", "or"
    OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "/": "div"}
    TARGET = "XLSForm (XPath)"

    def ref(self, name: str) -> str:
        return "${" + name + "}"

    def self_ref(self) -> str:
        return "."

    def string(self, value: str) -> str:
        return "'" + value + "'" if "'" not in value else '"' + value + '"'

    def negate(self, text: str) -> str:
        return f"not({text})"

    def present(self, ref: Node) -> Formula:
        return Atom(f"string-length({self.value(ref)}) > 0")

    def has_code(self, ref: Node, code: int | str) -> Formula:
        return Atom(f"selected({self.value(ref)}, '{code}')")

    def date_number(self, node: Node) -> str:
        if isinstance(node, Str) and _iso_date(node.value) is not None:
            return node.value.replace("-", "")
        return f"number(format-date({self.value(node)}, '%Y%m%d'))"

    def year_value(self, node: Call) -> str:
        arg = node.args[0]
        if isinstance(arg, Str) and _iso_date(arg.value) is not None:
            return arg.value[:4]
        return f"number(format-date({self.value(arg)}, '%Y'))"

    def age_at_value(self, node: Call) -> str:
        birth, at = (self.date_number(a) for a in node.args)
        return f"floor(({at} - {birth}) div 10000)"

    def conditional(self, test: Formula, then: str, other: str, node: Node) -> str:
        return f"if({self.render(test)}, {then}, {other})"

    def empty_value(self) -> str:
        return "''"

    def rate_value(self, node: Call) -> str:
        """ODK's pulldata() from the form's CSV attachment named after the table parameter
        (`spec.tables.pulldata_csv` writes it: columns key and value, the key parts joined by
        '-', e.g. 524-2025-3). An empty table has no file: its look-ups are blank, unwritten."""
        if _table_rows(node) == 0:
            return self.empty_value()
        return f"number({self.pulldata(node)})"

    def pulldata(self, node: Call) -> str:
        table, *keys = node.args
        parts = ", '-', ".join(self.value(k) for k in keys)
        key = f"concat({parts})" if len(keys) > 1 else f"string({parts})"
        return f"pulldata('{pulldata_name(table.value)}', 'value', 'key', {key})"

    def rate_known(self, node: Call) -> Formula:
        if _table_rows(node) == 0:
            return Const(False)
        return Atom(f"string-length({self.pulldata(node)}) > 0")

    def expression_value(self, node: Node, when: Node | None = None) -> str:
        """A derived numeric value: blank unless every input is known (and `when` holds)."""
        guard = self.known_value(node)
        if when is not None:
            guard = All((guard, self.visit(self.prepare(when), True)))
        body = self.value(node)
        text = self.render(guard)
        return body if text == self.TRUE else f"if({text}, {body}, '')"


class CSProLogic(_TwoValued):
    """CSPro logic: upper-case item names, = <> and or not, special() for MISSING/REFUSED/NOTAPPL.

    select_multiple answers are items with one yes(1)/no item per code, named <VAR>_<code>.
    Missing-value codes that CSPro has special values for (not stated, refused, not applicable) are
    written as those special values by the CSPro export; don't-know codes stay ordinary codes.
    Dates are numeric items YYYYMMDD. CSPro logic has no conditional expression, so `if()` and
    `coalesce()` compile inside comparisons (split by branch) but not as a bare value. A table
    look-up `rate(TABLE, k, ...)` reads a HashMap, `TABLE(k, ...)`.
    """

    TRUE, FALSE, AND, OR = "1 = 1", "1 = 0", "and", "or"
    OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "/": "/"}
    TARGET = "CSPro logic"

    def __init__(
        self,
        module: Module,
        self_id: str | None = None,
        item_name: Callable[[str], str] | None = None,
        table_name: Callable[[str, Table], str] | None = None,
    ):
        super().__init__(module, self_id)
        self.item_name = item_name or self._default_item_name
        # the HashMap holding a table parameter (the CSPro export names and declares it)
        self.table_name = table_name or (lambda parameter, table: parameter.upper())

    def _default_item_name(self, name: str) -> str:
        question = self.module.question_by_id.get(name)
        derived = self.module.derived_by_id.get(name)
        variable = (
            question.variable_name if question else derived.variable_name if derived else name
        )
        return variable.upper()

    # The CSPro export writes these kinds as CSPro special values; don't know stays a code.
    SPECIAL_VALUES = {"not_stated": "MISSING", "refused": "REFUSED", "not_applicable": "NOTAPPL"}

    def ref(self, name: str) -> str:
        return self.item_name(name)

    def special_literal(self, ref: Node, literal: Num) -> str:
        kind = self.special_kind(ref, int(literal.value))
        return self.SPECIAL_VALUES.get(kind or "", self.value(literal))

    def self_ref(self) -> str:
        return self.item_name(self.self_id or "$")

    def string(self, value: str) -> str:
        return '"' + value.replace('"', "'") + '"'

    def negate(self, text: str) -> str:
        return f"not ({text})"

    def present(self, ref: Node) -> Formula:
        symbol = self.symbol(ref)
        if symbol is not None and symbol.multiple:
            items = tuple(Atom(f"{self.value(ref)}_{c} = 1") for c in sorted(symbol.codes or ()))
            return AnyOf(items, grouped=False) if len(items) != 1 else items[0]
        return Atom(
            f"not special({self.value(ref)})"
            if symbol is None or symbol.numeric or symbol.date
            else f'strip({self.value(ref)}) <> ""'
        )

    def known_formula(self, ref: Node) -> Formula:
        symbol = self.symbol(ref)
        if symbol is not None and not symbol.multiple and (symbol.numeric or symbol.date):
            codes = [
                c
                for c in sorted(symbol.missing_codes)
                if self.special_kind(ref, c) not in self.SPECIAL_VALUES
            ]
            return All((self.present(ref), *(Atom(f"{self.value(ref)} <> {c}") for c in codes)))
        if symbol is not None and symbol.multiple:
            return All(
                (
                    *(Atom(f"{self.value(ref)}_{c} <> 1") for c in sorted(symbol.missing_codes)),
                    self.present(ref),
                )
            )
        return super().known_formula(ref)

    def has_code(self, ref: Node, code: int | str) -> Formula:
        return Atom(f"{self.value(ref)}_{code} = 1")

    def call_answered(self, node: Call, want: bool) -> Formula:
        """Not blank: CSPro's special values for not stated and refused are answers too.

        A code of kind not_applicable is written as NOTAPPL, as a blank is: CSPro cannot tell
        those two apart, so such a code reads as not answered here.
        """
        ref = node.args[0]
        symbol = self.symbol(ref)
        present = self.present(ref)
        if symbol is not None and not symbol.multiple and (symbol.numeric or symbol.date):
            kinds = {self.special_kind(ref, c) for c in symbol.special_codes}
            specials = [
                Atom(f"{self.value(ref)} = {self.SPECIAL_VALUES[kind]}")
                for kind in ("not_stated", "refused")
                if kind in kinds
            ]
            if specials:
                present = AnyOf((present, *specials), grouped=False)
        return present if want else Not(present)

    def date_number(self, node: Node) -> str:
        if isinstance(node, Str) and _iso_date(node.value) is not None:
            return node.value.replace("-", "")
        return self.value(node)

    def conditional(self, test: Formula, then: str, other: str, node: Node) -> str:
        raise self.fail(node, f"{node.func}() as a value (CSPro logic has no conditional value)")

    def rate_value(self, node: Call) -> str:
        """`TABLE(key, ...)`: the HashMap the CSPro export declares in PROC GLOBAL (default
        notappl) and fills with the table's rows in the questionnaire's preproc."""
        if _table_rows(node) == 0:
            return self.empty_value()
        table, *keys = node.args
        return (
            f"{self.table_name(table.value, table.table)}({', '.join(self.value(k) for k in keys)})"
        )

    def rate_known(self, node: Call) -> Formula:
        """A key the table has: the HashMap gives its default, notappl, for any other (the
        table's values are numbers above 0, never special)."""
        if _table_rows(node) == 0:
            return Const(False)
        return Atom(f"not special({self.rate_value(node)})")

    def cases(self, cases: list[tuple[Node | None, int]]) -> str:
        lines, first = [], True
        for when, value in cases:
            if when is None:
                lines.append(f"else\n  $ = {value};" if not first else f"$ = {value};")
                break
            keyword = "if" if first else "elseif"
            lines.append(f"{keyword} {self.true_form(when)} then\n  $ = {value};")
            first = False
        text = "\n".join(lines)
        return text + ("\nendif;" if not first else "")

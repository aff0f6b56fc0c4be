"""What names mean in a module's expressions: checking, inlining conditions, folding parameters.

Every compiler (XLSForm, CSPro, pandas, sentence) works on the output of `prepare`: an AST in which
conditions are inlined and parameters replaced by their values, so that the targets cannot differ
in how they read the spec.
"""

from __future__ import annotations

import datetime as dt
import difflib
import weakref
from dataclasses import dataclass, field
from typing import Any

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.countries import by_m49
from migmodule.expr import codes as expr_codes  # noqa: F401  (registers the compilers' codes)
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
    names,
    to_source,
)
from migmodule.expr.functions import FUNCTIONS, is_condition
from migmodule.expr.parser import MAX_TREE_DEPTH, ExprSyntaxError, parse, tree_depth
from migmodule.expr.visit import Transformer, Visitor
from migmodule.spec import codes
from migmodule.spec.model import MISSING_KINDS, CodeList, Module, QuestionType
from migmodule.spec.tables import Table


@dataclass(frozen=True)
class TableRef(Str):
    """A table parameter once its value is substituted (`fold`): `value` is its name, `table` its
    rows (`spec.tables.Table`). Only `rate()` reads the table; any other visitor sees the text
    literal it derives from, so no visitor needs a method of its own for it."""

    table: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Symbol:
    """A name a rule can read: a question or a derived variable."""

    id: str
    kind: str  # "question" or "derived"
    level: str
    missing_codes: frozenset[int]  # special codes that are missing values (unknown)
    special_codes: frozenset[int]  # all special codes, "other" included
    codes: frozenset[int] | None  # allowed codes, None when not a coded item
    code_list: str | None
    multiple: bool = False
    numeric: bool = True
    date: bool = False


def code_values(module: Module, code_list: CodeList) -> frozenset[int]:
    values = {c.code for c in code_list.codes}
    if code_list.source == "builtin:countries":
        values |= set(by_m49())
    return frozenset(values)


def _missing(code_list: CodeList | None) -> frozenset[int]:
    if code_list is None:
        return frozenset()
    return frozenset(c.code for c in code_list.codes if c.special in MISSING_KINDS)


def _build_symbols(module: Module) -> dict[str, Symbol]:
    table: dict[str, Symbol] = {}
    for q in module.questions:
        cl = module.code_list_by_id.get(q.code_list) if q.code_list else None
        table[q.id] = Symbol(
            id=q.id,
            kind="question",
            level=q.level,
            missing_codes=_missing(cl),
            special_codes=frozenset(cl.special_codes) if cl else frozenset(),
            codes=code_values(module, cl) if cl and q.is_select else None,
            code_list=q.code_list,
            multiple=q.type == QuestionType.SELECT_MULTIPLE,
            numeric=q.type
            not in (QuestionType.TEXT, QuestionType.DATE, QuestionType.SELECT_MULTIPLE),
            date=q.type == QuestionType.DATE,
        )
    for d in module.derived:
        cl = module.code_list_by_id.get(d.code_list) if d.code_list else None
        table[d.id] = Symbol(
            id=d.id,
            kind="derived",
            level=d.level,
            missing_codes=_missing(cl),
            special_codes=frozenset(cl.special_codes) if cl else frozenset(),
            codes=code_values(module, cl) if cl else None,
            code_list=d.code_list,
        )
    return table


# The symbol table of each module, kept beside the (frozen) module rather than on it. Keyed by
# id(), since a module is not hashable; the finalizer drops the entry when the module goes.
_SYMBOLS: dict[int, dict[str, Symbol]] = {}


def symbols(module: Module) -> dict[str, Symbol]:
    key = id(module)
    table = _SYMBOLS.get(key)
    if table is None:
        table = _SYMBOLS[key] = _build_symbols(module)
        weakref.finalize(module, _SYMBOLS.pop, key, None)
    return table


def ancestors(module: Module, level: str) -> list[str]:
    """The level and the levels above it, nearest first."""
    chain, seen = [], set()
    while level and level not in seen and level in module.level_by_id:
        chain.append(level)
        seen.add(level)
        level = module.level_by_id[level].parent
    return chain


def _suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=3)
    return f" Did you mean {', '.join(close)}?" if close else ""


@dataclass(frozen=True)
class Field:
    """Where an expression sits, for messages: 'universe of question year_of_arrival'."""

    label: str
    level: str | None = None
    self_id: str | None = None  # the question a constraint belongs to
    location: Location = Location()


class _Checker(Visitor[None]):
    """The semantic checks of one expression: names, levels, functions and their arguments."""

    def __init__(self, module: Module, where: Field, add):
        self.module = module
        self.where = where
        self.add = add
        self.table = symbols(module)
        self.allowed_levels = set(ancestors(module, where.level)) if where.level else None
        self.known_names = (
            list(self.table) + list(module.condition_by_id) + list(module.parameter_by_id)
        )
        self.condition_names = frozenset(module.condition_by_id)

    def children(self, node: Node) -> None:
        for child in node.children():
            self.visit(child)

    def visit_Num(self, node: Num) -> None:
        pass

    visit_Str = visit_Bool = visit_Num

    def visit_Self(self, node: Self) -> None:
        if self.where.self_id is None:
            self.add(codes.EXPR_SELF, node.pos)

    def visit_Unary(self, node: Unary) -> None:
        self.children(node)

    visit_Binary = visit_In = visit_Unary

    def visit_Name(self, node: Name, date_allowed: bool = False) -> None:
        module = self.module
        if node.id in self.table:
            symbol = self.table[node.id]
            if self.allowed_levels is not None and symbol.level not in self.allowed_levels:
                self.add(
                    codes.EXPR_LEVEL,
                    node.pos,
                    name=node.id,
                    other_level=symbol.level,
                    level=self.where.level,
                )
        elif node.id in module.condition_by_id or node.id in module.parameter_by_id:
            param = module.parameter_by_id.get(node.id)
            as_value = param is not None and param.type in ("code_list", "date", "table")
            if as_value and not (param.type == "date" and date_allowed):
                self.add(
                    codes.EXPR_ARGUMENTS,
                    node.pos,
                    reason=f"parameter {node.id} ({param.type}) cannot be used as a value here",
                )
        else:
            self.add(
                codes.EXPR_UNKNOWN_NAME,
                node.pos,
                name=node.id,
                suggestion=_suggest(node.id, self.known_names),
            )

    def visit_Call(self, node: Call) -> None:
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            self.add(
                codes.EXPR_UNKNOWN_FUNCTION, node.pos, name=node.func, known=", ".join(FUNCTIONS)
            )
            return
        if not spec.accepts(len(node.args)):
            self.add(
                codes.EXPR_ARGUMENTS,
                node.pos,
                reason=f"{node.func}() takes {spec.arity_text()}, not {len(node.args)}",
            )
            return
        for index, arg in enumerate(node.args):
            reason = self.argument_problem(node, spec.kind(index), arg)
            if reason is not None:
                self.add(codes.EXPR_ARGUMENTS, node.pos, reason=reason)
                return
        for index, arg in enumerate(node.args):
            if spec.kind(index) == "table":
                continue  # argument_problem checked it is a table parameter
            if isinstance(arg, Name):
                self.visit_Name(arg, date_allowed=True)
            else:
                self.visit(arg)

    def is_date(self, node: Node) -> bool:
        if isinstance(node, Str):
            return _iso_date(node.value) is not None
        if isinstance(node, Name):
            param = self.module.parameter_by_id.get(node.id)
            symbol = self.table.get(node.id)
            return (param is not None and param.type == "date") or (
                symbol is not None and symbol.date
            )
        if isinstance(node, Self):
            symbol = self.table.get(self.where.self_id or "")
            return symbol is not None and symbol.date
        return False

    def argument_problem(self, node: Call, kind: str, arg: Node) -> str | None:
        name = node.func
        if kind == "table":
            param = self.module.parameter_by_id.get(arg.id) if isinstance(arg, Name) else None
            if param is None or param.type != "table":
                return f"{name}() takes a table parameter as its first argument"
            if len(node.args) - 1 != len(param.keys or []):
                return (
                    f"{name}({param.id}, ...) takes its key columns "
                    f"({', '.join(param.keys or [])}) after the table, "
                    f"not {len(node.args) - 1} argument(s)"
                )
            return None
        if kind == "reference":
            if (isinstance(arg, Name) and arg.id in self.table) or isinstance(arg, Self):
                return None
            return f"{name}() takes a question or derived variable as its first argument"
        if kind == "code":
            if isinstance(arg, (Num, Str)):
                return None
            return f"{name}() takes a code as its second argument"
        if kind == "date":
            if self.is_date(arg):
                return None
            if name == "year":
                return "year() takes a date parameter or a date question, e.g. year(REF_DATE)"
            return f"{name}() takes dates (a date parameter, a date question or 'YYYY-MM-DD')"
        condition = is_condition(arg, self.condition_names)
        if kind == "condition" and not condition:
            return f"{name}() takes a condition as its first argument"
        if kind == "value" and condition:
            return f"{name}() takes values (numbers, text or dates), not conditions"
        return None


def check(module: Module, text: str, where: Field) -> tuple[Node | None, list[Finding]]:
    """Parse and check an expression against a module; return the AST (None if unparsable) and findings."""
    findings: list[Finding] = []

    def add(issue, column: int, **values: Any) -> None:
        loc = Location(**{**where.location.__dict__, "column": column})
        findings.append(
            Finding.make(issue, loc, field=where.label, expression=text, column=column, **values)
        )

    try:
        tree = parse(text)
    except ExprSyntaxError as exc:
        if exc.typographic:
            add(codes.EXPR_TYPOGRAPHIC_QUOTE, exc.column, char=exc.typographic)
        else:
            add(codes.EXPR_SYNTAX, exc.column, reason=exc.reason)
        return None, findings

    _Checker(module, where, add).visit(tree)
    findings.extend(_check_codes(module, tree, text, where))
    return tree, findings


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


class _CodeLiterals(Visitor[None]):
    """(reference, literal) pairs compared for equality, membership or selected()."""

    def __init__(self) -> None:
        self.pairs: list[tuple[Name | Self, Node]] = []

    def leaf(self, node: Node) -> None:
        pass

    visit_Num = visit_Str = visit_Bool = visit_Name = visit_Self = leaf

    def children(self, node: Node) -> None:
        for child in node.children():
            self.visit(child)

    def visit_Unary(self, node: Unary) -> None:
        self.children(node)

    def visit_Binary(self, node: Binary) -> None:
        if node.op in ("==", "!="):
            for ref, lit in ((node.left, node.right), (node.right, node.left)):
                if isinstance(ref, (Name, Self)) and isinstance(lit, Num):
                    self.pairs.append((ref, lit))
        self.children(node)

    def visit_In(self, node: In) -> None:
        if isinstance(node.operand, (Name, Self)):
            self.pairs.extend((node.operand, i) for i in node.items if isinstance(i, Num))
        self.children(node)

    def visit_Call(self, node: Call) -> None:
        if node.func == "selected" and len(node.args) == 2:
            ref, lit = node.args
            if isinstance(ref, (Name, Self)) and isinstance(lit, (Num, Str)):
                self.pairs.append((ref, lit))
        self.children(node)


def _code_literals(node: Node) -> list[tuple[Name | Self, Node]]:
    """(reference, literal) pairs compared for equality, membership or selected()."""
    collector = _CodeLiterals()
    collector.visit(node)
    return collector.pairs


def _check_codes(module: Module, tree: Node, text: str, where: Field) -> list[Finding]:
    findings = []
    table = symbols(module)
    for ref, literal in _code_literals(tree):
        name = where.self_id if isinstance(ref, Self) else ref.id
        symbol = table.get(name or "")
        if symbol is None or symbol.codes is None:
            continue
        value = literal.value
        if isinstance(value, str):
            value = int(value) if value.lstrip("-").isdigit() else value
        if value not in symbol.codes:
            listed = sorted(symbol.codes)
            shown = ", ".join(map(str, listed[:12])) + (" ..." if len(listed) > 12 else "")
            loc = Location(**{**where.location.__dict__, "column": literal.pos})
            findings.append(
                Finding.make(
                    codes.EXPR_CODE,
                    loc,
                    field=where.label,
                    expression=text,
                    column=literal.pos,
                    code=literal.value,
                    code_list=symbol.code_list,
                    name=name,
                    codes=shown,
                )
            )
    return findings


class _Expand(Transformer):
    """Replace condition names by their (expanded) expressions. Each condition is expanded once
    and its tree shared wherever it is named (nodes are immutable), so forty conditions that
    each name the previous one twice make forty subtrees, not 2^40 leaves."""

    def __init__(self, module: Module, stack: tuple[str, ...], done: dict[str, Node]):
        self.module = module
        self.stack = stack
        self.done = done

    def visit_Name(self, node: Name) -> Node:
        if node.id not in self.module.condition_by_id:
            return node
        if node.id in self.stack:
            cycle = " -> ".join((*self.stack, node.id))
            raise MigmoduleError.of(codes.EXPR_CYCLE, Location(module=self.module.ref), cycle=cycle)
        if node.id not in self.done:
            condition = self.module.condition_by_id[node.id]
            inner = _Expand(self.module, (*self.stack, node.id), self.done)
            self.done[node.id] = inner.visit(parse(condition.expression))
        return self.done[node.id]


# Inlined conditions are shared in memory, but a target writes each use out in full (an XPath
# string, a sentence), so the tree as the targets see it is bounded in size and depth.
MAX_EXPANDED_NODES = 20_000


def expand(module: Module, tree: Node) -> Node:
    """Replace condition names by their (expanded) expressions; a coded error when the result,
    written out, would exceed MAX_EXPANDED_NODES nodes or MAX_TREE_DEPTH levels."""
    expanded = _Expand(module, (), {}).visit(tree)
    size, depth = _written_size(expanded), tree_depth(expanded)
    if size > MAX_EXPANDED_NODES or depth > MAX_TREE_DEPTH:
        raise MigmoduleError.of(
            codes.EXPR_TOO_LARGE,
            Location(module=module.ref),
            expression=to_source(tree)[:200],
            size=f"{size:,}",
            depth=depth,
            max_size=f"{MAX_EXPANDED_NODES:,}",
            max_depth=MAX_TREE_DEPTH,
        )
    return expanded


def _written_size(root: Node) -> int:
    """Nodes of a tree counted with every shared subtree written out, computed on the shared tree."""
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        children = node.children()
        if done:
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def _literal(value: Any, pos: int) -> Node:
    if isinstance(value, bool):
        return Bool(value, pos=pos)
    if isinstance(value, (int, float)):
        return Num(value, pos=pos)
    return Str(str(value), pos=pos)


def _constant(node: Node) -> Any:
    return node.value if isinstance(node, (Num, Str, Bool)) else None


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def completed_years(birth: dt.date, at: dt.date) -> int:
    """Age in completed years on a date (the birthday itself counts)."""
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


class _Fold(Transformer):
    """Substitute parameter values and fold constant sub-expressions (Kleene for and/or)."""

    def __init__(self, params: dict[str, Any] | None):
        self.params = params or {}
        self.parameters = params is not None

    def visit_Name(self, node: Name) -> Node:
        if not node.is_parameter or not self.parameters:
            return node
        if self.params.get(node.id) is None:
            raise MigmoduleError.of(codes.EXPR_PARAMETER_VALUE, name=node.id)
        value = self.params[node.id]
        if isinstance(value, Table):
            return TableRef(node.id, table=value, pos=node.pos)
        return _literal(value, node.pos)

    def visit_Unary(self, node: Unary) -> Node:
        node = super().visit_Unary(node)
        if node.op == "not" and isinstance(node.operand, Bool):
            return Bool(not node.operand.value, pos=node.pos)
        if node.op == "-" and isinstance(node.operand, Num):
            return Num(-node.operand.value, pos=node.pos)
        return node

    def visit_Binary(self, node: Binary) -> Node:
        node = super().visit_Binary(node)
        left, right = node.left, node.right
        if node.op in ("and", "or"):
            # Kleene logic with a known side: false and x = false, true and x = x, ...
            for known, other in ((left, right), (right, left)):
                if isinstance(known, Bool):
                    if node.op == "and":
                        return other if known.value else Bool(False, pos=node.pos)
                    return Bool(True, pos=node.pos) if known.value else other
            return node
        lv, rv = _constant(left), _constant(right)
        if lv is None or rv is None or isinstance(lv, bool) or isinstance(rv, bool):
            return node
        if node.op in COMPARISONS:
            if isinstance(lv, str) != isinstance(rv, str) and node.op not in ("==", "!="):
                return node
            return Bool(_COMPARE[node.op](lv, rv), pos=node.pos)
        if node.op in ARITHMETIC and isinstance(lv, (int, float)) and isinstance(rv, (int, float)):
            if node.op == "/" and rv == 0:
                return node
            result = {"+": lv + rv, "-": lv - rv, "*": lv * rv}.get(
                node.op, lv / rv if rv else None
            )
            return Num(result, pos=node.pos)
        return node

    def visit_In(self, node: In) -> Node:
        node = super().visit_In(node)
        value = _constant(node.operand)
        items = [_constant(i) for i in node.items]
        if value is not None and None not in items:
            return Bool((value in items) != node.negated, pos=node.pos)
        return node

    def visit_Call(self, node: Call) -> Node:
        if node.func == "year" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, Name) and arg.id in self.params:
                if self.params[arg.id] is None:
                    raise MigmoduleError.of(codes.EXPR_PARAMETER_VALUE, name=arg.id)
                return Num(dt.date.fromisoformat(self.params[arg.id]).year, pos=node.pos)
        node = super().visit_Call(node)
        dates = [_iso_date(a.value) if isinstance(a, Str) else None for a in node.args]
        if node.func == "year" and len(dates) == 1 and dates[0] is not None:
            return Num(dates[0].year, pos=node.pos)
        if node.func == "age_at" and len(dates) == 2 and None not in dates:
            return Num(completed_years(dates[0], dates[1]), pos=node.pos)
        if node.func == "coalesce":
            # a look-up in an empty table is unknown on every row: coalesce() passes over it, so
            # every target (CSPro, which has no look-up, too) reads the arguments left
            kept = tuple(a for a in node.args if not _empty_lookup(a))
            if len(kept) == 1:
                return kept[0]
            if kept and len(kept) < len(node.args):
                return Call("coalesce", kept, pos=node.pos)
        if node.func == "rate" and isinstance(node.args[0], TableRef):
            keys = [_constant(a) for a in node.args[1:]]
            if all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in keys):
                found = node.args[0].table.get(keys)  # constant keys: looked up once, here
                if found is not None:
                    return Num(found, pos=node.pos)
        return node


def _empty_lookup(node: Node) -> bool:
    """`rate(TABLE, ...)` over a table with no rows: unknown whatever the keys."""
    return (
        isinstance(node, Call)
        and node.func == "rate"
        and isinstance(node.args[0], TableRef)
        and len(node.args[0].table) == 0
    )


def fold(tree: Node, params: dict[str, Any] | None) -> Node:
    """Substitute parameter values and fold constant sub-expressions (None: names are no parameters)."""
    return _Fold(params).visit(tree)


class _MarkRawCodes(Transformer):
    """Mark comparisons with a literal missing-value code: they compare the raw code (two-valued).

    `q in (1, 98)` becomes `q == 1 or q == 98` when one of its items is such a code, so that each
    item follows its own rule; every target reads the marks instead of deciding this again.
    """

    def __init__(self, module: Module, self_id: str | None):
        self.table = symbols(module)
        self.self_id = self_id

    def symbol(self, node: Node) -> Symbol | None:
        if isinstance(node, Name):
            return self.table.get(node.id)
        if isinstance(node, Self):
            return self.table.get(self.self_id or "")
        return None

    def is_missing_code(self, ref: Node, literal: Node) -> bool:
        symbol = self.symbol(ref)
        return (
            symbol is not None
            and not symbol.multiple
            and isinstance(literal, Num)
            and literal.value in symbol.missing_codes
        )

    def visit_Binary(self, node: Binary) -> Node:
        node = super().visit_Binary(node)
        if node.op in ("==", "!=") and (
            self.is_missing_code(node.left, node.right)
            or self.is_missing_code(node.right, node.left)
        ):
            return Binary(node.op, node.left, node.right, pos=node.pos, raw_code=True)
        return node

    def visit_In(self, node: In) -> Node:
        node = super().visit_In(node)
        if not any(self.is_missing_code(node.operand, item) for item in node.items):
            return node
        tests = [self.visit(Binary("==", node.operand, item, pos=node.pos)) for item in node.items]
        combined = tests[0]
        for test in tests[1:]:
            combined = Binary("or", combined, test, pos=node.pos)
        return Unary("not", combined, pos=node.pos) if node.negated else combined

    def visit_Call(self, node: Call) -> Node:
        node = super().visit_Call(node)
        if node.func != "selected" or len(node.args) != 2:
            return node
        ref, code = node.args
        symbol = self.symbol(ref)
        if symbol is None or not isinstance(code, Num) or code.value not in symbol.missing_codes:
            return node
        return Call(node.func, node.args, pos=node.pos, raw_code=True)


def mark_raw_codes(module: Module, tree: Node, self_id: str | None = None) -> Node:
    """Decide once, on the tree, which comparisons read a raw missing-value code (idempotent)."""
    return _MarkRawCodes(module, self_id).visit(tree)


def prepare(module: Module, text: str, params: dict[str, Any], self_id: str | None = None) -> Node:
    """Parse, inline conditions, fold parameters and mark raw-code comparisons: every compiler's input."""
    return mark_raw_codes(module, fold(expand(module, parse(text)), params), self_id)


# What each expression of a module reads, kept beside the (frozen) module as its symbol table is:
# a validation asks it of the same few hundred texts many times while it sets up its checks
# (and per chunk for derived variables); parsing and expanding each time cost ~0.05 s per run.
_REFERENCED: dict[int, dict[str, tuple[str, ...]]] = {}


def referenced(module: Module, text: str) -> list[str]:
    """Question and derived ids an expression reads, conditions expanded, in first-use order
    (computed once per module and text; an expression that does not parse raises every time)."""
    key = id(module)
    known = _REFERENCED.get(key)
    if known is None:
        known = _REFERENCED[key] = {}
        weakref.finalize(module, _REFERENCED.pop, key, None)
    found = known.get(text)
    if found is None:
        found = known[text] = _referenced(module, text)
    return list(found)


def _referenced(module: Module, text: str) -> tuple[str, ...]:
    table = symbols(module)
    seen: list[str] = []
    for name in names(expand(module, parse(text))):
        if name.id in table and name.id not in seen:
            seen.append(name.id)
    return tuple(seen)

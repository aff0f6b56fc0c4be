"""What names mean in a module's expressions: checking, inlining conditions, folding parameters.

Every compiler (XLSForm, CSPro, pandas, sentence) works on the output of `prepare`: an AST in which
conditions are inlined and parameters replaced by their values, so that the targets cannot differ
in how they read the spec.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.countries import by_m49
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
)
from migmodule.expr.parser import ExprSyntaxError, parse
from migmodule.spec import codes
from migmodule.spec.model import MISSING_KINDS, CodeList, Module, QuestionType

FUNCTIONS = {"selected": 2, "answered": 1, "known": 1, "year": 1}


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


def symbols(module: Module) -> dict[str, Symbol]:
    if "symbols" not in module.memo:
        module.memo["symbols"] = _build_symbols(module)
    return module.memo["symbols"]


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

    table = symbols(module)
    allowed_levels = set(ancestors(module, where.level)) if where.level else None
    known_names = list(table) + list(module.condition_by_id) + list(module.parameter_by_id)

    for node in tree.walk():
        if isinstance(node, Self) and where.self_id is None:
            add(codes.EXPR_SELF, node.pos)
        elif isinstance(node, Call):
            if node.func not in FUNCTIONS:
                add(
                    codes.EXPR_UNKNOWN_FUNCTION,
                    node.pos,
                    name=node.func,
                    known=", ".join(FUNCTIONS),
                )
                continue
            if len(node.args) != FUNCTIONS[node.func]:
                add(
                    codes.EXPR_ARGUMENTS,
                    node.pos,
                    reason=f"{node.func}() takes {FUNCTIONS[node.func]} argument(s), not {len(node.args)}",
                )
                continue
            first = node.args[0]
            if node.func == "year":
                param = module.parameter_by_id.get(first.id) if isinstance(first, Name) else None
                if param is None or param.type != "date":
                    add(
                        codes.EXPR_ARGUMENTS,
                        node.pos,
                        reason="year() takes a date parameter, e.g. year(REF_DATE)",
                    )
            elif not (isinstance(first, Name) and first.id in table) and not isinstance(
                first, Self
            ):
                add(
                    codes.EXPR_ARGUMENTS,
                    node.pos,
                    reason=f"{node.func}() takes a question or derived variable as its first argument",
                )
            elif node.func == "selected" and not isinstance(node.args[1], (Num, Str)):
                add(
                    codes.EXPR_ARGUMENTS,
                    node.pos,
                    reason="selected() takes a code as its second argument",
                )
        elif isinstance(node, Name):
            if node.id in table:
                symbol = table[node.id]
                if allowed_levels is not None and symbol.level not in allowed_levels:
                    add(
                        codes.EXPR_LEVEL,
                        node.pos,
                        name=node.id,
                        other_level=symbol.level,
                        level=where.level,
                    )
            elif node.id in module.condition_by_id or node.id in module.parameter_by_id:
                param = module.parameter_by_id.get(node.id)
                if param is not None and param.type in ("code_list", "date"):
                    inside_year = any(
                        isinstance(c, Call) and c.func == "year" and node in c.args
                        for c in tree.walk()
                    )
                    if not (param.type == "date" and inside_year):
                        add(
                            codes.EXPR_ARGUMENTS,
                            node.pos,
                            reason=f"parameter {node.id} ({param.type}) cannot be used as a value here",
                        )
            else:
                add(
                    codes.EXPR_UNKNOWN_NAME,
                    node.pos,
                    name=node.id,
                    suggestion=_suggest(node.id, known_names),
                )

    findings.extend(_check_codes(module, tree, text, where))
    return tree, findings


def _code_literals(node: Node) -> list[tuple[Name | Self, Node]]:
    """(reference, literal) pairs compared for equality, membership or selected()."""
    pairs: list[tuple[Name | Self, Node]] = []
    for n in node.walk():
        if isinstance(n, Binary) and n.op in ("==", "!="):
            for ref, lit in ((n.left, n.right), (n.right, n.left)):
                if isinstance(ref, (Name, Self)) and isinstance(lit, Num):
                    pairs.append((ref, lit))
        elif isinstance(n, In) and isinstance(n.operand, (Name, Self)):
            pairs.extend((n.operand, item) for item in n.items if isinstance(item, Num))
        elif isinstance(n, Call) and n.func == "selected" and len(n.args) == 2:
            ref, lit = n.args
            if isinstance(ref, (Name, Self)) and isinstance(lit, (Num, Str)):
                pairs.append((ref, lit))
    return pairs


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


def expand(module: Module, tree: Node, _stack: tuple[str, ...] = ()) -> Node:
    """Replace condition names by their (expanded) expressions."""

    def visit(node: Node) -> Node:
        if isinstance(node, Name) and node.id in module.condition_by_id:
            if node.id in _stack:
                cycle = " -> ".join((*_stack, node.id))
                raise MigmoduleError.of(codes.EXPR_CYCLE, Location(module=module.ref), cycle=cycle)
            condition = module.condition_by_id[node.id]
            return expand(module, parse(condition.expression), (*_stack, node.id))
        return _rebuild(node, visit)

    return visit(tree)


def _rebuild(node: Node, visit) -> Node:
    if isinstance(node, Unary):
        return Unary(node.op, visit(node.operand), pos=node.pos)
    if isinstance(node, Binary):
        return Binary(node.op, visit(node.left), visit(node.right), pos=node.pos)
    if isinstance(node, In):
        return In(
            visit(node.operand), tuple(visit(i) for i in node.items), node.negated, pos=node.pos
        )
    if isinstance(node, Call):
        return Call(node.func, tuple(visit(a) for a in node.args), pos=node.pos)
    return node


def _literal(value: Any, pos: int) -> Node:
    if isinstance(value, bool):
        return Bool(value, pos=pos)
    if isinstance(value, (int, float)):
        return Num(value, pos=pos)
    return Str(str(value), pos=pos)


def fold(tree: Node, params: dict[str, Any]) -> Node:
    """Substitute parameter values and fold constant sub-expressions."""

    def visit(node: Node) -> Node:
        if isinstance(node, Call) and node.func == "year":
            arg = node.args[0]
            if isinstance(arg, Name) and arg.id in params:
                if params[arg.id] is None:
                    raise MigmoduleError.of(codes.EXPR_PARAMETER_VALUE, name=arg.id)
                return Num(dt.date.fromisoformat(params[arg.id]).year, pos=node.pos)
            return node
        if isinstance(node, Name) and node.is_parameter:
            if params.get(node.id) is None:
                raise MigmoduleError.of(codes.EXPR_PARAMETER_VALUE, name=node.id)
            return _literal(params[node.id], node.pos)
        node = _rebuild(node, visit)
        return _fold_constant(node)

    return visit(tree)


def _constant(node: Node) -> Any:
    return node.value if isinstance(node, (Num, Str, Bool)) else None


def _fold_constant(node: Node) -> Node:
    if isinstance(node, Unary):
        value = _constant(node.operand)
        if node.op == "not" and isinstance(node.operand, Bool):
            return Bool(not value, pos=node.pos)
        if node.op == "-" and isinstance(node.operand, Num):
            return Num(-value, pos=node.pos)
        return node
    if isinstance(node, Binary):
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
            result = {
                "==": lambda: lv == rv,
                "!=": lambda: lv != rv,
                "<": lambda: lv < rv,
                "<=": lambda: lv <= rv,
                ">": lambda: lv > rv,
                ">=": lambda: lv >= rv,
            }[node.op]()
            return Bool(result, pos=node.pos)
        if node.op in ARITHMETIC and isinstance(lv, (int, float)) and isinstance(rv, (int, float)):
            if node.op == "/" and rv == 0:
                return node
            result = {"+": lv + rv, "-": lv - rv, "*": lv * rv}.get(
                node.op, lv / rv if rv else None
            )
            return Num(result, pos=node.pos)
        return node
    if isinstance(node, In):
        value = _constant(node.operand)
        items = [_constant(i) for i in node.items]
        if value is not None and None not in items:
            return Bool((value in items) != node.negated, pos=node.pos)
        return node
    return node


def prepare(module: Module, text: str, params: dict[str, Any]) -> Node:
    """Parse, inline conditions and fold parameters: the input of every compiler."""
    return fold(expand(module, parse(text)), params)


def referenced(module: Module, text: str) -> list[str]:
    """Question and derived ids an expression reads, conditions expanded, in first-use order."""
    table = symbols(module)
    seen: list[str] = []
    for name in names(expand(module, parse(text))):
        if name.id in table and name.id not in seen:
            seen.append(name.id)
    return seen

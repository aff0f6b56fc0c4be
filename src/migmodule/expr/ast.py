"""The expression AST, and the printer that writes it back as canonical source text.

Positions (1-based columns) are kept for messages but do not take part in equality, so
`parse(to_source(tree)) == tree` holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    pos: int = field(default=0, compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Num(Node):
    value: int | float


@dataclass(frozen=True)
class Str(Node):
    value: str


@dataclass(frozen=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True)
class Name(Node):
    """A question, derived variable or condition (lower case) or a parameter (UPPER CASE)."""

    id: str

    @property
    def is_parameter(self) -> bool:
        return self.id[:1].isupper()


@dataclass(frozen=True)
class Self(Node):
    """`.`: the answer being constrained."""


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Binary(Node):
    op: str  # and or == != < <= > >= + - * /
    left: Node
    right: Node
    # Set by semantics.mark_raw_codes: `q == 98` with 98 a missing-value code of q compares the
    # raw code (two-valued), instead of treating 98 as unknown.
    raw_code: bool = field(default=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class In(Node):
    operand: Node
    items: tuple[Node, ...]
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        return (self.operand, *self.items)


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]
    raw_code: bool = field(default=False, kw_only=True)  # selected(q, 98): see Binary.raw_code

    def children(self) -> tuple[Node, ...]:
        return self.args


COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
BOOLEAN_OPS = ("and", "or")
ARITHMETIC = ("+", "-", "*", "/")

# Binding strength: higher binds tighter.
PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "cmp": 4,
    "in": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "neg": 7,
}


def precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return PRECEDENCE["cmp"] if node.op in COMPARISONS else PRECEDENCE[node.op]
    if isinstance(node, In):
        return PRECEDENCE["in"]
    if isinstance(node, Unary):
        return PRECEDENCE["not"] if node.op == "not" else PRECEDENCE["neg"]
    return 99


def _format_number(value: int | float) -> str:
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text and "inf" not in text and "nan" not in text else f"{value:f}"
    return str(value)


def to_source(node: Node) -> str:
    """Canonical text of an AST: minimal parentheses, single spaces, straight quotes."""

    def wrap(child: Node, minimum: int) -> str:
        text = to_source(child)
        return f"({text})" if precedence(child) < minimum else text

    if isinstance(node, Num):
        return _format_number(node.value)
    if isinstance(node, Str):
        quote = "'" if "'" not in node.value else '"'
        return f"{quote}{node.value}{quote}"
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Self):
        return "."
    if isinstance(node, Unary):
        if node.op == "not":
            return f"not {wrap(node.operand, PRECEDENCE['not'])}"
        return f"-{wrap(node.operand, PRECEDENCE['neg'])}"
    if isinstance(node, Binary):
        level = precedence(node)
        if node.op in COMPARISONS:
            # comparisons do not chain: both sides must bind tighter
            return f"{wrap(node.left, level + 1)} {node.op} {wrap(node.right, level + 1)}"
        # left-associative: the right side must bind strictly tighter
        return f"{wrap(node.left, level)} {node.op} {wrap(node.right, level + 1)}"
    if isinstance(node, In):
        items = ", ".join(wrap(item, PRECEDENCE["+"]) for item in node.items)  # items are sums
        keyword = "not in" if node.negated else "in"
        return f"{wrap(node.operand, PRECEDENCE['in'] + 1)} {keyword} ({items})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_source(arg) for arg in node.args)})"
    raise TypeError(f"not an expression node: {node!r}")


def names(node: Node) -> list[Name]:
    return [n for n in node.walk() if isinstance(n, Name)]

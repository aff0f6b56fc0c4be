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
    from migmodule.expr.printer import precedence as _precedence  # the printer visits the nodes

    return _precedence(node)


def to_source(node: Node) -> str:
    """Canonical text of an AST: minimal parentheses, single spaces, straight quotes."""
    from migmodule.expr.printer import to_source as _to_source

    return _to_source(node)


def names(node: Node) -> list[Name]:
    return [n for n in node.walk() if isinstance(n, Name)]

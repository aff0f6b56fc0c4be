"""The canonical source text of a tree: minimal parentheses, single spaces, straight quotes."""

from __future__ import annotations

from migmodule.expr.ast import (
    COMPARISONS,
    PRECEDENCE,
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
from migmodule.expr.visit import Visitor


class _Precedence(Visitor[int]):
    """Binding strength of a node's top operator (99: an atom)."""

    def atom(self, node: Node) -> int:
        return 99

    visit_Num = visit_Str = visit_Bool = visit_Name = visit_Self = visit_Call = atom

    def visit_Binary(self, node: Binary) -> int:
        return PRECEDENCE["cmp"] if node.op in COMPARISONS else PRECEDENCE[node.op]

    def visit_In(self, node: In) -> int:
        return PRECEDENCE["in"]

    def visit_Unary(self, node: Unary) -> int:
        return PRECEDENCE["not"] if node.op == "not" else PRECEDENCE["neg"]


_PRECEDENCE = _Precedence()


def precedence(node: Node) -> int:
    return _PRECEDENCE.visit(node)


def _format_number(value: int | float) -> str:
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text and "inf" not in text and "nan" not in text else f"{value:f}"
    return str(value)


class Printer(Visitor[str]):
    def wrap(self, child: Node, minimum: int) -> str:
        text = self.visit(child)
        return f"({text})" if precedence(child) < minimum else text

    def visit_Num(self, node: Num) -> str:
        return _format_number(node.value)

    def visit_Str(self, node: Str) -> str:
        if getattr(node, "table", None) is not None:  # semantics.TableRef: a folded table parameter
            return node.value
        quote = "'" if "'" not in node.value else '"'
        return f"{quote}{node.value}{quote}"

    def visit_Bool(self, node: Bool) -> str:
        return "true" if node.value else "false"

    def visit_Name(self, node: Name) -> str:
        return node.id

    def visit_Self(self, node: Self) -> str:
        return "."

    def visit_Unary(self, node: Unary) -> str:
        if node.op == "not":
            return f"not {self.wrap(node.operand, PRECEDENCE['not'])}"
        return f"-{self.wrap(node.operand, PRECEDENCE['neg'])}"

    def visit_Binary(self, node: Binary) -> str:
        level = precedence(node)
        if node.op in COMPARISONS:
            # comparisons do not chain: both sides must bind tighter
            return f"{self.wrap(node.left, level + 1)} {node.op} {self.wrap(node.right, level + 1)}"
        # left-associative: the right side must bind strictly tighter
        return f"{self.wrap(node.left, level)} {node.op} {self.wrap(node.right, level + 1)}"

    def visit_In(self, node: In) -> str:
        items = ", ".join(self.wrap(item, PRECEDENCE["+"]) for item in node.items)  # items are sums
        keyword = "not in" if node.negated else "in"
        return f"{self.wrap(node.operand, PRECEDENCE['in'] + 1)} {keyword} ({items})"

    def visit_Call(self, node: Call) -> str:
        return f"{node.func}({', '.join(self.visit(arg) for arg in node.args)})"


_PRINTER = Printer()


def to_source(node: Node) -> str:
    """Canonical text of an AST: minimal parentheses, single spaces, straight quotes."""
    if not isinstance(node, Node):
        raise TypeError(f"not an expression node: {node!r}")
    return _PRINTER.visit(node)

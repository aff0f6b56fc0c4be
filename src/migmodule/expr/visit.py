"""The one way to walk an expression tree: a visitor with a method per node class.

`Visitor.visit(node)` calls `visit_<NodeClass>`; a visitor that lacks the method for a node raises
`UnhandledNode` at once, so a node class added to `ast.py` cannot be skipped in silence by one
target (the old walkers answered "?"). `Transformer` is the visitor that rebuilds a tree: by
default it rebuilds every compound node from its visited children and keeps leaves.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from migmodule.expr.ast import Binary, Bool, Call, In, Name, Node, Num, Self, Str, Unary

T = TypeVar("T")

# Every concrete node class; a test holds each visitor in expr/ to handle all of them.
NODE_CLASSES: tuple[type[Node], ...] = (Num, Str, Bool, Name, Self, Unary, Binary, In, Call)


class UnhandledNode(TypeError):
    """A visitor met a node class it has no method for: a programming error, never bad input."""


class Visitor(Generic[T]):
    """Dispatch on the node's class: `visit_Num`, `visit_Binary`, ... ; extra arguments pass through."""

    def visit(self, node: Node, *args: Any) -> T:
        for cls in type(node).__mro__:
            method = getattr(self, f"visit_{cls.__name__}", None)
            if method is not None and cls is not Node:
                return method(node, *args)
        raise UnhandledNode(
            f"{type(self).__name__} has no visit_{type(node).__name__} for {node!r}"
        )


def handles_every_node(visitor: type[Visitor]) -> list[str]:
    """The node classes a visitor class has no method for (empty when it is complete)."""
    return [cls.__name__ for cls in NODE_CLASSES if not hasattr(visitor, f"visit_{cls.__name__}")]


class Transformer(Visitor[Node]):
    """Rebuild a tree bottom-up; override a method to replace the nodes of one class."""

    def visit_Num(self, node: Num) -> Node:
        return node

    def visit_Str(self, node: Str) -> Node:
        return node

    def visit_Bool(self, node: Bool) -> Node:
        return node

    def visit_Name(self, node: Name) -> Node:
        return node

    def visit_Self(self, node: Self) -> Node:
        return node

    def visit_Unary(self, node: Unary) -> Node:
        return Unary(node.op, self.visit(node.operand), pos=node.pos)

    def visit_Binary(self, node: Binary) -> Node:
        return Binary(
            node.op,
            self.visit(node.left),
            self.visit(node.right),
            pos=node.pos,
            raw_code=node.raw_code,
        )

    def visit_In(self, node: In) -> Node:
        return In(
            self.visit(node.operand),
            tuple(self.visit(item) for item in node.items),
            node.negated,
            pos=node.pos,
        )

    def visit_Call(self, node: Call) -> Node:
        args = tuple(self.visit(arg) for arg in node.args)
        return Call(node.func, args, pos=node.pos, raw_code=node.raw_code)

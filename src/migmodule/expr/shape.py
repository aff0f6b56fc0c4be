"""Questions about the shape of a (folded) tree that engines ask: its conjuncts, its constancy."""

from __future__ import annotations

from migmodule.expr.ast import Binary, Bool, Node
from migmodule.expr.visit import Visitor


class _Conjuncts(Visitor[list[Node]]):
    """The parts of a top-level `and` chain; `true` has none."""

    def single(self, node: Node) -> list[Node]:
        return [node]

    visit_Num = visit_Str = visit_Name = visit_Self = visit_Unary = visit_In = visit_Call = single

    def visit_Bool(self, node: Bool) -> list[Node]:
        return [] if node.value else [node]

    def visit_Binary(self, node: Binary) -> list[Node]:
        if node.op != "and":
            return [node]
        return self.visit(node.left) + self.visit(node.right)


def conjuncts(tree: Node | None) -> list[Node]:
    """The parts of a top-level `and` chain; `true` (or no tree) has none."""
    return [] if tree is None else _Conjuncts().visit(tree)

"""One entry point to compile an expression of a module for any target.

    compile_expression(module, "foreign_born and old_enough", "xpath", params=params)

Targets: `xpath` (XLSForm), `cspro` (CSPro logic), `pandas` (a function of a data frame),
`reference` (a function of one row, plain Python), `sentence-en`, `sentence-fr`, `sentence-es`.
`params` are resolved parameter values (`spec.params.resolve_parameters`). Conditions compile to
both two-valued forms for XPath and CSPro (`true` = definitely true, `false` = definitely false);
values compile to one text, blank unless every input is known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migmodule.codes import Location, MigmoduleError
from migmodule.expr.codes import EXPR_TARGET
from migmodule.expr.functions import is_condition
from migmodule.expr.semantics import prepare
from migmodule.spec.model import Module

TARGETS = ("xpath", "cspro", "pandas", "reference", "sentence-en", "sentence-fr", "sentence-es")


@dataclass(frozen=True)
class TwoValuedForms:
    """A condition in a two-valued target: where it is definitely true, and definitely false."""

    true: str
    false: str


def compile_expression(
    module: Module,
    text: str,
    target: str,
    *,
    params: dict[str, Any],
    self_id: str | None = None,
) -> TwoValuedForms | str | Callable[..., Any]:
    """Compile `text` for `target`; a coded MigmoduleError when the target cannot express it."""
    if target.startswith("sentence-"):
        from migmodule.expr.sentence import describe

        return describe(module, text, target.removeprefix("sentence-"), params, self_id)
    if target not in TARGETS:
        raise MigmoduleError.of(
            EXPR_TARGET,
            Location(module=module.ref),
            field="expression",
            expression=text,
            reason=f"target '{target}' (known: {', '.join(TARGETS)})",
            target="migmodule",
        )
    tree = prepare(module, text, params, self_id)
    if target in ("xpath", "cspro"):
        from migmodule.expr.targets import CSProLogic, XPath

        compiler = (XPath if target == "xpath" else CSProLogic)(module, self_id)
        if is_condition(tree):
            return TwoValuedForms(compiler.true_form(tree), compiler.false_form(tree))
        if target == "xpath":
            return compiler.expression_value(tree)
        return compiler.value(tree)
    if target == "reference":
        from migmodule.expr.reference import compile_row

        return compile_row(module, tree, self_id)
    from migmodule.expr.evaluate import evaluate_frame

    return lambda frame: evaluate_frame(module, text, frame, params, self_id=self_id)

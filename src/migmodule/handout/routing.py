"""Where to go after each question, compiled from the universes of the questions that follow.

The same routes give the "Where to go next" sentences and the arrows of the routing diagram, so
the text and the picture cannot disagree. Universes are read with conditions kept by name (so a
route reads "If born abroad") and parameters folded (so `age >= MIN_AGE` reads "at least 5").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migmodule.codes import MigmoduleError
from migmodule.expr.ast import Binary, Bool, Node, to_source
from migmodule.expr.parser import parse
from migmodule.expr.semantics import ancestors, fold
from migmodule.expr.sentence import Sentence
from migmodule.expr.shape import conjuncts as expr_conjuncts
from migmodule.spec.model import Module, Question


def folded(text: str, params: dict[str, Any]) -> Node:
    """An expression with parameters folded and conditions kept by name (they have their own text)."""
    tree = parse(text)
    try:
        return fold(tree, params)
    except MigmoduleError:  # a parameter without a value: describe it by its label instead
        return tree


def conjuncts(tree: Node | None) -> list[Node]:
    """The parts of a top-level `and` chain; `true` (or no universe) has none."""
    return expr_conjuncts(tree)


def join_and(parts: list[Node]) -> Node:
    tree = parts[0]
    for part in parts[1:]:
        tree = Binary("and", tree, part)
    return tree


def is_never(tree: Node | None) -> bool:
    return isinstance(tree, Bool) and not tree.value


@dataclass(frozen=True)
class Route:
    """One way out of a question: to `target` (an index into the questions, None: end of module)."""

    condition: str | None  # the phrase after "If", in the handout language; None: unconditional
    otherwise: bool  # the fallback after one or more conditional routes
    target: int | None
    leaves_level: bool = (
        False  # the target is outside this level's block of questions (a roster ends)
    )


def universe_tree(question: Question, params: dict[str, Any]) -> Node | None:
    return folded(question.universe, params) if question.universe else None


def routes(
    module: Module, questions: list[Question], params: dict[str, Any], lang: str
) -> list[list[Route]]:
    """For each question (in order), the routes out of it."""
    trees = [universe_tree(q, params) for q in questions]
    sentence = Sentence(module, lang, params)
    result = []
    for index, question in enumerate(questions):
        own = {to_source(part) for part in conjuncts(trees[index])}
        out: list[Route] = []
        taken: list[set[str]] = []
        position = index + 1
        while position < len(questions) and questions[position].level == question.level:
            tree = trees[position]
            if is_never(tree):
                position += 1
                continue
            parts = conjuncts(tree)
            keys = {to_source(part) for part in parts}
            if keys <= own:  # everyone who answered this question is asked that one
                out.append(Route(None, bool(out), position))
                break
            # Someone meeting an earlier route's condition goes there first; not a new route.
            if not any(previous <= keys for previous in taken):
                extra = [part for part in parts if to_source(part) not in own]
                out.append(Route(sentence.condition(join_and(extra)), False, position))
                taken.append(keys)
            position += 1
        else:
            target = position if position < len(questions) else None
            leaves = target is not None and question.level not in ancestors(
                module, questions[target].level
            )
            out.append(Route(None, bool(out), target, leaves_level=leaves))
        result.append(out)
    return result

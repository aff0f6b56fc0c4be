"""Can a universe ever be true? Search the answers that matter for one that makes it true.

For each variable a universe reads, the candidate answers are: blank, its special codes, the
numbers the expression compares it with (and one either side), and a few of its codes. Every
combination is evaluated with the reference evaluator (`expr/reference.py`), so the answer
follows the same three-valued rules as validation, without pandas. Universes over too many
combinations are left undecided.
"""

from __future__ import annotations

import itertools
from typing import Any

from migmodule.expr.ast import Num
from migmodule.expr.reference import Deriver, compile_row
from migmodule.expr.semantics import prepare, referenced, symbols
from migmodule.spec.model import Module

MAX_COMBINATIONS = 200_000


def answer_inputs(module: Module, names: list[str]) -> list[str]:
    """Questions behind a list of names (derived variables replaced by what they read)."""
    out: list[str] = []
    for name in names:
        derived = module.derived_by_id.get(name)
        if derived is None:
            if name not in out:
                out.append(name)
            continue
        texts = [c.when for c in derived.cases or [] if c.when]
        texts += [t for t in (derived.expression, derived.when) if t]
        for text in texts:
            for inner in answer_inputs(module, referenced(module, text)):
                if inner not in out:
                    out.append(inner)
    return out


def candidate_answers(module: Module, name: str, numbers: set[float]) -> list[Any]:
    """The answers worth trying for one question: blank, its special codes, the numbers the rules
    name and their neighbours, and its codes (the first three of a long list)."""
    symbol = symbols(module)[name]
    if symbol.multiple:
        codes = sorted(symbol.codes or ())
        return [None, *(str(c) for c in codes[:12])]
    values: set[float] = set(symbol.special_codes)
    for number in numbers:
        values |= {number - 1, number, number + 1}
    if symbol.codes is not None:
        ordinary = sorted(c for c in symbol.codes if c not in symbol.special_codes)
        values |= set(ordinary[:3]) if len(ordinary) > 30 else set(ordinary)
    return [None, *sorted(values)]


_DERIVERS: dict[tuple[int, str], tuple[Module, Deriver]] = {}


def deriver(module: Module, params: dict[str, Any]) -> Deriver:
    """One compiled set of derived rules per module and parameters (lint asks per question)."""
    key = (id(module), repr(sorted(params.items(), key=lambda item: item[0])))
    cached = _DERIVERS.get(key)
    if cached is None or cached[0] is not module:
        if len(_DERIVERS) > 16:
            _DERIVERS.clear()
        cached = _DERIVERS[key] = (module, Deriver(module, params))
    return cached[1]


def reachable(module: Module, expression: str, params: dict[str, Any]) -> bool | None:
    """True if some answers make the expression true, False if none do, None if not decided."""
    tree = prepare(module, expression, params)
    numbers = {float(n.value) for n in tree.walk() if isinstance(n, Num)}
    names = answer_inputs(module, referenced(module, expression))
    names = [n for n in names if n in module.question_by_id]
    if not names:
        return None
    pools = [candidate_answers(module, name, numbers) for name in names]
    total = 1
    for pool in pools:
        total *= len(pool)
    if total > MAX_COMBINATIONS:
        return None
    derive = deriver(module, params) if module.derived else None
    universe = compile_row(module, tree)
    for values in itertools.product(*pools):
        row = dict(zip(names, values, strict=True))
        if universe(derive(row) if derive else row) is True:
            return True
    return False

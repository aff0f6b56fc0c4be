"""The national universe of a question against the module's: equivalent, narrower, wider or
different, with an example respondent.

The national condition is split into its `and` parts. A part that only tests that an earlier
answer was given, a part that is always true (an authoring defect) and a form-wide gate
(consent) are left out. A part over national items matched to module questions is translated
into the module's expression language (names and codes recoded); the rest are conditions the
module does not have, which make the national universe narrower. The translated condition and
the module's universe are then evaluated on combinations of answers (as `spec/reach.py` does for
lint, with the reference evaluator) to find a respondent in one and not the other.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from migmodule.codes import MigmoduleError
from migmodule.compare.defects import candidates_for
from migmodule.compare.form import NationalForm, normal_condition
from migmodule.compare.xpath import LogicError, Node, conjuncts, is_answered_test, outcomes
from migmodule.countries import lookup as country_lookup
from migmodule.expr.ast import Num
from migmodule.expr.parser import ExprSyntaxError
from migmodule.expr.reference import compile_row
from migmodule.expr.semantics import prepare, referenced
from migmodule.i18n import Joined, Phrase
from migmodule.matching import Proposal
from migmodule.profile import Adapted
from migmodule.spec.reach import answer_inputs, candidate_answers, deriver  # lint's search

MAX_COMBINATIONS = 50_000


@dataclass
class UniverseComparison:
    verdict: str  # equivalent, narrower, wider, different, not compared
    national: str = ""  # the national condition as written
    translated: str | None = None  # its module part, in the module's language
    extra: list[str] = field(default_factory=list)  # national conditions the module has not
    example: dict[str, Any] | None = None  # a respondent in one universe and not the other
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "national": self.national,
            "translated": self.translated,
            "extra": self.extra,
            "example": self.example,
            "why": self.why,
        }


class _Untranslatable(Exception):
    pass


def _translate(node: Node, names: dict[str, Proposal], adapted: Adapted, countries: bool) -> str:
    """A national condition in module names and codes; _Untranslatable if it cannot be."""
    kind = node.kind
    if kind in ("or", "and"):
        left = _translate(node.args[0], names, adapted, countries)
        right = _translate(node.args[1], names, adapted, countries)
        return f"({left} {kind} {right})"
    if kind == "not":
        return f"not ({_translate(node.args[0], names, adapted, countries)})"
    if kind == "cmp":
        operator, left, right = node.args
        if left.kind != "var" and right.kind == "var":
            left, right = right, left
            operator = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(operator, operator)
        subject = _name(left, names)
        if right.kind == "var":
            return f"{subject} {operator} {_name(right, names)}"
        if right.kind == "str" and right.args[0] == "":
            return f"{'not ' if operator == '==' else ''}known({subject})"
        proposal = names[left.args[0]]
        if proposal.recode and operator not in ("==", "!="):
            raise _Untranslatable(node.text)  # national codes are not ordered as the module's
        code = _code(proposal, right, adapted, countries)
        return f"{subject} {operator} {code}"
    if kind == "call" and node.args[0] == "selected" and len(node.args) == 3:
        target, literal = node.args[1], node.args[2]
        subject = _name(target, names)
        code = _code(names[target.args[0]], literal, adapted, countries)
        question = adapted.module.question_by_id.get(subject)
        if question is not None and question.type.value == "select_multiple":
            return f"selected({subject}, {code})"
        return f"{subject} == {code}"
    raise _Untranslatable(node.text)


def _name(node: Node, names: dict[str, Proposal]) -> str:
    if node.kind != "var" or node.args[0] not in names:
        raise _Untranslatable(node.text)
    return names[node.args[0]].target


def _code(proposal: Proposal, literal: Node, adapted: Adapted, countries: bool) -> str:
    if literal.kind == "num":
        number = literal.args[0]
        text = str(int(number)) if float(number).is_integer() else str(number)
    elif literal.kind == "str":
        text = literal.args[0]
    else:
        raise _Untranslatable(literal.text)
    recode = proposal.recode
    if isinstance(recode, dict) and text in recode:
        return str(recode[text])
    if isinstance(recode, str) and countries:
        found = country_lookup(text)
        if found is not None:
            return str(found.m49)
    if text.lstrip("-").isdigit():
        return text
    raise _Untranslatable(literal.text)


def compare_universe(
    form: NationalForm,
    item: str,
    target: str,
    adapted: Adapted,
    proposals: dict[str, Proposal],
    trees: list[Node],
) -> UniverseComparison:
    """Compare the national conditions on `item` (its groups' and its own; none: asked of
    everyone) with the universe of the module question `target`. `proposals`: national item
    name -> its accepted proposal."""
    module = adapted.module
    question = module.question_by_id[target]
    parts = [part for tree in trees for part in conjuncts(tree)]
    national = " and ".join(
        part.text for part in parts if normal_condition(part.text) not in form.gate_conditions
    )
    kept: list[str] = []
    extra: list[str] = []
    countries = True
    for part in parts:
        if is_answered_test(part) or normal_condition(part.text) in form.gate_conditions:
            continue
        found = outcomes(part, candidates_for(form, part))
        if found is not None and found[0] == {True}:
            continue  # always true: reported as a defect, filters nothing
        try:
            kept.append(_translate(part, proposals, adapted, countries))
        except (_Untranslatable, KeyError, LogicError):
            extra.append(part.text)
    translated = " and ".join(kept) if kept else None
    module_universe = question.universe
    comparison = UniverseComparison("equivalent", national, translated, extra)
    conditions = " and ".join(extra)
    if translated is None and module_universe is None:
        comparison.why = Phrase("compare.universe.everyone_as_module")
        if extra:  # the national conditions are the whole difference
            comparison.verdict = "narrower"
            comparison.why = Phrase("compare.universe.only_when_everyone", conditions=conditions)
        return comparison
    _search(comparison, adapted, module_universe, translated)
    if extra and comparison.verdict in ("equivalent", "narrower"):
        comparison.verdict = "narrower"
        comparison.why = _joined(
            comparison.why, Phrase("compare.universe.only_when", conditions=conditions)
        )
    elif extra:
        comparison.verdict = "different"
        comparison.why = _joined(
            comparison.why, Phrase("compare.universe.also_only_when", conditions=conditions)
        )
    return comparison


def _joined(first: str, second: str) -> str:
    """Two reasons in one, with the language's separator ("a; b", "a ; b")."""
    return Phrase("compare.universe.joined", first=first, second=second) if first else second


def _search(
    comparison: UniverseComparison, adapted: Adapted, module_text: str | None, national: str | None
) -> None:
    module, params = adapted.module, adapted.params
    try:
        trees = {
            side: prepare(module, text, params)
            for side, text in (("module", module_text), ("national", national))
            if text
        }
    except (ExprSyntaxError, MigmoduleError) as exc:  # a translation the module rejects
        comparison.verdict = "not compared"
        comparison.why = Phrase("compare.universe.not_valid", error=str(exc))
        return
    texts = [t for t in (module_text, national) if t]
    names = answer_inputs(module, [n for text in texts for n in referenced(module, text)])
    names = [n for n in names if n in module.question_by_id]
    numbers = {
        float(node.value)
        for tree in trees.values()
        for node in tree.walk()
        if isinstance(node, Num)
    }
    pools = [candidate_answers(module, name, numbers) for name in names]
    if math.prod(len(pool) for pool in pools) > MAX_COMBINATIONS:
        comparison.verdict = "not compared"
        comparison.why = Phrase("compare.universe.too_many")
        return
    compiled = {side: compile_row(module, tree) for side, tree in trees.items()}
    derive = deriver(module, params) if module.derived else None
    only_national = only_module = None
    for values in itertools.product(*pools):
        row = dict(zip(names, values, strict=True))
        full = derive(row) if derive else row
        in_module = compiled["module"](full) is True if "module" in compiled else True
        in_national = compiled["national"](full) is True if "national" in compiled else True
        # the example with the fewest blank answers says the most
        if in_national and not in_module and _blanks(row) < _blanks(only_national):
            only_national = row
        if in_module and not in_national and _blanks(row) < _blanks(only_module):
            only_module = row
    everyone = Phrase("compare.universe.everyone")
    shown = module_text or everyone
    if only_national is None and only_module is None:
        comparison.verdict = "equivalent"
        comparison.why = Phrase("compare.universe.same", universe=shown)
    elif only_national is not None and only_module is not None:
        comparison.verdict = "different"
        comparison.example = only_module
        comparison.why = Phrase(
            "compare.universe.both",
            universe=shown,
            national=national or everyone,
            module_only=_row(only_module),
            national_only=_row(only_national),
        )
    elif only_module is not None:
        comparison.verdict = "narrower"
        comparison.example = only_module
        comparison.why = Phrase(
            "compare.universe.narrower", example=_row(only_module), universe=shown
        )
    else:
        comparison.verdict = "wider"
        comparison.example = only_national
        comparison.why = Phrase(
            "compare.universe.wider", example=_row(only_national), universe=shown
        )


def _blanks(row: dict[str, Any] | None) -> float:
    return math.inf if row is None else sum(value is None for value in row.values())


def _row(row: dict[str, Any]) -> str:
    """An example respondent in words: "a respondent with age=7, sex=blank"."""
    if not row:
        return Phrase("compare.universe.respondent")
    answers = [
        Joined("=", [name, Phrase("compare.universe.blank") if value is None else _number(value)])
        for name, value in row.items()
    ]
    return Phrase("compare.universe.respondent_with", answers=Joined(", ", answers))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

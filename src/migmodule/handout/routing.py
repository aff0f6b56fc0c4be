"""Where to go after each question, as the interviewer follows it: from what is known at that point.

An interviewer at question i knows the answers to questions 1..i and nothing after. The next
question is the first later one whose universe holds on those answers (the questions in between
are skipped, so they are blank). For each question this file writes that rule down as a decision
list of routes: for a coded question with a short list, per answer ("1 Yes -> Q7 · 2 No -> Q9"),
otherwise by condition ("If born abroad -> Q4; otherwise -> Q6"). A route may add a check on an
earlier answer when the answer alone does not decide ("2 No: if aged 5 or over -> Q21").

Each route keeps its check as a tree, so the same routes give the printed sentences, the arrows
of the diagram, and `next_question`, which a test uses to follow the printed instructions for
simulated respondents. Checks are decided with the reference evaluator (three-valued logic):
a route whose check can never be true once the question is answered is not printed, and a check
that always holds becomes the unconditional route.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migmodule.codes import MigmoduleError
from migmodule.expr.ast import Binary, Bool, Name, Node, Num, to_source
from migmodule.expr.parser import parse
from migmodule.expr.reference import Deriver, compile_row
from migmodule.expr.semantics import ancestors, fold, prepare, referenced, symbols
from migmodule.expr.sentence import Sentence
from migmodule.expr.shape import conjuncts as expr_conjuncts
from migmodule.spec.model import Module, Question, QuestionType

CODED_ROUTING_MAX = 15  # a select_one with up to this many codes is routed per answer
EXHAUSTIVE = 4096  # combinations of earlier answers tried one by one; more are sampled
SAMPLES = 600
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


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
    """One way out of a question: to `target` (an index into the questions; None: end of module).

    Routes are tried in order; the first whose `answers` hold the answer given (None: any answer)
    and whose `check` is true on the answers known so far (None: no check) is taken.
    """

    target: int | None
    answers: tuple[str, ...] | None = None  # codes of this question taking the route
    check: Node | None = None  # a condition on answers known at this point
    condition: str | None = None  # the check (or, by condition, the whole rule) in words
    otherwise: bool = False  # the fallback after one or more conditional routes
    leaves_level: bool = False  # the target is outside this level's block (a roster ends)


def universe_tree(question: Question, params: dict[str, Any]) -> Node | None:
    return folded(question.universe, params) if question.universe else None


def _flat(
    module: Module, tree: Node | None, params: dict[str, Any], opened: set[str] | None = None
) -> list[Node]:
    """Conjuncts, with named conditions that are themselves `and` chains opened up.

    `from_abroad` (moved_into_locality and previous_residence == 2) becomes its two parts, so
    that what the current question's universe already says can be taken out part by part.
    Each condition is opened once: its parts a second time add nothing to an `and` chain, and
    conditions naming another twice would otherwise open 2^n times (issue 20).
    """
    opened = set() if opened is None else opened
    out: list[Node] = []
    for part in conjuncts(tree):
        if isinstance(part, Name) and part.id in module.condition_by_id:
            if part.id in opened:
                continue
            inner = folded(module.condition_by_id[part.id].expression, params)
            if isinstance(inner, Binary) and inner.op == "and":
                opened.add(part.id)
                out += _flat(module, inner, params, opened)
                continue
        out.append(part)
    return out


class _Oracle:
    """Evaluates checks on rows of answers, with the module's derived variables filled in."""

    def __init__(self, module: Module, questions: list[Question], params: dict[str, Any]):
        self.module, self.params = module, params
        self.index = {q.id: n for n, q in enumerate(questions)}
        self.questions = questions
        self.blank_row = {q.id: None for q in module.questions}
        self.derive = Deriver(module, params) if module.derived else None
        self._compiled: dict[str, Callable[[dict], Any]] = {}
        self._reads_derived: dict[str, bool] = {}
        self._inputs: dict[str, list[str]] = {}
        self._pools: dict[str, list[Any]] = {}
        self.numbers = self._numbers()
        self.random = random.Random(20260518)
        self._decided: dict[tuple, str] = {}

    def _numbers(self) -> dict[str, set[float]]:
        """The numbers each question is compared with in the universes (`age >= 5`: age, 5)."""
        out: dict[str, set[float]] = {}
        for question in self.questions:
            if not question.universe:
                continue
            try:
                tree = prepare(self.module, question.universe, self.params)
            except MigmoduleError:
                continue
            for node in tree.walk():
                if not isinstance(node, Binary) or node.op not in _COMPARISONS:
                    continue
                for name, number in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(name, Name) and isinstance(number, Num):
                        out.setdefault(name.id, set()).add(float(number.value))
        return out

    def compiled(self, tree: Node) -> Callable[[dict], Any]:
        source = to_source(tree)
        if source not in self._compiled:
            self._compiled[source] = compile_row(
                self.module, prepare(self.module, source, self.params)
            )
            self._reads_derived[source] = any(
                name in self.module.derived_by_id for name in referenced(self.module, source)
            )
        return self._compiled[source]

    def truth(self, tree: Node, row: dict) -> Any:
        full = {**self.blank_row, **row}
        compiled = self.compiled(tree)
        if self.derive is not None and self._reads_derived[to_source(tree)]:
            full = self.derive(full)
        return compiled(full)

    def inputs(self, tree: Node) -> list[str]:
        """The questions a check reads (derived variables replaced by what they read)."""
        source = to_source(tree)
        if source not in self._inputs:
            out: list[str] = []
            pending = referenced(self.module, source)
            while pending:
                name = pending.pop(0)
                derived = self.module.derived_by_id.get(name)
                if derived is None:
                    if name not in out:
                        out.append(name)
                    continue
                texts = [c.when for c in derived.cases or [] if c.when]
                texts += [t for t in (derived.expression, derived.when) if t]
                for text in texts:
                    pending += referenced(self.module, text)
            self._inputs[source] = out
        return self._inputs[source]

    def pool(self, name: str) -> list[Any]:
        """Answers that matter for the checks: blank, special codes, codes, numbers compared with."""
        if name in self._pools:
            return self._pools[name]
        if name not in self.module.question_by_id:
            self._pools[name] = [None]
            return self._pools[name]
        # A question of the module that is not in this list (left out by the profile, or asked
        # in another module of a combined handout) is read like an earlier answer: any value.
        # At worst a route that is never taken is kept; none is dropped that could be.
        symbol = symbols(self.module)[name]
        if symbol.multiple:
            codes = sorted(symbol.codes or ())
            pool: list[Any] = [None, *(str(c) for c in codes[:16])]
        else:
            values: set[float] = set(symbol.special_codes)
            for number in self.numbers.get(name, {0.0}):
                values |= {number - 1, number, number + 1}
            if symbol.codes is not None:
                ordinary = sorted(c for c in symbol.codes if c not in symbol.special_codes)
                values |= set(ordinary[:3]) if len(ordinary) > 30 else set(ordinary)
            pool = [None, *sorted(values)]
        self._pools[name] = pool
        return pool

    def complete(self, name: str) -> bool:
        """Whether the pool of `name` stands for every answer (else a search proves nothing)."""
        if name not in self.module.question_by_id:
            return True
        symbol = symbols(self.module)[name]
        if symbol.multiple:
            return len(symbol.codes or ()) <= 16
        if name in self.numbers:
            return True
        return symbol.codes is not None and len(symbol.codes) - len(symbol.special_codes) <= 30

    def decide(self, check: Node, known: dict[str, Any], free: list[str], given: list[Node]) -> str:
        """'always', 'never' or 'depends': can `check` be true, given the answers in `known`,
        any answers to the `free` questions that agree with the `given` conditions?

        'never' and 'always' are said only after trying every combination; a sampled search
        says 'depends', which keeps a route that may never be taken but never drops one.
        """
        key = (to_source(check), tuple(sorted(known.items(), key=str)), tuple(free))
        key += tuple(to_source(g) for g in given)
        if key in self._decided:
            return self._decided[key]
        pools = [self.pool(name) for name in free]
        total = 1
        for pool in pools:
            total *= len(pool)
        exhaustive = total <= EXHAUSTIVE
        combos = (
            itertools.product(*pools)
            if exhaustive
            else ([self.random.choice(p) for p in pools] for _ in range(SAMPLES))
        )
        seen_true = seen_other = False
        for values in combos:
            row = {**known, **dict(zip(free, values, strict=True))}
            if not self.consistent(row, free) or any(self.truth(g, row) is not True for g in given):
                continue
            if self.truth(check, row) is True:
                seen_true = True
            else:
                seen_other = True
            if seen_true and seen_other:
                break
        complete = exhaustive and all(self.complete(name) for name in free)
        if not complete or (seen_true and seen_other):
            verdict = "depends"
        elif seen_true:
            verdict = "always"
        else:
            verdict = "never"
        self._decided[key] = verdict
        return verdict

    def consistent(self, row: dict, free: list[str]) -> bool:
        """An answer to a question only where its universe holds (blank where it does not)."""
        for name in free:
            question = self.module.question_by_id.get(name)
            if question is None or not question.universe:
                continue
            asked = self.truth(universe_tree(question, self.params), row) is True
            answered = row.get(name) is not None
            if answered and not asked:
                return False
        return True


def answer_key(value: Any) -> str | None:
    """An answer as the code text routes list ('1' for 1, 1.0 or '1')."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class _Router:
    def __init__(self, module, questions, params, lang):
        self.module, self.questions, self.params = module, questions, params
        self.trees = [universe_tree(q, params) for q in questions]
        self.oracle = _Oracle(module, questions, params)
        self.sentence = Sentence(module, lang, params)
        self.index = {q.id: n for n, q in enumerate(questions)}

    def block_end(self, index: int) -> int:
        end = index
        while (
            end < len(self.questions) and self.questions[end].level == self.questions[index].level
        ):
            end += 1
        return end

    def later(self, start: int, end: int) -> list[int]:
        return [p for p in range(start, end) if not is_never(self.trees[p])]

    def exit_route(self, index: int, end: int, otherwise: bool, answers=None) -> Route:
        target = end if end < len(self.questions) else None
        level = self.questions[index].level
        leaves = target is not None and level not in ancestors(
            self.module, self.questions[target].level
        )
        return Route(target, answers, None, None, otherwise, leaves)

    def prune(self, part: Node, known: dict[str, Any]) -> Node:
        """`A or B` where B reads only known answers and is not true, as `A`.

        For "is it true?" (the only question a route asks) `A or B` is then A: with B false it
        is A, with B unknown it is true exactly when A is. A true B makes the part true.
        """
        tree = part
        while isinstance(tree, Name) and tree.id in self.module.condition_by_id:
            tree = folded(self.module.condition_by_id[tree.id].expression, self.params)
        if not (isinstance(tree, Binary) and tree.op == "or"):
            return part
        disjuncts: list[Node] = []
        pending = [tree]
        while pending:
            node = pending.pop(0)
            while isinstance(node, Name) and node.id in self.module.condition_by_id:
                inner = folded(self.module.condition_by_id[node.id].expression, self.params)
                if not (isinstance(inner, Binary) and inner.op == "or"):
                    break
                node = inner
            if isinstance(node, Binary) and node.op == "or":
                pending[:0] = [node.left, node.right]
            else:
                disjuncts.append(node)
        kept = []
        for disjunct in disjuncts:
            if any(name not in known for name in self.oracle.inputs(disjunct)):
                kept.append(disjunct)
            elif self.oracle.truth(disjunct, known) is True:
                return Bool(True)
        if len(kept) == len(disjuncts):
            return part
        if not kept:
            return Bool(False)
        tree = kept[0]
        for disjunct in kept[1:]:
            tree = Binary("or", tree, disjunct)
        return tree

    def named(self, kept: list[Node], position: int) -> list[Node]:
        """The kept parts of a universe, with each named condition whose parts are all kept
        given back by its name (its text reads "born abroad", not its expression)."""
        sources = {to_source(part) for part in kept}
        out: list[Node] = []
        for top in conjuncts(self.trees[position]):
            parts = _flat(self.module, top, self.params)
            if all(to_source(part) in sources for part in parts):
                out.append(top)
            else:
                out += [part for part in parts if to_source(part) in sources]
        return out or kept

    def residual(self, own: list[Node], position: int) -> list[Node]:
        taken = {to_source(part) for part in own}
        return [
            p
            for p in _flat(self.module, self.trees[position], self.params)
            if to_source(p) not in taken
        ]

    def decision_list(
        self, index: int, fixed: dict[str, Any], own: list[Node], answers=None
    ) -> list[Route]:
        """Routes out of question `index` when the answers in `fixed` are known."""
        end = self.block_end(index)
        out: list[Route] = []
        taken: list[set[str]] = []
        # Nothing after this question has been asked yet: blank, whatever a universe reads.
        blank_between: dict[str, Any] = {q.id: None for q in self.questions[index + 1 :]}
        for position in self.later(index + 1, end):
            known = {**fixed, **blank_between}
            parts = [self.prune(part, known) for part in self.residual(own, position)]
            kept: list[Node] = []
            never = False
            for part in parts:
                free = [n for n in self.oracle.inputs(part) if n not in known]
                if free:
                    kept.append(part)
                elif self.oracle.truth(part, known) is not True:
                    never = True
                    break
            if not never and kept:
                check = join_and(kept)
                free = self._free(check, known)
                # What the interviewer knows at this question: its universe holds. Only the parts
                # that read the same answers as the check can change what the check may be.
                given = [g for g in own if set(self.oracle.inputs(g)) & set(free)]
                free += [n for g in given for n in self._free(g, known) if n not in free]
                verdict = self.oracle.decide(check, known, free, given)
                never = verdict == "never"
                if verdict == "always":
                    kept = []
            mine = {to_source(part) for part in kept}
            if not never and any(earlier <= mine for earlier in taken):
                never = True  # whoever meets this check met an earlier one and went there
            if not never:
                if not kept:
                    out.append(Route(position, answers, None, None, bool(out)))
                    return out
                check = join_and(self.named(kept, position))
                out.append(Route(position, answers, check, self.sentence.condition(check), False))
                taken.append(mine)
        return out + [self.exit_route(max(index, 0), end, bool(out), answers)]

    def _free(self, check: Node, known: dict[str, Any]) -> list[str]:
        """Earlier questions the check reads, with those their universes read (for consistency)."""
        free: list[str] = []
        pending = [n for n in self.oracle.inputs(check) if n not in known]
        while pending:
            name = pending.pop(0)
            if name in free or name in known:
                continue
            free.append(name)
            question = self.module.question_by_id.get(name)
            if question is not None and question.universe and len(free) < 10:
                pending += self.oracle.inputs(universe_tree(question, self.params))
        return free

    def coded(self, question: Question) -> list[str] | None:
        """The codes to route by, for a select_one with a short list; None: route by condition."""
        if question.type is not QuestionType.SELECT_ONE or not question.code_list:
            return None
        symbol = symbols(self.module)[question.id]
        if symbol.codes is None or len(symbol.codes) > CODED_ROUTING_MAX:
            return None
        code_list = self.module.code_list_by_id[question.code_list]
        return [answer_key(c.code) for c in code_list.codes]

    def known_true(self, tree: Node | None, seen: frozenset[str] = frozenset()) -> list[Node]:
        """What holds for whoever is asked a question with this universe.

        Its conjuncts, and the universes of the questions they compare: `cost > 0` can only be
        true where the cost was asked, so whoever is asked about its currency was also in the
        cost question's universe.
        """
        out = _flat(self.module, tree, self.params)
        for part in list(out):
            while isinstance(part, Name) and part.id in self.module.condition_by_id:
                part = folded(self.module.condition_by_id[part.id].expression, self.params)
            if not isinstance(part, Binary) or part.op not in _COMPARISONS:
                continue
            for side in (part.left, part.right):
                if not isinstance(side, Name) or side.id in seen or side.id not in self.index:
                    continue
                upstream = self.trees[self.index[side.id]]
                for fact in self.known_true(upstream, seen | {side.id}):
                    if to_source(fact) not in {to_source(o) for o in out}:
                        out.append(fact)
        return out

    def routes_of(self, index: int) -> list[Route]:
        question = self.questions[index]
        own = self.known_true(self.trees[index], frozenset({question.id}))
        codes = self.coded(question)
        if codes is None:
            return self.decision_list(index, {}, own)
        by_plan: dict[tuple, list[str]] = {}
        plans: dict[tuple, list[Route]] = {}
        for code in codes:
            value = int(code) if code.lstrip("-").isdigit() else code
            plan = self.decision_list(index, {question.id: value}, own)
            shape = tuple((r.target, to_source(r.check) if r.check else None) for r in plan)
            by_plan.setdefault(shape, []).append(code)
            plans[shape] = plan
        if len(by_plan) == 1:  # every answer goes the same way: no need to list them
            return next(iter(plans.values()))
        out: list[Route] = []
        for shape, group in by_plan.items():
            answers = tuple(group)
            out += [
                Route(r.target, answers, r.check, r.condition, r.otherwise, r.leaves_level)
                for r in plans[shape]
            ]
        return out


def routes(
    module: Module, questions: list[Question], params: dict[str, Any], lang: str
) -> list[list[Route]]:
    """For each question (in order), the routes out of it."""
    router = _Router(module, questions, params, lang)
    return [router.routes_of(index) for index in range(len(questions))]


def entry_routes(
    module: Module, questions: list[Question], params: dict[str, Any], lang: str, start: int
) -> list[Route]:
    """How to enter the block of questions starting at `start` (its first question may not apply).

    Empty when the first question of the block is asked of every unit that gets there.
    """
    router = _Router(module, questions, params, lang)
    end = router.block_end(start)
    first = router.trees[start]
    if first is None or (isinstance(first, Bool) and first.value):
        return []
    out: list[Route] = []
    blank_between: dict[str, Any] = {q.id: None for q in questions[start:]}
    for position in router.later(start, end):
        parts = _flat(module, router.trees[position], params)
        if not parts:
            return [*out, Route(position, None, None, None, bool(out))]
        check = join_and(parts)
        verdict = router.oracle.decide(check, blank_between, router._free(check, blank_between), [])
        if verdict == "always":
            return [*out, Route(position, None, None, None, bool(out))]
        if verdict != "never":
            out.append(Route(position, None, check, router.sentence.condition(check), False))
    return [*out, router.exit_route(start, end, bool(out))]


class Interviewer:
    """Follows printed routes as an interviewer does: from a question and the answers so far."""

    def __init__(self, module: Module, questions: list[Question], params: dict[str, Any]):
        self.questions = questions
        self.oracle = _Oracle(module, questions, params)

    def answers_that_matter(self, question_id: str) -> list[Any]:
        """Blank, special codes, codes and the numbers the universes compare this answer with."""
        return self.oracle.pool(question_id)

    def next(self, out: list[Route], index: int | None, known: dict[str, Any]) -> int | None:
        """The question the first applicable route goes to (None: end of the module).

        `index` is the question just answered (None: the routes lead into a block).
        """
        given = answer_key(known.get(self.questions[index].id)) if index is not None else None
        for route in out:
            if route.answers is not None and given not in route.answers:
                continue
            if route.check is not None and self.oracle.truth(route.check, known) is not True:
                continue
            return route.target
        where = self.questions[index].id if index is not None else "block entry"
        raise LookupError(f"no route out of {where} for answer {given!r}")

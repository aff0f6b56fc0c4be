"""Routing as the interviewer follows it: simulated respondents, printed routes followed from Q1.

Each respondent answers in interview order: a question is asked exactly when its universe holds
on the answers given so far (the reference evaluator, three-valued), and gets a random answer
(codes, special codes, the numbers the universes compare with, and others). Following the routes
the handout prints, from the first question of each block, must visit exactly those questions.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from migmodule.expr.reference import Deriver, compile_row
from migmodule.expr.semantics import prepare, symbols
from migmodule.handout.model import build_handout
from migmodule.handout.routing import Interviewer, entry_routes, routes
from migmodule.profile import adapt, load_profile
from migmodule.spec.model import QuestionType
from migmodule.spec.registry import list_modules

SAMPLES = Path(__file__).parent.parent / "samples"
MINI = Path(__file__).parent / "specs" / "mini.yaml"
RESPONDENTS = 400


def bank_modules() -> list[str]:
    return sorted({f"{entry.id}@{entry.version}" for entry in list_modules()})


def cases() -> list:
    """Every bank module (slow: run in CI and with --runslow), the mini spec and every sample
    profile (run always)."""
    out = [pytest.param(ref, None, ref, id=ref, marks=pytest.mark.slow) for ref in bank_modules()]
    out.append(pytest.param(str(MINI), None, "mini", id="mini"))
    for path in sorted(SAMPLES.glob("*.profile.yaml")):
        out.append(pytest.param("", str(path), path.name, id=path.name))
    return out


def adapted_of(ref: str, profile_path: str | None):
    if profile_path is None:
        return adapt(None, ref)
    return adapt(load_profile(profile_path))


class Respondents:
    """Random respondents consistent with the universes of one adapted module."""

    def __init__(self, adapted, seed: int):
        self.module, self.questions, self.params = adapted.module, adapted.questions, adapted.params
        self.rng = random.Random(seed)
        self.interviewer = Interviewer(self.module, self.questions, self.params)
        self.derive = Deriver(self.module, self.params) if self.module.derived else None
        self.universes = [
            compile_row(self.module, prepare(self.module, q.universe, self.params))
            if q.universe
            else None
            for q in self.questions
        ]

    def holds(self, index: int, row: dict) -> bool:
        universe = self.universes[index]
        if universe is None:
            return True
        full = {q.id: None for q in self.module.questions} | row
        return universe(self.derive(full) if self.derive else full) is True

    def answer(self, question):
        rng = self.rng
        symbol = symbols(self.module)[question.id]
        useful = [v for v in self.interviewer.answers_that_matter(question.id) if v is not None]
        codes = sorted(symbol.codes or ())
        if question.type is QuestionType.SELECT_ONE:  # only the codes of its list
            useful = [v for v in useful if v in symbol.codes]
        if symbol.multiple:
            chosen = rng.sample(codes, k=min(len(codes), rng.randint(1, 3)))
            return " ".join(str(c) for c in sorted(chosen))
        if question.type is QuestionType.TEXT:
            return "text"
        if useful and rng.random() < 0.7:
            return rng.choice(useful)
        if codes and question.type in (QuestionType.SELECT_ONE, QuestionType.COUNTRY):
            return rng.choice(codes)
        if question.type is QuestionType.YEAR:
            return rng.randint(1930, 2035)
        return rng.randint(0, 120)

    def one(self) -> tuple[dict, list[int]]:
        row: dict = {}
        asked = []
        for index, question in enumerate(self.questions):
            if self.holds(index, row):
                row[question.id] = self.answer(question)
                asked.append(index)
        return row, asked


def blocks(questions) -> list[tuple[int, int]]:
    out, start = [], 0
    for index in range(1, len(questions) + 1):
        if index == len(questions) or questions[index].level != questions[start].level:
            out.append((start, index))
            start = index
    return out


def follow(people: Respondents, all_routes, entries, row: dict) -> list[int]:
    """The questions an interviewer visits by following the routes, block after block."""
    questions = people.questions
    visited = []
    for start, end in blocks(questions):
        known = {q.id: row.get(q.id) for q in questions[:start]}
        position = people.interviewer.next(entries[start], None, known) if entries[start] else start
        while position is not None and position < end:
            visited.append(position)
            known[questions[position].id] = row.get(questions[position].id)
            position = people.interviewer.next(all_routes[position], position, known)
    return visited


@pytest.mark.parametrize("ref,profile_path,name", cases())
def test_following_the_printed_routes_visits_exactly_the_questions_whose_universe_holds(
    ref, profile_path, name
):
    for number, adapted in enumerate(adapted_of(ref, profile_path)):
        for lang in adapted.module.languages:
            people = Respondents(adapted, seed=number * 7 + len(lang))
            module, questions, params = adapted.module, adapted.questions, adapted.params
            all_routes = routes(module, questions, params, lang)
            entries = {
                s: entry_routes(module, questions, params, lang, s) for s, _ in blocks(questions)
            }
            for _ in range(RESPONDENTS):
                row, asked = people.one()
                visited = follow(people, all_routes, entries, row)
                assert visited == asked, (
                    f"{module.ref} ({lang}): printed routes visit "
                    f"{[questions[i].id for i in visited]}, universes ask "
                    f"{[questions[i].id for i in asked]} for {row}"
                )


def test_no_route_names_a_question_not_yet_asked():
    """The complaint of issue 18: after the duration of residence, the handout sent persons to the
    previous area or country questions, which depend on the previous-residence answer, not yet
    asked; and the 5-years-ago question could not be reached when read top-down."""
    [adapted] = adapt(None, "census-key-questions")
    part = build_handout([adapted], "en").parts[0]
    by_id = {q.id: q for s in part.sections for q in s.questions}
    tag = {qid: f"{block.tag} " for qid, block in by_id.items()}
    steps = " ".join(by_id["duration_of_residence"].next_steps)
    assert tag["previous_residence"] in steps
    assert tag["previous_residence_area"] not in steps
    assert tag["previous_residence_country"] not in steps
    assert tag["residence_5y_ago"] in steps  # aged 5 or over, when the 1-year question does not apply
    skip = by_id["previous_residence"].skip
    assert skip.startswith("1 ")
    assert f"→ {tag['previous_residence_area'].strip()}" in skip
    assert f"→ {tag['previous_residence_country'].strip()}" in skip

"""What the profile's national layer adds to a run: each national universe stated once, and the
derive or split expressions the layer could not evaluate on the file's values."""

from __future__ import annotations

from migmodule.codes import Finding, Location
from migmodule.expr.sentence import describe_universe
from migmodule.profile import PROFILE_DATA_VALUES
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Target
from migmodule.validate.checks.partial import first_and_count
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult, Tally, result_from_tally


class NationalUniverseCheck(Check):
    """One info finding per question whose universe the profile sets on purpose, with both
    universes in words: the difference is stated once, not as an error on every row."""

    name = "national-universe"
    issues = (codes.UNIV_NATIONAL,)
    scope = "run"
    partial = {}  # reads no rows

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(target)]

    def __init__(self, target: Target):
        self.adapted = target.adapted
        self.present = {m.id: m for plan in target.plans.values() for m in plan.questions}

    def end(self) -> list[CheckResult]:
        adapted, context = self.adapted, self.context
        module = adapted.module
        results = []
        for question in adapted.questions:
            national = adapted.national_universe(question.id)
            if national is None or question.id not in self.present:
                continue
            mapped = self.present[question.id]
            words = {
                f"{which}_sentence": describe_universe(
                    module, text, question.level, context.language, context.params
                )
                for which, text in (("national", national), ("standard", question.universe))
            }
            tally = Tally(0)
            tally.total.count = 1
            result = result_from_tally(
                codes.UNIV_NATIONAL.code,
                "universe",
                tally,
                level=question.level,
                question=question.id,
                variable=mapped.column,
            )
            result.finding = Finding.make(
                codes.UNIV_NATIONAL,
                Location(module=module.ref, question=question.id, variable=mapped.column),
                module=module.ref,
                question=question.id,
                national=national,
                standard=question.universe or "true",
                **words,
            )
            result.details.update(
                {"national_universe": national, "standard_universe": question.universe}
            )
            results.append(result)
        return results


class NationalLayerCheck(Check):
    """A derive or split the layer could not evaluate on some chunk's values (text where a
    number is needed, a date function on numbers): those rows are unknown; said once per
    question with the rows of the first chunk it happened in."""

    name = "national-layer"
    issues = (PROFILE_DATA_VALUES,)
    partial = {"problems": first_and_count}  # the earliest file's finding, chunks added

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        """One per file, on its own rows: they carry the problems of every level read from it."""
        if target.plan is None or target.flat:
            return []
        national = [m for m in target.plan.questions if m.national is not False]
        return [cls()] if national else []

    def start(self, context) -> None:
        super().start(context)
        self.problems: dict[str, tuple[Finding, int]] = {}

    def chunk(self, chunk: Chunk) -> None:
        for question, problem in chunk.national_problems.items():
            first, count = self.problems.get(question, (problem, 0))
            self.problems[question] = (first, count + 1)

    def end(self) -> list[CheckResult]:
        results = []
        for question, (finding, chunks) in self.problems.items():
            tally = Tally(0)
            tally.total.count = chunks
            result = result_from_tally(
                PROFILE_DATA_VALUES.code, "national", tally, question=question
            )
            result.finding = finding
            result.details["chunks"] = chunks
            results.append(result)
        return results

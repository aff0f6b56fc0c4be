"""Coverage: one result per question of the module, present in a file or missing (by its status)."""

from __future__ import annotations

from migmodule.codes import Finding, Location
from migmodule.spec.model import QuestionStatus
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Target
from migmodule.validate.report import CheckResult, Tally, result_from_tally

MISSING_BY_STATUS = {
    QuestionStatus.CORE: codes.COVER_CORE,
    QuestionStatus.RECOMMENDED: codes.COVER_RECOMMENDED,
}


class CoverageCheck(Check):
    name = "coverage"
    issues = (codes.COVER_CORE, codes.COVER_RECOMMENDED, codes.COVER_OPTIONAL)
    scope = "run"
    partial = {}  # reads no rows

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(target)]

    def __init__(self, target: Target):
        self.adapted = target.adapted
        self.plans = target.plans

    def end(self) -> list[CheckResult]:
        present = {m.id: (plan, m) for plan in self.plans.values() for m in plan.questions}
        first_file = str(next(iter(self.plans.values())).source.path)
        results = []
        for question in self.adapted.questions:
            if question.id in present:
                results.append(self._present(*present[question.id]))
                continue
            issue = MISSING_BY_STATUS.get(question.status, codes.COVER_OPTIONAL)
            variable = self.adapted.variable(question.id)
            tally = Tally(0)
            tally.total.count = 1
            result = result_from_tally(
                issue.code,
                "coverage",
                tally,
                level=question.level,
                question=question.id,
                variable=variable,
            )
            plan = self.plans.get(question.level)
            module = self.adapted.module.ref
            result.finding = Finding.make(
                issue,
                Location(
                    file=str(plan.source.path) if plan else first_file,
                    module=module,
                    question=question.id,
                    variable=variable,
                ),
                module=module,
                question=question.id,
                variable=variable,
                status=question.status.value,
            )
            results.append(result)
        return results

    @staticmethod
    def _present(plan, mapped) -> CheckResult:
        question = mapped.question
        result = result_from_tally(
            codes.COVER_CORE.code,
            "coverage",
            Tally(0),
            level=question.level,
            question=question.id,
            variable=mapped.column,
        )
        result.details["file"] = str(plan.source.path)
        if plan.level != question.level:
            result.details["read_from"] = f"{plan.level} file, first row of each {question.level}"
        return result

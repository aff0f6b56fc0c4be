"""Skip logic and item non-response for one question, both over its universe."""

from __future__ import annotations

import numpy as np

from migmodule.expr.sentence import describe_universe
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, truth
from migmodule.validate.prepare import (
    BLANK,
    DONT_KNOW,
    NOT_APPLICABLE,
    NOT_STATED,
    REFUSED,
    Chunk,
    MappedQuestion,
)
from migmodule.validate.report import CheckResult


class UniverseCheck(Check):
    name = "universe"
    issues = (codes.UNIV_OUTSIDE, codes.UNIV_INSIDE, codes.NONRESPONSE)

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(mapped) for mapped in target.questions]

    def __init__(self, mapped: MappedQuestion):
        self.mapped = mapped
        self.universe = mapped.question.universe

    def expressions(self) -> list[str]:
        return [self.universe] if self.universe else []

    def start(self, context: Context) -> None:
        super().start(context)
        self.skipped = context.evaluable(self.universe) if self.universe else []
        self.outside, self.inside, self.nonresponse = self.tally(), self.tally(), self.tally()
        self.kind_counts = {name: 0 for name in ("not_stated", "dont_know", "refused", "blank")}

    def chunk(self, chunk: Chunk) -> None:
        if self.skipped:
            return
        kinds = chunk.kinds[self.mapped.id]
        raw = chunk.raw[self.mapped.id]
        if self.universe:
            inside, outside, unknown = truth(
                self.context, chunk, self.universe, field_name=f"universe of {self.mapped.id}"
            )
        else:
            inside = np.ones(len(kinds), dtype=bool)
            outside = unknown = np.zeros(len(kinds), dtype=bool)
        blank = (kinds == BLANK) | (kinds == NOT_APPLICABLE)
        if self.universe:
            self.outside.add(
                chunk,
                outside & ~blank,
                denominator=outside,
                not_checkable=unknown & ~blank,
                values=raw,
            )
            self.inside.add(
                chunk, inside & blank, denominator=inside, not_checkable=unknown & blank
            )
        split = {
            "not_stated": kinds == NOT_STATED,
            "dont_know": kinds == DONT_KNOW,
            "refused": kinds == REFUSED,
            "blank": blank,
        }
        for name, mask in split.items():
            self.kind_counts[name] += int((mask & inside).sum())
        missing = inside & (split["not_stated"] | split["dont_know"] | split["refused"] | blank)
        self.nonresponse.add(chunk, missing, denominator=inside, not_checkable=unknown)

    def end(self) -> list[CheckResult]:
        who = {"question": self.mapped.id, "variable": self.mapped.column}
        if self.skipped:
            reason = f"universe reads {', '.join(self.skipped)}, not in the data"
            return [self.noted(codes.NONRESPONSE, "nonresponse", who, skipped=reason)]
        results = self._universe(who) if self.universe else []
        results.append(self._nonresponse(who))
        return results

    def _universe(self, who: dict[str, str | None]) -> list[CheckResult]:
        context = self.context
        q = self.mapped.question
        sentence = describe_universe(
            context.module, self.universe, q.level, context.language, context.params
        )
        base = {
            "variable": self.mapped.column,
            "question": q.id,
            "universe": self.universe,
            "sentence": sentence,
        }
        return [
            self.result(
                issue, "universe", tally, tally.count > 0, {**base, "count": tally.count}, **who
            )
            for issue, tally in (
                (codes.UNIV_OUTSIDE, self.outside),
                (codes.UNIV_INSIDE, self.inside),
            )
        ]

    def _nonresponse(self, who: dict[str, str | None]) -> CheckResult:
        q = self.mapped.question
        threshold = self.context.thresholds.get(q.id, self.context.nonresponse_threshold)
        denominator = self.nonresponse.total.denominator
        rate = self.nonresponse.count / denominator if denominator else 0.0
        result = self.result(
            codes.NONRESPONSE,
            "nonresponse",
            self.nonresponse,
            rate > threshold,
            {
                "variable": self.mapped.column,
                "question": q.id,
                "rate": rate,
                "universe_count": denominator,
                "threshold": threshold,
                **self.kind_counts,
            },
            **who,
        )
        result.details.update(
            {"kinds": dict(self.kind_counts), "threshold": threshold, "universe": self.universe}
        )
        return result

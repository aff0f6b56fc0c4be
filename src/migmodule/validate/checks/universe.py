"""Skip logic and item non-response for one question, both over its universe."""

from __future__ import annotations

import numpy as np

from migmodule.expr.sentence import describe_universe
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, explain, truth
from migmodule.validate.checks.partial import add, counts, tally
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
    partial = {
        "outside": tally,
        "inside": tally,
        "nonresponse": tally,
        "kind_counts": counts,
        "by_design": add,
    }

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(mapped, target.adapted.universe(mapped.id)) for mapped in target.questions]

    def __init__(self, mapped: MappedQuestion, universe: str | None = None):
        """`universe`: the one the rows are checked against (a profile's national universe
        replaces the module's); the question's own by default."""
        self.mapped = mapped
        self.universe = universe if universe is not None else mapped.question.universe

    def expressions(self) -> list[str]:
        return [self.universe] if self.universe else []

    def start(self, context: Context) -> None:
        super().start(context)
        self.absent = context.absent_in(self.universe) if self.universe else []
        self.reads = context.reads(self.universe) if self.universe else []
        self.outside, self.inside, self.nonresponse = self.tally(), self.tally(), self.tally()
        self.kind_counts = {name: 0 for name in ("not_stated", "dont_know", "refused", "blank")}
        self.by_design = 0

    def chunk(self, chunk: Chunk) -> None:
        """Rows where the known answers decide the universe are checked (a variable the file lacks
        is unknown, not a reason to skip); the others are not checkable. Rows blank by national
        design are never a universe error or non-response."""
        m = self.mapped
        kinds = chunk.kinds[m.id]
        raw = chunk.raw[m.id]
        design = chunk.blank_by_design(m.id)
        if self.universe:
            inside, outside, unknown = truth(
                self.context, chunk, self.universe, field_name=f"universe of {m.id}"
            )
        else:
            inside, outside = chunk.every(True), chunk.every(False)
            unknown = outside
        blank = (kinds == BLANK) | (kinds == NOT_APPLICABLE)
        asked = ~design
        if self.universe:
            read = self.context.read_values(chunk, [m.id, *self.reads])
            self.outside.add(
                chunk,
                outside & ~blank & asked,
                denominator=outside & asked,
                not_checkable=unknown & ~blank & asked,
                values=raw,
                read=read,
            )
            self.inside.add(
                chunk,
                inside & blank & asked,
                denominator=inside & asked,
                not_checkable=(unknown & blank & asked) | (design & ~outside),
                read=read,
            )
        split = {
            "not_stated": kinds == NOT_STATED,
            "dont_know": kinds == DONT_KNOW,
            "refused": kinds == REFUSED,
            "blank": blank,
        }
        checked = inside & asked
        for name, mask in split.items():  # count_nonzero: bool.sum() goes through an int sum
            self.kind_counts[name] += int(np.count_nonzero(mask & checked))
        self.by_design += int(np.count_nonzero(design & ~outside))
        missing = checked & (split["not_stated"] | split["dont_know"] | split["refused"] | blank)
        self.nonresponse.add(
            chunk,
            missing,
            denominator=checked,
            not_checkable=(unknown & asked) | (design & ~outside),
        )

    def end(self) -> list[CheckResult]:
        who = {"question": self.mapped.id, "variable": self.mapped.column}
        results = self._universe(who) if self.universe else []
        results.append(self._nonresponse(who))
        tallies = ([self.outside, self.inside] if self.universe else []) + [self.nonresponse]
        for result, counted in zip(results, tallies, strict=True):
            explain(result, counted, self.absent, "universe reads")
            if self.by_design:
                result.details["blank_by_design"] = self.by_design
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

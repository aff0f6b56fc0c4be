"""Label drift: the file's value labels against the spec's, code by code.

Only codes the profile does not recode are compared (a recoded national code means something else
on purpose), each code once. Country questions are compared on their listed codes only (special
codes): national files name countries in many ways. A label matches when, normalised, it equals,
contains or closely resembles the spec's label in any of the module's languages.
"""

from __future__ import annotations

import difflib

from migmodule.i18n import Joined, Phrase
from migmodule.spec.resolve import Resolved
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Target, show
from migmodule.validate.prepare import MappedQuestion, normalise
from migmodule.validate.report import CheckResult, Tally

COMPARED_ORIGINS = ("listed", "national")  # not the M49 countries a builtin list adds


class LabelDriftCheck(Check):
    name = "labels"
    issues = (codes.CODE_LABEL_DRIFT,)
    partial = {}  # compares the file's labels at the end, reads no rows

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        resolved = Resolved(target.adapted, target.adapted.module.languages)
        return [
            cls(mapped, resolved)
            for mapped in target.questions
            if mapped.info is not None and mapped.info.value_labels and mapped.question.code_list
        ]

    def __init__(self, mapped: MappedQuestion, resolved: Resolved):
        self.mapped = mapped
        code_list = resolved.module.code_list_by_id[mapped.question.code_list]
        self.spec_labels = {
            c.code: [c.labels[lang] for lang in resolved.languages]
            for c in resolved.codes(code_list)
            if c.origin in COMPARED_ORIGINS
        }

    def end(self) -> list[CheckResult]:
        m, q = self.mapped, self.mapped.question
        value_labels = m.info.value_labels if m.info is not None else {}
        disagreements = []
        seen: set[float] = set()
        for value, file_label in sorted(value_labels.items(), key=lambda kv: str(kv[0])):
            if isinstance(value, str):  # Stata .a-.z labels: read as special codes, not compared
                continue
            if m.recodes(value) or value in seen:  # recoded on purpose, or listed already
                continue
            seen.add(value)
            code = int(value) if float(value).is_integer() else value
            texts = self.spec_labels.get(code)
            if texts and not label_matches(str(file_label), texts):
                disagreements.append({"code": code, "file": str(file_label), "spec": texts[0]})
        tally = Tally(self.context.max_examples)
        tally.total.count = len(disagreements)
        tally.total.denominator = len(value_labels)
        details = Joined(
            "; ",
            (
                Phrase("reason.label_drift", code=show(d["code"]), file=d["file"], spec=d["spec"])
                for d in disagreements[:5]
            ),
        )
        result = self.result(
            codes.CODE_LABEL_DRIFT,
            "labels",
            tally,
            bool(disagreements),
            {
                "variable": m.column,
                "question": q.id,
                "code_list": q.code_list,
                "count": len(disagreements),
                "details": details,
            },
            question=q.id,
            variable=m.column,
        )
        result.details["codes"] = disagreements
        return [result]


def label_matches(file_label: str, spec_labels: list[str]) -> bool:
    mine = normalise(file_label)
    for text in spec_labels:
        theirs = normalise(text)
        if not mine or not theirs:
            continue
        if mine == theirs or mine in theirs or theirs in mine:
            return True
        if difflib.SequenceMatcher(None, mine, theirs).ratio() >= 0.8:
            return True
    return False

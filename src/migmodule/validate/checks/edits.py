"""Consistency edits: an edit fails where `when` is true and `check` is false; unknown is not
checkable."""

from __future__ import annotations

import numpy as np

from migmodule.spec.model import Edit
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, explain, truth
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult


class EditCheck(Check):
    name = "edits"
    issues = (codes.EDIT_ERROR, codes.EDIT_WARNING)

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(edit) for edit in target.edits]

    def __init__(self, edit: Edit):
        self.edit = edit
        self.issue = codes.EDIT_ERROR if edit.severity == "error" else codes.EDIT_WARNING

    def expressions(self) -> list[str]:
        return [text for text in (self.edit.when, self.edit.check) if text]

    def start(self, context: Context) -> None:
        super().start(context)
        self.absent = sorted({n for text in self.expressions() for n in context.absent_in(text)})
        self.reads = context.reads(*self.expressions())
        self.failures = self.tally()

    def chunk(self, chunk: Chunk) -> None:
        """Decided on every row where the known answers decide it; a variable the file lacks is
        unknown there (its rows not checkable), never a reason to skip the edit."""
        field_name = f"edit {self.edit.id}"
        if self.edit.when:
            when_true, _, when_unknown = truth(
                self.context, chunk, self.edit.when, field_name=field_name
            )
        else:
            when_true = np.ones(len(chunk), dtype=bool)
            when_unknown = np.zeros(len(chunk), dtype=bool)
        _, check_false, check_unknown = truth(
            self.context, chunk, self.edit.check, field_name=field_name
        )
        self.failures.add(
            chunk,
            when_true & check_false,
            denominator=when_true & ~check_unknown,
            not_checkable=when_unknown | (when_true & check_unknown),
            read=self.context.read_values(chunk, self.reads),
        )

    def end(self) -> list[CheckResult]:
        context = self.context
        lang, module, params = context.language, context.module, context.params
        result = self.result(
            self.issue,
            "edit",
            self.failures,
            self.failures.count > 0,
            {
                "edit": self.edit.id,
                "title": render(self.edit.title, module, params, lang),
                "count": self.failures.count,
                "message": render(self.edit.message, module, params, lang),
            },
            edit=self.edit.id,
        )
        result.details.update({"when": self.edit.when, "check": self.edit.check})
        explain(result, self.failures, self.absent)
        return [result]

"""Consistency edits: an edit fails where `when` is true and `check` is false; unknown is not
checkable."""

from __future__ import annotations

from migmodule.expr.semantics import referenced
from migmodule.profile import Adapted
from migmodule.spec.model import Edit
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, explain, truth
from migmodule.validate.checks.partial import tally
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult


class EditCheck(Check):
    name = "edits"
    issues = (codes.EDIT_ERROR, codes.EDIT_WARNING)
    partial = {"failures": tally}

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        return [cls(edit, standard_scope(target.adapted, edit)) for edit in target.edits]

    def __init__(self, edit: Edit, when: str | None = None):
        """`when`: the rows the edit applies to, when not the edit's own (see standard_scope)."""
        self.edit = edit
        self.when = when if when is not None else edit.when
        self.issue = codes.EDIT_ERROR if edit.severity == "error" else codes.EDIT_WARNING

    def expressions(self) -> list[str]:
        return [text for text in (self.when, self.edit.check) if text]

    def start(self, context: Context) -> None:
        super().start(context)
        self.absent = sorted({n for text in self.expressions() for n in context.absent_in(text)})
        self.reads = context.reads(*self.expressions())
        self.failures = self.tally()

    def chunk(self, chunk: Chunk) -> None:
        """Decided on every row where the known answers decide it; a variable the file lacks is
        unknown there (its rows not checkable), never a reason to skip the edit."""
        field_name = f"edit {self.edit.id}"
        if self.when:
            when_true, _, when_unknown = truth(self.context, chunk, self.when, field_name=field_name)
        else:
            when_true, when_unknown = chunk.every(True), chunk.every(False)
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
        result.details.update({"when": self.when, "check": self.edit.check})
        explain(result, self.failures, self.absent)
        return [result]


def standard_scope(adapted: Adapted, edit: Edit) -> str | None:
    """The rows an edit applies to. A module's edit is written for answers given inside the
    module's universes: where the profile widens a question's universe on purpose (country of
    citizenship recorded for citizens too), the edits that read that question are checked inside
    the question's standard universe only, so the national extra answers are not errors."""
    module = adapted.module
    names = set(referenced(module, edit.when or "")) | set(referenced(module, edit.check))
    scopes = [
        module.question_by_id[name].universe
        for name in sorted(names)
        if name in module.question_by_id
        and adapted.national_universe(name) is not None
        and module.question_by_id[name].universe
    ]
    if not scopes:
        return None
    return " and ".join(f"({text})" for text in [edit.when or "true", *scopes])

"""The checks of validate, one file per family, composed from one table (`CHECKS`).

A new check is one file here (a `Check` subclass with `name`, `issues`, `scope`, `build`) plus its
entry in `CHECKS` and its test. `Selection` picks checks by issue code or check name
(`validate --checks` / `--skip`, like frictionless' Checklist pick/skip).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from migmodule.codes import MigmoduleError
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, truth
from migmodule.validate.checks.coverage import CoverageCheck
from migmodule.validate.checks.edits import EditCheck
from migmodule.validate.checks.flat import LevelConsistencyCheck
from migmodule.validate.checks.identifiers import DuplicateIdCheck, LinkCheck, MissingIdCheck
from migmodule.validate.checks.labels import LabelDriftCheck
from migmodule.validate.checks.national import NationalLayerCheck, NationalUniverseCheck
from migmodule.validate.checks.tables import TableKeyCheck
from migmodule.validate.checks.universe import UniverseCheck
from migmodule.validate.checks.values import QuestionValueCheck
from migmodule.validate.report import CheckResult

# The one table of checks, in the order their results are reported.
CHECKS: tuple[type[Check], ...] = (
    CoverageCheck,
    NationalUniverseCheck,
    MissingIdCheck,
    NationalLayerCheck,
    QuestionValueCheck,
    LabelDriftCheck,
    UniverseCheck,
    EditCheck,
    TableKeyCheck,
    DuplicateIdCheck,
    LinkCheck,
    LevelConsistencyCheck,
)

__all__ = [
    "CHECKS",
    "Check",
    "Context",
    "CoverageCheck",
    "DuplicateIdCheck",
    "EditCheck",
    "LabelDriftCheck",
    "LevelConsistencyCheck",
    "LinkCheck",
    "MissingIdCheck",
    "NationalLayerCheck",
    "NationalUniverseCheck",
    "QuestionValueCheck",
    "Selection",
    "TableKeyCheck",
    "Target",
    "UniverseCheck",
    "truth",
]


@dataclass(frozen=True)
class Selection:
    """The issue codes a run reports: all, or those picked, minus those skipped."""

    codes: frozenset[str]

    @classmethod
    def of(cls, pick: Iterable[str] = (), skip: Iterable[str] = ()) -> Selection:
        """Codes from issue codes (DATA-ID-001) or check names (identifiers); unknown ones raise."""
        every = frozenset(issue.code for check in CHECKS for issue in check.issues)
        picked = _codes(pick) if pick else every
        return cls(picked - _codes(skip))

    def wants(self, check: type[Check]) -> bool:
        return any(issue.code in self.codes for issue in check.issues)

    def keep(self, check: Check, results: list[CheckResult]) -> list[CheckResult]:
        """The results of the selected codes, after holding the check to its declared codes."""
        declared = {issue.code for issue in check.issues}
        for result in results:
            if result.code not in declared:
                raise RuntimeError(
                    f"check '{check.name}' reported {result.code}, which it does not declare"
                )
        return [result for result in results if result.code in self.codes]


def _codes(items: Iterable[str]) -> frozenset[str]:
    by_name = {check.name: {issue.code for issue in check.issues} for check in CHECKS}
    every = set().union(*by_name.values())
    found: set[str] = set()
    for item in items:
        text = item.strip()
        if text.upper() in every:
            found.add(text.upper())
        elif text.lower() in by_name:
            found |= by_name[text.lower()]
        else:
            raise MigmoduleError.of(
                codes.CHECK_UNKNOWN,
                item=item,
                names=", ".join(by_name),
                codes=", ".join(sorted(every)),
            )
    return frozenset(found)

"""The validation report: per-check results with exact counts, rates and capped examples.

A `Tally` accumulates one check over chunks. Counts are sums and examples are the first N failing
rows in file order, so a chunked run gives the same tally as a whole-file run. `Report.to_dict()`
is the documented JSON structure (docs/validation.md); `schema_version` changes when it does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from migmodule import i18n
from migmodule.codes import Finding, Severity, get

SCHEMA_VERSION = "1.0"


# The columns of `Report.flatten()`, one row per check result (also the XLSX findings sheet).
FLAT_COLUMNS = (
    "code",
    "severity",
    "failed",
    "check",
    "level",
    "question",
    "variable",
    "edit",
    "count",
    "denominator",
    "rate",
    "weighted_rate",
    "not_checkable",
    "examples_capped",
    "message",
)


@dataclass
class GroupCounts:
    count: int = 0
    denominator: int = 0
    weighted_count: float = 0.0
    weighted_denominator: float = 0.0

    def to_dict(self, weighted: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "count": self.count,
            "denominator": self.denominator,
            "rate": _rate(self.count, self.denominator),
        }
        if weighted:
            out["weighted_rate"] = _rate(self.weighted_count, self.weighted_denominator)
        return out


def _rate(count: float, denominator: float) -> float | None:
    return round(count / denominator, 6) if denominator else None


class Tally:
    """Failures of one check: counted over every row, examples capped at `max_examples`."""

    def __init__(self, max_examples: int):
        self.max_examples = max_examples
        self.total = GroupCounts()
        self.not_checkable = 0
        self.by: dict[str, GroupCounts] = {}
        self.examples: list[dict[str, Any]] = []
        self.example_values: list[dict[str, Any]] = []  # per example: what the rule read

    def add(
        self,
        chunk,
        failed: np.ndarray,
        denominator: np.ndarray | None = None,
        not_checkable: np.ndarray | None = None,
        values: pd.Series | None = None,
        read: dict[str, pd.Series] | None = None,
    ) -> None:
        """Add one chunk: `failed` rows fail, `denominator` rows were checked (default: all rows).

        Examples show the failing row (number and identifiers) and its `value`; `read` (label ->
        the chunk's values of a variable the rule read) gives, per example, the values the rule
        read (`example_values`, one mapping per example, in the result's details)."""
        # count_nonzero, not .sum(): a boolean sum goes through an integer sum (issue 16)
        failed = np.asarray(failed, dtype=bool)
        failures = int(np.count_nonzero(failed))
        self.total.count += failures
        checked = None if denominator is None else np.asarray(denominator, dtype=bool)
        self.total.denominator += len(failed) if checked is None else int(np.count_nonzero(checked))
        if not_checkable is not None:
            self.not_checkable += int(np.count_nonzero(np.asarray(not_checkable, dtype=bool)))
        if chunk.weight is not None:
            self.total.weighted_count += float(chunk.weight[failed].sum())
            weights = chunk.weight if checked is None else chunk.weight[checked]
            self.total.weighted_denominator += float(weights.sum())
        if chunk.group is not None:
            every = np.ones(len(failed), dtype=bool)
            self._add_groups(chunk, failed, every if checked is None else checked)
        room = self.max_examples - len(self.examples)
        if room > 0 and failures:
            positions = np.flatnonzero(failed)[:room]
            rows = chunk.describe_rows(positions)
            for row, pos in zip(rows, positions, strict=True):
                if values is not None:
                    row["value"] = _json_value(values.iat[pos])
                if read is not None:
                    self.example_values.append(
                        {label: _read_value(s.iat[pos]) for label, s in read.items()}
                    )
            self.examples.extend(rows)

    def _add_groups(self, chunk, failed: np.ndarray, checked: np.ndarray) -> None:
        frame = pd.DataFrame(
            {"group": chunk.group.to_numpy(), "failed": failed, "checked": checked}
        )
        if chunk.weight is not None:
            frame["wf"] = np.where(failed, chunk.weight, 0.0)
            frame["wc"] = np.where(checked, chunk.weight, 0.0)
        sums = frame.groupby("group", sort=False, dropna=False).sum()
        for group, row in sums.iterrows():
            counts = self.by.setdefault(str(group), GroupCounts())
            counts.count += int(row["failed"])
            counts.denominator += int(row["checked"])
            if chunk.weight is not None:
                counts.weighted_count += float(row["wf"])
                counts.weighted_denominator += float(row["wc"])

    def absorb(self, more: Tally, first_row: int) -> None:
        """Add the tally of the next file (rows numbered from 0; `first_row` rows before it):
        counts add, and examples stay the first `max_examples` in file order."""
        for mine, theirs in [(self.total, more.total)] + [
            (self.by.setdefault(group, GroupCounts()), counts) for group, counts in more.by.items()
        ]:
            mine.count += theirs.count
            mine.denominator += theirs.denominator
            mine.weighted_count += theirs.weighted_count
            mine.weighted_denominator += theirs.weighted_denominator
        self.not_checkable += more.not_checkable
        room = self.max_examples - len(self.examples)
        if room <= 0:
            return
        for example in more.examples[:room]:
            row = example.get("row")
            shifted = isinstance(row, int) and "file" not in example  # "file": another file's row
            self.examples.append({**example, "row": row + first_row} if shifted else example)
        self.example_values.extend(more.example_values[:room])

    @property
    def count(self) -> int:
        return self.total.count

    def capped(self) -> bool:
        return self.total.count > len(self.examples)


def _read_value(value: Any) -> Any:
    """A value a rule read, for examples: blank text is missing, as a blank number is."""
    if isinstance(value, str) and not value.strip():
        return None
    return _json_value(value)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return str(value)


@dataclass
class CheckResult:
    """One check on one question (or edit, or level): the counts and, when it failed, a finding."""

    code: str
    check: str  # "coverage", "coding", "universe", "nonresponse", "edit", "identifiers", ...
    level: str | None = None
    question: str | None = None
    variable: str | None = None
    edit: str | None = None
    count: int = 0
    denominator: int | None = None
    weighted_rate: float | None = None
    not_checkable: int = 0
    by: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    examples_capped: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    finding: Finding | None = None
    # Several modules validated at once (validate/several.py): the module the checked element
    # comes from (its shared module for a shared question). None in a one-module report.
    module: str | None = None

    @property
    def severity(self) -> Severity:
        return self.finding.severity if self.finding else get(self.code).severity

    @property
    def rate(self) -> float | None:
        return _rate(self.count, self.denominator) if self.denominator is not None else None

    def to_dict(self) -> dict[str, Any]:
        # "module" only when several modules were validated: one module's report keeps its shape.
        module = {"module": self.module} if self.module is not None else {}
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": get(self.code).title,
            **module,
            "check": self.check,
            "level": self.level,
            "question": self.question,
            "variable": self.variable,
            "edit": self.edit,
            "failed": self.finding is not None,
            "count": self.count,
            "denominator": self.denominator,
            "rate": self.rate,
            "weighted_rate": self.weighted_rate,
            "not_checkable": self.not_checkable,
            "by": self.by,
            "examples": self.examples,
            "examples_capped": self.examples_capped,
            "details": self.details,
            "message": self.finding.message if self.finding else None,
        }


def result_from_tally(
    code: str, check: str, tally: Tally, *, weighted: bool = False, **identity: Any
) -> CheckResult:
    """A CheckResult (without its finding yet) from a tally."""
    result = CheckResult(
        code,
        check,
        count=tally.count,
        denominator=tally.total.denominator,
        not_checkable=tally.not_checkable,
        examples=list(tally.examples),
        examples_capped=tally.capped(),
        **identity,
    )
    if tally.example_values:
        result.details["example_values"] = list(tally.example_values)
    if weighted:
        result.weighted_rate = _rate(tally.total.weighted_count, tally.total.weighted_denominator)
    result.by = {group: counts.to_dict(weighted) for group, counts in sorted(tally.by.items())}
    return result


@dataclass
class Report:
    """What `validate_data` returns. `valid` is False when any error-severity finding was made."""

    module: str
    profile: str
    files: dict[str, dict[str, Any]]  # level -> {path, format, rows, columns_read}
    results: list[CheckResult]
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # The modules validated together (validate/several.py); empty for one module, whose report
    # keeps its shape (`module` then names it alone).
    modules: list[str] = field(default_factory=list)
    # No national profile was given (the module with command-line options): said in words, not
    # as the placeholder name "profile". Not in the JSON, whose `profile` keeps that name.
    generic: bool = False

    def profile_text(self, lang: str) -> str:
        """'Profile: NAME', or 'No national profile', in `lang`."""
        if self.generic:
            return i18n.word(lang, "report.no_profile")
        return i18n.word(lang, "report.profile", profile=self.profile)

    @property
    def findings(self) -> list[Finding]:
        return [r.finding for r in self.results if r.finding is not None]

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def stats(self) -> dict[str, Any]:
        by_severity = {s.value: 0 for s in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return {
            "files": len(self.files),
            "rows": {level: info["rows"] for level, info in self.files.items()},
            "checks": len(self.results),
            "findings": len(self.findings),
            "by_severity": by_severity,
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "module": self.module,
            **({"modules": list(self.modules)} if self.modules else {}),
            "profile": self.profile,
            "valid": self.valid,
            "settings": self.settings,
            "files": self.files,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.findings],
            "results": [r.to_dict() for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def flatten(self) -> list[dict[str, Any]]:
        """One flat row per check result (for spreadsheets and data frames)."""
        columns = FLAT_COLUMNS
        if self.modules:  # several modules: which one each result comes from
            columns = (*FLAT_COLUMNS[:4], "module", *FLAT_COLUMNS[4:])
        rows = []
        for result in self.results:
            data = result.to_dict()
            rows.append({key: data[key] for key in columns})
        return rows

    def nonresponse(self) -> list[CheckResult]:
        return [r for r in self.results if r.check == "nonresponse"]

"""The one registry of issue codes, and the Finding object every check returns.

Each area declares its codes with `define(...)` in its own `codes.py` (spec, export, validate,
handout); `all_codes()` imports them all so that docs and tests see one registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from migmodule.escape import visible_controls


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class IssueCode:
    code: str
    severity: Severity
    title: str
    template: str  # str.format template: what is wrong, where, how to fix it
    area: str

    def format(self, **values: Any) -> str:
        """The message; text values from files are shown with their control characters escaped."""
        shown = {k: visible_controls(v) if isinstance(v, str) else v for k, v in values.items()}
        return self.template.format(**shown)


_REGISTRY: dict[str, IssueCode] = {}


def define(code: str, severity: str, title: str, template: str, area: str) -> IssueCode:
    if code in _REGISTRY:
        raise ValueError(f"issue code {code} is defined twice")
    issue = IssueCode(code, Severity(severity), title, template, area)
    _REGISTRY[code] = issue
    return issue


def all_codes() -> dict[str, IssueCode]:
    """Every issue code. Importing the modules that declare codes registers them; the imports are
    plain, so a module that cannot be imported is an error here, never a gap in the registry.
    A test holds this list to every module of the package that calls `define`."""
    import migmodule.compare.codes
    import migmodule.export  # every export format (EXPORTS) and export/codes.py
    import migmodule.expr.codes
    import migmodule.expr.evaluate
    import migmodule.handout.codes
    import migmodule.io
    import migmodule.matching.codes
    import migmodule.microdata.codes
    import migmodule.profile
    import migmodule.profile_init
    import migmodule.spec.codes
    import migmodule.spec.params
    import migmodule.spec.tables
    import migmodule.tabulate.codes
    import migmodule.tabulate.codes_estimate
    import migmodule.validate.codes  # noqa: F401

    return dict(sorted(_REGISTRY.items()))


def get(code: str) -> IssueCode:
    all_codes()
    return _REGISTRY[code]


@dataclass(frozen=True)
class Location:
    """Where a finding points: any of file and line, module@version, question, language, variable, row."""

    file: str | None = None
    line: int | None = None
    module: str | None = None
    question: str | None = None
    language: str | None = None
    variable: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.module:
            parts.append(self.module)
        if self.question:
            parts.append(f"question {self.question}")
        if self.variable:
            parts.append(f"variable {self.variable}")
        if self.language:
            parts.append(f"language {self.language}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, issue: IssueCode, location: Location | None = None, **values: Any) -> Finding:
        return cls(
            issue.code, issue.severity, issue.format(**values), location or Location(), values
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location.to_dict(),
        }

    def __str__(self) -> str:
        where = str(self.location)
        return f"{self.code} [{self.severity.value}] {where + ': ' if where else ''}{self.message}"


class MigmoduleError(Exception):
    """Unusable input: raised, caught by the CLI, shown as a coded message with exit code 2."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding

    @classmethod
    def of(
        cls, issue: IssueCode, location: Location | None = None, **values: Any
    ) -> MigmoduleError:
        return cls(Finding.make(issue, location, **values))


def worst(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)


def reaches(findings: list[Finding], fail_on: str) -> bool:
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in findings)

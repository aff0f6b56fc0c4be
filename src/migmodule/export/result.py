"""What every export returns: the file written and the findings made while writing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migmodule.codes import Finding


@dataclass
class ExportResult:
    path: Path | None
    findings: list[Finding] = field(default_factory=list)

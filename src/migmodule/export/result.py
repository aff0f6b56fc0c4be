"""What every export returns: the files written and the findings made while writing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migmodule.codes import Finding


@dataclass
class ExportResult:
    """The files an export wrote (main file first) and its findings (names, labels, logic...)."""

    paths: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def path(self) -> Path | None:
        """The main file written (the .xlsx, the .dcf, the first language's .do...)."""
        return self.paths[0] if self.paths else None

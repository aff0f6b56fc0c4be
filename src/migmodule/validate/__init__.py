"""Validation of microdata against a module: `validate_data` returns a `Report`; `write_report` saves it.

Layout: settings.py (`ValidationSettings`), plan.py (which file is which level, what to read),
prepare.py (mapping, recodes, special codes: raw chunk -> Chunk), checks/ (the checks, one file
per family, composed from the `CHECKS` table), flat.py (upper levels read from a flat file),
engine.py (the run), report.py (results and JSON), html.py / xlsx.py / terminal.py (outputs),
mapping.py (`migmodule map`), codes.py (issue codes). Data files are read by `migmodule.microdata`.
"""

from __future__ import annotations

from pathlib import Path

from migmodule.codes import Location, MigmoduleError
from migmodule.io import atomic_path, check_writable, write_text
from migmodule.validate.checks import CHECKS, Check
from migmodule.validate.codes import REPORT_FORMAT
from migmodule.validate.engine import validate_data
from migmodule.validate.mapping import propose_mapping, write_mapping
from migmodule.validate.report import SCHEMA_VERSION, CheckResult, Report
from migmodule.validate.settings import ValidationSettings
from migmodule.validate.several import validate_modules

__all__ = [
    "CHECKS",
    "SCHEMA_VERSION",
    "Check",
    "CheckResult",
    "Report",
    "ValidationSettings",
    "check_report_path",
    "propose_mapping",
    "validate_data",
    "validate_modules",
    "write_mapping",
    "write_report",
    "write_reports",
]

REPORT_SUFFIXES = (".html", ".htm", ".json", ".xlsx")


def check_report_path(path: str | Path) -> None:
    """Raise before a long run if a report cannot be written: an unknown extension, a folder at
    that path, a folder that does not exist, or a file the command reads."""
    if Path(path).suffix.lower() not in REPORT_SUFFIXES:
        raise MigmoduleError.of(REPORT_FORMAT, Location(file=str(path)), path=path)
    check_writable(path)


def write_reports(report: Report, paths: list[str | Path]) -> None:
    """Every report, or none: each is rendered to its hidden temporary file first, and they are
    moved into place together only when all were written (a value that breaks the XLSX leaves
    no HTML report of the same run behind)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        temps = [(stack.enter_context(atomic_path(path)), Path(path)) for path in paths]
        for temp, path in temps:
            write_report(report, temp, suffix=path.suffix)


def write_report(report: Report, path: str | Path, suffix: str | None = None) -> None:
    """Write the report as HTML, JSON or XLSX, chosen by the file name's extension (atomically)."""
    path = Path(path)
    suffix = (suffix or path.suffix).lower()
    if suffix in (".html", ".htm"):
        from migmodule.validate.html import render_html

        write_text(path, render_html(report))
    elif suffix == ".json":
        write_text(path, report.to_json() + "\n")
    elif suffix == ".xlsx":
        from migmodule.validate.xlsx import write_xlsx

        write_xlsx(report, path)
    else:
        raise MigmoduleError.of(REPORT_FORMAT, Location(file=str(path)), path=path)

"""Validation of microdata against a module: `validate_data` returns a `Report`; `write_report` saves it.

Layout: read.py (chunked readers), prepare.py (mapping, recodes, special codes), checks.py (the
checks), engine.py (the run), report.py (results and JSON), html.py / xlsx.py / terminal.py
(outputs), mapping.py (`migmodule map`), codes.py (issue codes).
"""

from __future__ import annotations

from pathlib import Path

from migmodule.codes import Location, MigmoduleError
from migmodule.io import write_text
from migmodule.validate.codes import REPORT_FORMAT
from migmodule.validate.engine import validate_data
from migmodule.validate.mapping import propose_mapping, write_mapping
from migmodule.validate.report import SCHEMA_VERSION, CheckResult, Report

__all__ = [
    "SCHEMA_VERSION",
    "CheckResult",
    "Report",
    "check_report_path",
    "propose_mapping",
    "validate_data",
    "write_mapping",
    "write_report",
]

REPORT_SUFFIXES = (".html", ".htm", ".json", ".xlsx")


def check_report_path(path: str | Path) -> None:
    """Raise before a long run if a report file name has an unknown extension."""
    if Path(path).suffix.lower() not in REPORT_SUFFIXES:
        raise MigmoduleError.of(REPORT_FORMAT, Location(file=str(path)), path=path)


def write_report(report: Report, path: str | Path) -> None:
    """Write the report as HTML, JSON or XLSX, chosen by the file name's extension (atomically)."""
    path = Path(path)
    suffix = path.suffix.lower()
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

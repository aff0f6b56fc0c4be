"""The XLSX workbook for field teams: a summary sheet, a findings sheet, one sheet per failed check."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from migmodule.io import atomic_path
from migmodule.validate.report import FLAT_COLUMNS, Report

HEADER = Font(bold=True)
FILLS = {
    "error": PatternFill("solid", fgColor="F5B7B1"),
    "warning": PatternFill("solid", fgColor="FAD7A0"),
    "info": PatternFill("solid", fgColor="AED6F1"),
}


def _sheet_title(text: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", text)[:31]
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def write_xlsx(report: Report, path: str | Path) -> None:
    data = report.to_dict()
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    rows = [
        ("Module", data["module"]),
        ("Profile", data["profile"]),
        ("Valid", "yes" if data["valid"] else "no"),
        ("Errors", data["stats"]["by_severity"]["error"]),
        ("Warnings", data["stats"]["by_severity"]["warning"]),
        ("Notes", data["stats"]["by_severity"]["info"]),
        ("Checks run", data["stats"]["checks"]),
    ]
    for level, file in data["files"].items():
        rows.append((f"{level} file", f"{file['path']} ({file['rows']} rows)"))
    for row in rows:
        summary.append(row)
    summary.column_dimensions["A"].width, summary.column_dimensions["B"].width = 18, 80

    findings = book.create_sheet("Findings")
    columns = [c for c in FLAT_COLUMNS if c != "failed"]  # the sheet holds failed checks only
    findings.append(columns)
    for cell in findings[1]:
        cell.font = HEADER
    taken = {"summary", "findings", "non-response"}
    failed = [r for r in data["results"] if r["failed"]]
    for result in failed:
        findings.append([result[c] for c in columns])
        findings.cell(findings.max_row, 2).fill = FILLS[result["severity"]]
    findings.freeze_panes = "A2"
    findings.column_dimensions["N"].width = 100

    nonresponse = book.create_sheet("Non-response")
    nonresponse.append(
        [
            "question",
            "variable",
            "universe",
            "not_stated",
            "dont_know",
            "refused",
            "blank",
            "rate",
            "weighted_rate",
            "not_checkable",
        ]
    )
    for cell in nonresponse[1]:
        cell.font = HEADER
    for r in data["results"]:
        if r["check"] == "nonresponse" and "kinds" in r["details"]:
            kinds = r["details"]["kinds"]
            nonresponse.append(
                [
                    r["question"],
                    r["variable"],
                    r["denominator"],
                    kinds["not_stated"],
                    kinds["dont_know"],
                    kinds["refused"],
                    kinds["blank"],
                    r["rate"],
                    r["weighted_rate"],
                    r["not_checkable"],
                ]
            )

    for result in failed:
        _finding_sheet(book, result, taken, data["settings"]["by"])
    with atomic_path(path) as temp:
        book.save(temp)


def _finding_sheet(book: Workbook, result: dict, taken: set[str], by: str | None) -> None:
    """One sheet per finding: the message, the examples (with the values the rule read), and
    the breakdown."""
    name = (
        f"{result['code']} {result['question'] or result['edit'] or result['level'] or ''}".strip()
    )
    sheet = book.create_sheet(_sheet_title(name, taken))
    sheet.append([result["message"]])
    sheet.append([])
    read = result["details"].get("example_values", [])
    sheet.append(["row", "identifiers", "value"] + (["values the rule read"] if read else []))
    for cell in sheet[3]:
        cell.font = HEADER
    for index, example in enumerate(result["examples"]):
        row = [example.get("row"), example.get("id"), example.get("value")]
        if index < len(read):
            row.append(
                "; ".join(f"{k} = {'.' if v is None else v}" for k, v in read[index].items())
            )
        sheet.append(row)
    if result["examples_capped"]:
        sheet.append([f"Only the first {len(result['examples'])} of {result['count']} are listed."])
    if result["by"]:
        sheet.append([])
        sheet.append([by, "failures", "checked", "rate"])
        for group, counts in result["by"].items():
            sheet.append([group, counts["count"], counts["denominator"], counts["rate"]])

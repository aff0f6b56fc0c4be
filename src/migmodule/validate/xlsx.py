"""The XLSX workbook for field teams: a summary sheet, a findings sheet, a non-response sheet and
one sheet per failed check, in the report's language. Headers are bold and frozen, columns have
filters and widths, shares are formatted as percentages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from migmodule import i18n
from migmodule.escape import xlsx_literals, xlsx_sheet_title, xlsx_value
from migmodule.io import atomic_path
from migmodule.validate.report import Report
from migmodule.validate.terminal import failed_results, where

HEADER = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT = "0.0%"
FILLS = {
    "error": PatternFill("solid", fgColor="F5B7B1"),
    "warning": PatternFill("solid", fgColor="FAD7A0"),
    "info": PatternFill("solid", fgColor="AED6F1"),
}
# Findings sheet: (catalogue key of the header, width, number format)
FINDING_COLUMNS = (
    ("report.code", 16, None),
    ("report.severity", 14, None),
    ("report.finding_title", 36, None),
    ("report.check", 18, None),
    ("report.level", 12, None),
    ("report.question", 24, None),
    ("report.variable", 18, None),
    ("report.edit_column", 24, None),
    ("report.count", 10, "#,##0"),
    ("report.checked", 10, "#,##0"),
    ("report.rate", 9, PERCENT),
    ("report.weighted_rate", 9, PERCENT),
    ("report.not_checkable", 10, "#,##0"),
    ("report.examples_capped", 10, None),
    ("report.message", 100, None),
)
# Several modules validated at once: the module of each finding, after the check's name.
MODULE_COLUMN = ("report.module", 22, None)
NONRESPONSE_COLUMNS = (
    ("report.question", 26, None),
    ("report.variable", 18, None),
    ("report.universe", 10, "#,##0"),
    ("report.not_stated", 10, "#,##0"),
    ("report.dont_know", 10, "#,##0"),
    ("report.refused", 10, "#,##0"),
    ("report.blank", 10, "#,##0"),
    ("report.rate", 9, PERCENT),
    ("report.weighted_rate", 9, PERCENT),
    ("report.not_checkable", 10, "#,##0"),
)


def _table(sheet: Worksheet, lang: str, columns: tuple, rows: list[list[Any]]) -> None:
    """A header row (bold, frozen, with filters) over `rows`, with widths and number formats."""
    sheet.append([i18n.word(lang, key) for key, _, _ in columns])
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER
    header_row = sheet.max_row
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])  # data values may hold controls
    for index, (_, width, number_format) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = number_format
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
    sheet.freeze_panes = f"A{header_row + 1}"


def write_xlsx(report: Report, path: str | Path, lang: str | None = None) -> None:
    """The workbook in `lang` (default: the report's language, `settings.language`)."""
    lang = lang or report.settings.get("language") or "en"
    data = report.to_dict()
    word = lambda key, **values: i18n.word(lang, key, **values)  # noqa: E731
    book = Workbook()
    summary = book.active
    summary.title = xlsx_sheet_title(word("report.sheet_summary"), set())
    stats = data["stats"]["by_severity"]
    rows: list[tuple[str, Any]] = [
        (word("report.module"), data["module"]),
        (
            word("report.profile_label"),
            word("report.no_profile") if report.generic else data["profile"],
        ),
        (word("report.valid_label"), word(f"report.answer_{'yes' if data['valid'] else 'no'}")),
        (word("report.errors_heading"), stats["error"]),
        (word("report.warnings_heading"), stats["warning"]),
        (word("report.notes_heading"), stats["info"]),
        (word("report.checks_run"), data["stats"]["checks"]),
        (word("report.made", when=datetime.now().astimezone()), ""),
    ]
    if data.get("modules"):  # several modules validated at once
        rows.insert(1, (word("several.modules_label"), ", ".join(data["modules"])))
    for level, file in data["files"].items():
        rows.append(
            (
                word("report.file_of_level", level=level),
                word(
                    "report.file_rows",
                    path=file["path"],
                    rows=word("report.rows", count=file["rows"]),
                ),
            )
        )
    for row in rows:
        summary.append([xlsx_value(value) for value in row])
    for cell in summary["A"]:
        cell.font = HEADER
    summary.column_dimensions["A"].width, summary.column_dimensions["B"].width = 28, 80

    taken = {summary.title.lower()}
    findings = book.create_sheet(xlsx_sheet_title(word("report.sheet_findings"), taken))
    failed = failed_results(report)
    columns, several = FINDING_COLUMNS, bool(report.modules)
    if several:
        columns = (*FINDING_COLUMNS[:4], MODULE_COLUMN, *FINDING_COLUMNS[4:])
    _table(findings, lang, columns, [_finding_row(r, lang, several) for r in failed])
    for index, result in enumerate(failed, start=2):
        findings.cell(index, 2).fill = FILLS[result.severity.value]
        findings.cell(index, len(columns)).alignment = WRAP

    nonresponse = book.create_sheet(xlsx_sheet_title(word("report.sheet_nonresponse"), taken))
    _table(
        nonresponse,
        lang,
        NONRESPONSE_COLUMNS,
        [
            [
                r["question"],
                r["variable"],
                r["denominator"],
                r["details"]["kinds"]["not_stated"],
                r["details"]["kinds"]["dont_know"],
                r["details"]["kinds"]["refused"],
                r["details"]["kinds"]["blank"],
                r["rate"],
                r["weighted_rate"],
                r["not_checkable"],
            ]
            for r in data["results"]
            if r["check"] == "nonresponse" and "kinds" in r["details"]
        ],
    )

    for result in failed:
        _finding_sheet(book, result, taken, data["settings"]["by"], lang)
    xlsx_literals(book)  # values from the data starting with '=' stay text
    with atomic_path(path) as temp:
        book.save(temp)


def _finding_row(result, lang: str, several: bool = False) -> list[Any]:
    row = [
        result.code,
        i18n.word(lang, f"severity.{result.severity.value}"),
        i18n.finding_title(lang, result.code),
        i18n.word(lang, f"check.{result.check}"),
        result.level,
        result.question,
        result.variable,
        result.edit,
        result.count,
        result.denominator,
        result.rate,
        result.weighted_rate,
        result.not_checkable,
        i18n.word(lang, "report.answer_yes") if result.examples_capped else "",
        i18n.finding_message(lang, result.finding),
    ]
    if several:
        row.insert(4, result.module)
    return row


def _finding_sheet(book: Workbook, result, taken: set[str], by: str | None, lang: str) -> None:
    """One sheet per finding, named by its code and where it is: the message, the examples
    (with the values the rule read), and the breakdown."""
    name = f"{result.code} {where(result, lang)}".strip()
    sheet = book.create_sheet(xlsx_sheet_title(name, taken))
    sheet.append([xlsx_value(i18n.finding_message(lang, result.finding))])
    sheet["A1"].alignment = Alignment(wrap_text=False)
    sheet.append([])
    read = result.details.get("example_values", [])
    columns = (
        ("report.row", 8, "0"),
        ("report.identifiers", 30, None),
        ("report.value", 20, None),
    ) + ((("report.values_read", 60, None),) if read else ())
    rows = []
    for index, example in enumerate(result.examples):
        row = [example.get("row"), example.get("id"), example.get("value")]
        if index < len(read):
            row.append(
                "; ".join(f"{k} = {'.' if v is None else v}" for k, v in read[index].items())
            )
        rows.append(row)
    _table(sheet, lang, columns, rows)
    if result.examples_capped:
        sheet.append(
            [i18n.word(lang, "report.capped", shown=len(result.examples), count=result.count)]
        )
    if result.by:
        sheet.append([])
        sheet.append(
            [
                by,
                i18n.word(lang, "report.failures"),
                i18n.word(lang, "report.checked"),
                i18n.word(lang, "report.rate"),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = HEADER
        for group, counts in result.by.items():
            sheet.append(
                [xlsx_value(group), counts["count"], counts["denominator"], counts["rate"]]
            )
            sheet.cell(sheet.max_row, 4).number_format = PERCENT

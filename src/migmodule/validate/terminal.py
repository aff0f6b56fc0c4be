"""The terminal summary (rich): one line per finding with its message wrapped under it, a verdict,
and a progress bar for long files. Every word comes from the language catalogue (`i18n`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from migmodule import i18n
from migmodule.validate.report import CheckResult, Report
from migmodule.validate.settings import Progress as ProgressCallback

STYLES = {"error": "red", "warning": "yellow", "info": "cyan"}
INDENT = 4


@contextmanager
def progress_bar(console: Console, lang: str = "en") -> Iterator[ProgressCallback | None]:
    """A callback for validate_data that draws a bar; None (no bar) when output is not a terminal."""
    if not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),  # time left: every reader gives a total (rows, or bytes of a CSV)
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(level: str, done: int, total: int | None) -> None:
            if level not in tasks:
                description = i18n.word(lang, "report.reading", level=level)
                tasks[level] = bar.add_task(description, total=total)
            bar.update(tasks[level], completed=done)

        yield update


def failed_results(report: Report) -> list[CheckResult]:
    """Failed checks, errors first, then warnings, then notes; by code within each."""
    return sorted(
        (r for r in report.results if r.finding is not None),
        key=lambda r: (-r.severity.rank, r.code),
    )


def where(result: CheckResult, lang: str) -> str:
    if result.question:
        return result.question
    if result.edit:
        return i18n.word(lang, "report.edit_where", edit=result.edit)
    return result.level or ""


def verdict_line(report: Report, lang: str) -> str:
    stats = report.stats["by_severity"]
    verdict = "verdict_valid" if report.valid else "verdict_not_valid"
    return i18n.word(
        lang,
        "report.verdict",
        verdict=i18n.word(lang, f"report.{verdict}"),
        errors=i18n.word(lang, "report.errors", count=stats["error"]),
        warnings=i18n.word(lang, "report.warnings", count=stats["warning"]),
        notes=i18n.word(lang, "report.notes", count=stats["info"]),
        checks=i18n.word(lang, "report.checks", count=report.stats["checks"]),
        seconds=i18n.number(lang, report.seconds, 1),
    )


def finding_lines(result: CheckResult, lang: str, width: int) -> tuple[Text, list[str]]:
    """The head line (severity, code, where, count, rate) and the message wrapped under it.

    Lines break only between words: an identifier longer than the line stays whole."""
    severity = result.severity.value
    names = [i18n.word(lang, f"severity.{s}") for s in STYLES]
    head = Text()
    head.append(
        i18n.word(lang, f"severity.{severity}").ljust(max(map(len, names))), STYLES[severity]
    )
    head.append(f"  {result.code}  ", "bold")
    head.append(where(result, lang))
    if result.module is not None:  # several modules validated at once: the finding's module
        head.append(f"  {i18n.word(lang, 'several.from_module', module=result.module)}", "dim")
    head.append(f"  {i18n.number(lang, result.count)}")
    if result.rate is not None and result.denominator:
        head.append(f"  {i18n.percent(lang, result.rate)}")
    message = i18n.finding_message(lang, result.finding) if result.finding else ""
    lines = textwrap.wrap(
        message,
        width=max(width - INDENT, 20),
        break_long_words=False,
        break_on_hyphens=False,
        initial_indent=" " * INDENT,
        subsequent_indent=" " * INDENT,
    )
    return head, lines


def print_summary(
    report: Report, console: Console, lang: str = "en", *, quiet: bool = False
) -> None:
    """The findings one by one, then the verdict; only the verdict when `quiet`."""
    if not quiet:
        files = ", ".join(
            f"{level}: {i18n.word(lang, 'report.rows', count=info['rows'])}"
            for level, info in report.files.items()
        )
        profile = report.profile_text(lang)
        if report.modules:
            modules = i18n.word(lang, "several.modules", modules=", ".join(report.modules))
            console.print(Text(f"{modules} ({profile}): {files}"), soft_wrap=True)
        else:
            console.print(Text(f"{report.module} ({profile}): {files}"), soft_wrap=True)
        for result in failed_results(report):
            head, lines = finding_lines(result, lang, console.width)
            console.print(head, soft_wrap=True)
            for line in lines:
                console.print(Text(line), soft_wrap=True)
    style = "green" if report.valid else "red"
    console.print(Text(verdict_line(report, lang), style), soft_wrap=True)

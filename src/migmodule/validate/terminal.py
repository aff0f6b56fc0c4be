"""The terminal summary (rich): a verdict, a table of findings, and a progress bar for long files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from migmodule.validate.report import Report
from migmodule.validate.settings import Progress as ProgressCallback

STYLES = {"error": "red", "warning": "yellow", "info": "cyan"}


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback | None]:
    """A callback for validate_data that draws a bar; None (no bar) when output is not a terminal."""
    if not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(level: str, done: int, total: int | None) -> None:
            if level not in tasks:
                tasks[level] = bar.add_task(f"reading {level} file", total=total)
            bar.update(tasks[level], completed=done)

        yield update


def print_summary(report: Report, console: Console) -> None:
    files = ", ".join(f"{level}: {info['rows']:,} rows" for level, info in report.files.items())
    console.print(f"[bold]{report.module}[/bold] (profile {report.profile}): {files}")
    failed = sorted(
        (r for r in report.results if r.finding is not None),
        key=lambda r: (-r.severity.rank, r.code),
    )
    if failed:
        table = Table(show_lines=False)
        for column, justify in (
            ("code", "left"),
            ("severity", "left"),
            ("where", "left"),
            ("count", "right"),
            ("rate", "right"),
            ("message", "left"),
        ):
            table.add_column(column, justify=justify, overflow="fold")
        for result in failed:
            where = result.question or (
                f"edit {result.edit}" if result.edit else result.level or ""
            )
            rate = f"{result.rate:.1%}" if result.rate is not None and result.denominator else ""
            style = STYLES[result.severity.value]
            table.add_row(
                result.code,
                f"[{style}]{result.severity.value}[/{style}]",
                where,
                f"{result.count:,}",
                rate,
                result.finding.message if result.finding else "",
            )
        console.print(table)
    stats = report.stats["by_severity"]
    verdict = "[green]valid[/green]" if report.valid else "[red]not valid[/red]"
    console.print(
        f"{verdict}: {stats['error']} error(s), {stats['warning']} warning(s), {stats['info']} note(s); "
        f"{report.stats['checks']} checks in {report.seconds:.1f} s"
    )

"""`migmodule list`: the module bank, read from the files' header keys (no model is built).

Apart from the other spec commands (`cli/spec.py`) so that listing imports neither the models
(pydantic) nor lint and diff.
"""

from __future__ import annotations

import json

import click

from migmodule.cli.common import handle_errors
from migmodule.spec.registry import list_modules


@click.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@handle_errors
def list_command(output_format: str) -> None:
    """List the built-in modules and their versions."""
    entries = list_modules()
    if output_format == "json":
        rows = [
            {"id": e.id, "version": e.version, "status": e.status, "title": e.title}
            for e in entries
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("module", "version", "status", "title")
    for e in entries:
        table.add_row(e.id, e.version, e.status, e.title)
    Console().print(table)

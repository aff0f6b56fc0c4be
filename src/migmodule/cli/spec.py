"""Commands on specs: list, show, schema, lint, diff."""

from __future__ import annotations

import json

import click
import yaml
from rich.console import Console
from rich.table import Table

from migmodule.cli.common import echo_findings, exit_for, fail_on_option, handle_errors
from migmodule.spec.diff import diff_modules, expected_version, required_bump
from migmodule.spec.lint import lint_paths
from migmodule.spec.model import module_json_schema
from migmodule.spec.registry import list_modules, load_module
from migmodule.spec.text import text_in


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
    table = Table("module", "version", "status", "title")
    for e in entries:
        table.add_row(e.id, e.version, e.status, e.title)
    Console().print(table)


@click.command()
@click.argument("module")
@click.option("--lang", default="en", show_default=True, help="Language of the text output.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
)
@handle_errors
def show(module: str, lang: str, output_format: str) -> None:
    """Show MODULE[@VERSION] (no version: the newest released one)."""
    spec = load_module(module)
    if output_format != "text":
        data = spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        click.echo(
            json.dumps(data, indent=2, ensure_ascii=False)
            if output_format == "json"
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        return
    click.echo(f"{spec.ref} ({spec.status.value}): {text_in(spec.title, lang)}")
    click.echo(text_in(spec.description, lang))
    click.echo(
        f"languages: {', '.join(spec.languages)}; levels: {', '.join(lv.id for lv in spec.levels)}"
    )
    table = Table("#", "question", "variable", "level", "type", "status", "universe")
    for number, q in enumerate(spec.questions, 1):
        table.add_row(
            str(number),
            text_in(q.label, lang),
            q.variable_name,
            q.level,
            q.type.value,
            q.status.value,
            q.universe or "all",
        )
    Console().print(table)
    if spec.derived:
        click.echo("derived: " + ", ".join(d.id for d in spec.derived))
    if spec.edits:
        click.echo("edits: " + ", ".join(e.id for e in spec.edits))


@click.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of module spec files (for editors).

    The same schema ships as migmodule/schema/module.schema.json.
    """
    click.echo(schema_text(), nl=False)


def schema_text() -> str:
    return json.dumps(module_json_schema(), indent=2, ensure_ascii=False) + "\n"


@click.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@fail_on_option
@handle_errors
def lint(targets: tuple[str, ...], output_format: str, fail_on: str) -> None:
    """Lint modules: built-in references (MODULE[@VERSION]) or spec file paths; none: the whole bank."""
    findings = lint_paths(list(targets))
    echo_findings(findings, output_format)
    if output_format == "text":
        counts = {
            s: sum(f.severity.value == s for f in findings) for s in ("error", "warning", "info")
        }
        click.echo(
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info",
            err=True,
        )
    exit_for(findings, fail_on)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@handle_errors
def diff(old: str, new: str, output_format: str) -> None:
    """Changes from OLD to NEW (MODULE@A MODULE@B or paths), each classified major, minor or patch."""
    a, b = load_module(old), load_module(new)
    changes = diff_modules(a, b)
    bump = required_bump(changes)
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "old": a.ref,
                    "new": b.ref,
                    "required": bump,
                    "expected_version": expected_version(a, bump),
                    "changes": [c.to_dict() for c in changes],
                },
                indent=2,
            )
        )
        return
    for change in changes:
        click.echo(f"{change.impact:5}  {change.kind:24} {change.item}: {change.detail}")
    click.echo(
        f"{len(changes)} change(s); required bump: {bump or 'none'}; "
        f"version after {a.version} should be at least {expected_version(a, bump)}"
    )


COMMANDS = [list_command, show, schema, lint, diff]

"""Commands on specs: list, show, schema, lint, diff."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable

import click
import yaml

from migmodule.cli.bank import list_command  # `list` lives apart: it imports no model
from migmodule.cli.common import echo_findings, exit_for, fail_on_option, handle_errors
from migmodule.i18n import check_language, phrase
from migmodule.spec.diff import diff_modules, expected_version, required_bump
from migmodule.spec.lint import lint_paths
from migmodule.spec.model import CodeList, Module, module_json_schema
from migmodule.spec.registry import load_module
from migmodule.spec.text import text_in


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
    check_language(lang)
    spec = load_module(module)
    if output_format != "text":
        data = spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        click.echo(
            json.dumps(data, indent=2, ensure_ascii=False)
            if output_format == "json"
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        return
    width = shutil.get_terminal_size((80, 24)).columns  # COLUMNS, else the terminal, else 80
    for line in show_lines(spec, lang, width):
        click.echo(line)


def show_lines(spec: Module, lang: str, width: int = 80) -> list[str]:
    """A module for a data manager at `width` columns: one line per question with what they
    map and check (number, id, type, level, status, code list), then its wording, universe,
    range and codes wrapped under it. Identifiers are never cut: a line breaks between words."""
    width = max(width, 40)

    def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
        lines = textwrap.wrap(
            text,
            width=width,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first or indent]
        return [line.replace(GLUE, " ") for line in lines]

    def say(key: str, **values: str) -> str:
        return phrase(lang, f"show.{key}", **values)

    out = wrap(
        say("header", ref=spec.ref, status=spec.status.value, title=text_in(spec.title, lang))
    )
    out += wrap(text_in(spec.description, lang))
    out += wrap(
        say(
            "languages_levels",
            languages=", ".join(spec.languages),
            levels=", ".join(level.id for level in spec.levels),
        )
    )
    out.append("")
    digits = len(str(len(spec.questions)))
    under = " " * (digits + 2)
    for number, q in enumerate(spec.questions, 1):
        first = f"{number:>{digits}}. "
        essentials = "  ".join([q.id, q.type.value, q.level, q.status.value])
        codes_of = say("codes_of", code_list=q.code_list) if q.code_list else ""
        if codes_of and len(first + essentials + "  " + codes_of) <= width:
            essentials, codes_of = essentials + "  " + codes_of, ""
        out += wrap(essentials, under, first=first)
        if codes_of:  # the list's name on its own line rather than cut
            out += wrap(codes_of, under)
        if q.variable_name != q.id:
            out += wrap(say("variable", name=q.variable_name), under)
        out += wrap(text_in(q.label, lang), under)
        out += wrap(say("universe", universe=q.universe or say("everyone")), under)
        if q.range is not None:
            low, high = q.range.minimum, q.range.maximum
            out += wrap(say("range", minimum=str(low), maximum=str(high)), under)
        code_list = spec.code_list_by_id.get(q.code_list) if q.code_list else None
        if code_list is not None:
            out += wrap(_codes_text(code_list, lang, say), under)
    if spec.derived:
        out += [""] + wrap(say("derived", names=", ".join(d.id for d in spec.derived)))
    if spec.edits:
        out += wrap(say("edits", names=", ".join(e.id for e in spec.edits)))
    return out


def _codes_text(code_list: CodeList, lang: str, say: Callable[..., str]) -> str:
    """The codes of a short list ("1 Male, 2 Female"); a long or built-in one by its size."""
    # "9 = Not stated" stays on one line: GLUE is a space that wrap() does not break at
    codes = "; ".join(
        f"{c.code}{GLUE}={GLUE}{text_in(c.label, lang)}".strip(GLUE) for c in code_list.codes
    )
    if code_list.source == "builtin:countries":
        return say("countries", codes=codes) if codes else say("countries_only")
    if code_list.source:
        return say("codes_from", source=code_list.source, codes=codes)
    if len(code_list.codes) > SHOWN_CODES:
        return say("many_codes", count=str(len(code_list.codes)))
    return say("codes", codes=codes)


GLUE = "\x00"
SHOWN_CODES = 15  # a longer list is only counted: the JSON/YAML output holds every code


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

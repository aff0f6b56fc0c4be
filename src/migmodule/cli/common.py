"""What every command shares: coded errors instead of tracebacks, findings output, exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from migmodule.codes import Finding, MigmoduleError, reaches

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "error"]),
    default="error",
    show_default=True,
    help="Exit with code 1 when a finding of this severity or worse is reported.",
)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn MigmoduleError (unusable input) into its coded message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MigmoduleError as exc:
            findings = getattr(exc, "findings", None) or [exc.finding]
            for finding in findings:
                click.echo(f"error: {finding}", err=True)
            sys.exit(EXIT_UNUSABLE)

    return wrapper


def echo_findings(findings: Iterable[Finding], output_format: str = "text") -> None:
    findings = list(findings)
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
        return
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        click.secho(str(finding), fg=colours[finding.severity.value])


def exit_for(findings: Iterable[Finding], fail_on: str) -> None:
    sys.exit(EXIT_FINDINGS if reaches(list(findings), fail_on) else EXIT_OK)


def parse_params(values: Iterable[str]) -> dict[str, str]:
    """--param NAME=VALUE pairs."""
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value.strip()
    return params

"""`migmodule export cspro`: a CSPro dictionary (.dcf) and its logic (.apc) from modules or a profile."""

from __future__ import annotations

from pathlib import Path

import click

from migmodule.cli.common import (
    echo_findings,
    exit_for,
    fail_on_option,
    handle_errors,
    parse_params,
)
from migmodule.profile import Adapted, adapt, load_profile


def adapted_modules(
    modules: tuple[str, ...],
    profile: str | None,
    country: str | None,
    reference_date: str | None,
    lang: str | None,
    params: tuple[str, ...],
) -> list[Adapted]:
    """The adapted modules the common export options describe (shared by every export command)."""
    if not modules and not profile:
        raise click.UsageError("give at least one MODULE or a --profile")
    languages = [part.strip() for part in lang.split(",") if part.strip()] if lang else None
    values = parse_params(params)
    loaded = load_profile(profile) if profile else None
    options = {
        "country": country,
        "reference_date": reference_date,
        "params": values,
        "languages": languages,
    }
    if not modules:
        return adapt(loaded, **options)
    adapted: list[Adapted] = []
    for module in modules:
        adapted += adapt(loaded, module, **options)
    return adapted


def common_options(func):
    """MODULE... [--profile P] [--country C] [--reference-date D] [--lang en,fr] [--param NAME=VALUE]."""
    for option in reversed(
        [
            click.argument("modules", nargs=-1, metavar="MODULE..."),
            click.option(
                "--profile", type=click.Path(dir_okay=False), help="National profile (YAML)."
            ),
            click.option(
                "--country",
                help="Census country: UN M49 number or ISO code (overrides the profile).",
            ),
            click.option(
                "--reference-date", help="Reference date YYYY-MM-DD (overrides the profile)."
            ),
            click.option(
                "--lang",
                help="Languages, comma-separated, e.g. en,fr (default: the profile's, else en).",
            ),
            click.option(
                "--param",
                "params",
                multiple=True,
                metavar="NAME=VALUE",
                help="Set a module parameter.",
            ),
            click.option(
                "-o",
                "--output",
                required=True,
                type=click.Path(dir_okay=False),
                help="Output file.",
            ),
            fail_on_option,
        ]
    ):
        func = option(func)
    return func


@click.command()
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: classic CSPro 7.x dictionary (read by CSPro 7 and 8, pycspro); json: CSPro 8 dictionary.",
)
@handle_errors
def cspro(modules, profile, country, reference_date, lang, params, output, fail_on, fmt) -> None:
    """A CSPro dictionary (-o census.dcf) and logic (census.apc beside it).

    Several modules become one questionnaire: one CSPro level, one record per spec level.
    """
    from migmodule.export.cspro import export_cspro

    adapted = adapted_modules(modules, profile, country, reference_date, lang, params)
    result = export_cspro(adapted, Path(output), fmt=fmt, lang=adapted[0].languages)
    echo_findings(result.findings)
    for path in result.paths:
        click.echo(f"wrote {path}")
    exit_for(result.findings, fail_on)


EXPORT_COMMANDS = [cspro]

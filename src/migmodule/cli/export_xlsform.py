"""`migmodule export xlsform` and `migmodule profile init|check`.

Also the options every export shares (modules, --profile, --country, --reference-date, --lang,
--param) and `adapted_from_options`, which turns them into Adapted modules plus profile findings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from migmodule.cli.common import (
    echo_findings,
    exit_for,
    fail_on_option,
    handle_errors,
    parse_params,
)
from migmodule.codes import Finding
from migmodule.profile import Adapted, adapt, check_profile, load_profile
from migmodule.spec.model import LANGUAGES


def parse_languages(value: str | None) -> list[str] | None:
    if not value:
        return None
    languages = [lang.strip() for lang in value.split(",") if lang.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise click.BadParameter(
            f"unknown language(s) {', '.join(unknown)}; use {', '.join(LANGUAGES)}",
            param_hint="--lang",
        )
    return languages


def adaptation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """MODULE arguments and the options that adapt modules to a country."""
    options = [
        click.argument("modules", nargs=-1),
        click.option(
            "--profile",
            "profile_path",
            type=click.Path(dir_okay=False),
            help="National profile (YAML); see `migmodule profile init`.",
        ),
        click.option(
            "--country", help="Census country: M49 number or ISO code (overrides the profile)."
        ),
        click.option(
            "--reference-date", help="Census reference date YYYY-MM-DD (overrides the profile)."
        ),
        click.option(
            "--lang", "languages", help="Languages, comma-separated, e.g. en,fr (first = default)."
        ),
        click.option(
            "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set a module parameter."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def adapted_from_options(
    modules: tuple[str, ...],
    profile_path: str | None,
    country: str | None,
    reference_date: str | None,
    languages: str | None,
    params: tuple[str, ...],
) -> tuple[list[Adapted], list[Finding]]:
    """Adapted modules for the command line, and the profile's own findings (check_profile)."""
    langs = parse_languages(languages)
    values = parse_params(params)
    if not modules and not profile_path:
        raise click.UsageError("name at least one MODULE or give --profile")
    profile = load_profile(profile_path) if profile_path else None
    findings = check_profile(profile, profile_path) if profile is not None else []
    common = {
        "country": country,
        "reference_date": reference_date,
        "params": values,
        "languages": langs,
    }
    if not modules:
        return adapt(profile, **common), findings
    adapted = [a for ref in modules for a in adapt(profile, ref, **common)]
    return adapted, findings


def report(
    findings: list[Finding],
    output_format: str,
    written: list[Path],
    adapted: list[Adapted],
    fail_on: str,
) -> None:
    echo_findings(findings, output_format)
    if output_format == "text":
        for path in written:
            click.echo(f"wrote {path} ({', '.join(a.label for a in adapted)})", err=True)
    exit_for(findings, fail_on)


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How findings are printed.",
)


@click.command()
@adaptation_options
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write."
)
@click.option(
    "--odk-validate", is_flag=True, help="Also run ODK Validate (bundled with pyxform; needs Java)."
)
@fail_on_option
@format_option
@handle_errors
def xlsform(
    modules,
    profile_path,
    country,
    reference_date,
    languages,
    params,
    output,
    odk_validate,
    fail_on,
    output_format,
) -> None:
    """Write an XLSForm (survey, choices, settings) for one or more modules as one questionnaire.

    The form is converted with pyxform before it is written; pyxform's warnings are reported.
    """
    from migmodule.export.xlsform import export_xlsform

    adapted, findings = adapted_from_options(
        modules, profile_path, country, reference_date, languages, params
    )
    result = export_xlsform(adapted, output, parse_languages(languages), validate=odk_validate)
    report(findings + result.findings, output_format, [result.path], adapted, fail_on)


@click.group()
def profile() -> None:
    """National profiles: country, dates, parameters, optional questions, national names and codes."""


@profile.command()
@click.argument("modules", nargs=-1, required=True)
@click.option("--country", help="Census country: M49 number or ISO code, e.g. KEN.")
@click.option("--reference-date", help="Census reference date YYYY-MM-DD.")
@click.option("--lang", "languages", help="Languages, comma-separated, e.g. en,fr.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The profile to write."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(modules, country, reference_date, languages, output, force) -> None:
    """Write a commented profile for MODULES, to be filled in with national values."""
    import datetime as dt

    from migmodule.export.profile_init import init_profile

    if reference_date is not None:
        try:
            dt.date.fromisoformat(reference_date)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--reference-date") from None
    path = init_profile(
        list(modules), output, country, reference_date, parse_languages(languages), force
    )
    click.echo(f"wrote {path}; fill it in, then run: migmodule profile check {path}", err=True)


@profile.command()
@click.argument("path", type=click.Path(dir_okay=False))
@fail_on_option
@format_option
@handle_errors
def check(path, fail_on, output_format) -> None:
    """Check a profile: unknown questions, bad codes, parameters left unset, variable clashes."""
    findings = check_profile(load_profile(path), path)
    echo_findings(findings, output_format)
    if output_format == "text" and not findings:
        click.echo(f"{path}: no findings", err=True)
    exit_for(findings, fail_on)


EXPORT_COMMANDS = [xlsform]
COMMANDS = [profile]

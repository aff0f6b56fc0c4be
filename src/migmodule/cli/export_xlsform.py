"""`migmodule export xlsform` and `migmodule profile init|check`."""

from __future__ import annotations

import click

from migmodule.cli.common import (
    adaptation_options,
    adapted_from_options,
    echo_findings,
    exit_for,
    fail_on_option,
    format_option,
    handle_errors,
    parse_languages,
    report,
)
from migmodule.profile import check_profile, load_profile


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

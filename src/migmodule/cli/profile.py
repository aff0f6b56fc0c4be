"""`migmodule profile init|check`: write a commented starting profile, check a filled-in one."""

from __future__ import annotations

import click

from migmodule.cli.common import (
    echo_findings,
    error_language,
    exit_for,
    fail_on_option,
    format_option,
    handle_errors,
    parse_languages,
)
from migmodule.i18n import complete_languages, word
from migmodule.profile import check_profile, load_profile


@click.group()
def profile() -> None:
    """National profiles: country, dates, parameters, optional questions, national names and codes."""


@profile.command()
@click.argument("modules", nargs=-1, required=True)
@click.option(
    "--country", help="Country of the census or survey: M49 number or ISO code, e.g. KEN."
)
@click.option("--reference-date", help="Reference date of the census or survey, YYYY-MM-DD.")
@click.option(
    "--lang",
    "languages",
    help="Languages of the questionnaire, comma-separated, e.g. fr,en; the profile's comments are "
    "in the first one the program speaks (en, fr, es or pt), else in English.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The profile to write."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(modules, country, reference_date, languages, output, force) -> None:
    """Write a commented profile for MODULES, to be filled in with national values."""
    import datetime as dt

    from migmodule.profile_init import init_profile

    if reference_date is not None:
        try:
            dt.date.fromisoformat(reference_date)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--reference-date") from None
    spoken = parse_languages(languages)
    lang = next((x for x in spoken or [] if x in complete_languages()), "en")  # the first one
    path = init_profile(list(modules), output, country, reference_date, spoken, force, lang)
    click.echo(word(lang, "cli.wrote_profile", path=str(path)), err=True)


@profile.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="[LEVEL=]FILE",
    help="Also check against a data file: named variables exist, recode keys occur (repeatable).",
)
@fail_on_option
@format_option
@handle_errors
def check(path, data, fail_on, output_format) -> None:
    """Check a profile: unknown questions, bad codes, parameters left unset, variable clashes."""
    profile = load_profile(path)
    findings = check_profile(profile, path)
    if data and not any(f.severity.value == "error" for f in findings):
        from migmodule.national.data_check import check_profile_data, data_arguments

        findings += check_profile_data(profile, data_arguments(data), profile_path=path)
    lang = error_language({"profile": path})  # the profile's first language
    echo_findings(findings, output_format, lang=lang)
    if output_format == "text" and not findings:
        click.echo(word(lang, "cli.no_findings", path=path), err=True)
    exit_for(findings, fail_on)


COMMANDS = [profile]

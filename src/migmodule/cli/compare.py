"""`migmodule compare`: which standard questions a national form asks, asks differently, or misses."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migmodule.cli.common import EXIT_FINDINGS, EXIT_OK, fail_on_option, handle_errors
from migmodule.codes import reaches
from migmodule.i18n import complete_languages, word


@click.command("compare")
@click.argument("forms", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--module", "-m", "module_ref", metavar="MODULE[@V]", help="Module to compare with.")
@click.option(
    "--profile",
    "-p",
    type=click.Path(exists=True, dir_okay=False),
    help="Profile: its module, country and parameters (default module when -m is not given).",
)
@click.option(
    "--lang", "language", default="en", show_default=True, help="Language of module texts."
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FILE",
    help="Write the coverage report to FILE: .html, .xlsx, .md or .json (repeat for several).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write a draft profile here.")
@fail_on_option
@handle_errors
def compare_command(forms, module_ref, profile, language, reports, output, fail_on) -> None:
    """Compare a national questionnaire (FORMS) with a standard module.

    FORMS: an XLSForm (.xlsx, .xls, or the survey and choices sheets as two .csv files), a
    CSPro dictionary (.dcf, with its .apc for `ask if` logic), a DDI 2.5 codebook (.xml) and/or a
    labelled data file (.sav, .dta). Each module question is asked as the standard, asked
    differently or missing, with the evidence; defects of the national form are reported.
    """
    from migmodule.compare import compare, write_profile, write_report

    if not module_ref and not profile:
        raise click.UsageError("give --module or --profile")
    coverage = compare(list(forms), module_ref, profile=profile, language=language)
    lang = language if language in complete_languages() else "en"  # the module texts' language
    inputs = [Path(f) for f in forms]
    counts = coverage.counts()
    click.echo(f"{coverage.form} -> {coverage.module}")
    for entry in coverage.questions:
        click.echo(f"  {entry.question:30} {entry.summary}")
    click.echo(
        f"{counts['standard']} asked as the standard, {counts['different']} asked differently, "
        f"{counts['missing']} missing; {len(coverage.findings)} defect(s) in the national form"
    )
    for finding in coverage.findings:
        click.echo(f"  {finding}")
    for path in reports:
        write_report(coverage, path, inputs)
        click.echo(word(lang, "cli.report_written", path=str(path)))
    if output:
        ref = module_ref or coverage.module
        write_profile(coverage, ref, output, inputs)
        click.echo(word(lang, "cli.draft_profile_written", path=str(output)))
    sys.exit(EXIT_FINDINGS if reaches(coverage.findings, fail_on) else EXIT_OK)


COMMANDS = [compare_command]

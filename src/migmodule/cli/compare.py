"""`migmodule compare`: which standard questions a national form asks, asks differently, or misses."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migmodule.cli.common import EXIT_FINDINGS, EXIT_OK, fail_on_option, handle_errors
from migmodule.codes import reaches
from migmodule.i18n import complete_languages, error_line, word


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
    "--lang",
    "language",
    metavar="LANG",
    help="Language of the module texts and of everything compare says: the lines above, the "
    "statuses, reasons and evidence, the defects, the --report files (HTML, XLSX, Markdown; "
    "JSON keeps its English keys and values) and the comments of the -o draft profile (its keys "
    "stay English): en, fr, es or pt (default: the profile's first "
    "language, else en). National texts and names are shown as the form has them.",
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
    from migmodule.cli.validate import report_language
    from migmodule.compare import compare, write_profile, write_report
    from migmodule.compare.report import said

    if not module_ref and not profile:
        raise click.UsageError("give --module or --profile")
    language = language or report_language(None, profile)
    coverage = compare(list(forms), module_ref, profile=profile, language=language)
    lang = language if language in complete_languages() else "en"  # a module text language only
    inputs = [Path(f) for f in forms]
    click.echo(f"{coverage.form} -> {coverage.module}")
    for entry in coverage.questions:
        click.echo(f"  {entry.question:30} {said(entry.summary, lang)}")
    click.echo(said(coverage.totals(), lang))
    for finding in coverage.findings:
        click.echo(f"  {error_line(lang, finding)}")
    for path in reports:
        write_report(coverage, path, inputs, lang)
        click.echo(word(lang, "cli.report_written", path=str(path)))
    if output:
        ref = module_ref or coverage.module
        write_profile(coverage, ref, output, inputs, lang)
        click.echo(word(lang, "cli.draft_profile_written", path=str(output)))
    sys.exit(EXIT_FINDINGS if reaches(coverage.findings, fail_on) else EXIT_OK)


COMMANDS = [compare_command]

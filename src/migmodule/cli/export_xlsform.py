"""`migmodule export xlsform`: an XLSForm (.xlsx) for ODK, KoboToolbox and SurveyCTO."""

from __future__ import annotations

import click

from migmodule.cli.common import (
    adaptation_options,
    adapted_from_options,
    fail_on_option,
    format_option,
    handle_errors,
    parse_languages,
    report,
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
    result = export_xlsform(
        adapted, output, languages=parse_languages(languages), validate=odk_validate
    )
    report(findings + result.findings, output_format, result.paths, adapted, fail_on)

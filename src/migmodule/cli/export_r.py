"""`migmodule export r`: an R script applying labels with haven conventions (labelled_spss)."""

from __future__ import annotations

import click

from migmodule.cli.common import (
    adaptation_options,
    adapted_from_options,
    fail_on_option,
    format_option,
    handle_errors,
    report,
)


@click.command(name="r")
@adaptation_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The .R file to write (one per language when --lang names several).",
)
@fail_on_option
@format_option
@handle_errors
def r(
    modules,
    profile_path,
    country,
    reference_date,
    languages,
    params,
    output,
    fail_on,
    output_format,
) -> None:
    """Write an R script: migmodule_labels(data) sets variable labels, value labels and
    user-missing values (haven::labelled_spss) on data read with haven."""
    from migmodule.export.r import export_r

    adapted, findings = adapted_from_options(
        modules, profile_path, country, reference_date, languages, params
    )
    result = export_r(adapted, output, languages=adapted[0].languages)
    report(findings + result.findings, output_format, result.paths, adapted, fail_on)

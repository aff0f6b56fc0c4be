"""`migmodule export sas`: a SAS program of PROC FORMAT value formats, LABEL and FORMAT statements."""

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


@click.command(name="sas")
@adaptation_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The .sas file to write (one per language when --lang names several).",
)
@fail_on_option
@format_option
@handle_errors
def sas(
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
    """Write a SAS program: PROC FORMAT value formats and %migmodule_labels(data), which sets
    LABEL and FORMAT and turns special codes into SAS special missing values (.A, .B, .C, .D)."""
    from migmodule.export.sas import export_sas

    adapted, findings = adapted_from_options(
        modules, profile_path, country, reference_date, languages, params
    )
    result = export_sas(adapted, output, languages=adapted[0].languages)
    report(findings + result.findings, output_format, result.paths, adapted, fail_on)

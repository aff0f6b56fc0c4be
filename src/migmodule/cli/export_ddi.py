"""`migmodule export ddi`: a DDI Codebook 2.5 XML file from modules or a profile."""

from __future__ import annotations

from pathlib import Path

import click

from migmodule.cli.common import (
    adaptation_options,
    adapted_from_options,
    fail_on_option,
    format_option,
    handle_errors,
    report,
)


@click.command()
@adaptation_options
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xml to write."
)
@fail_on_option
@format_option
@handle_errors
def ddi(
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
    """DDI Codebook 2.5 XML (-o codebook.xml): variables, question text, universes, categories.

    All --lang languages go in one file (xml:lang on each label and text); with several, one
    file per language is written beside it too (codebook.fr.xml), the files NADA can import.
    """
    from migmodule.export.ddi import export_ddi

    adapted, findings = adapted_from_options(
        modules, profile_path, country, reference_date, languages, params
    )
    result = export_ddi(adapted, Path(output), languages=adapted[0].languages)
    report(findings + result.findings, output_format, result.paths, adapted, fail_on)

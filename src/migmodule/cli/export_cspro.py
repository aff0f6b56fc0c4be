"""`migmodule export cspro`: a CSPro dictionary (.dcf) and its logic (.apc) from modules or a profile."""

from __future__ import annotations

from pathlib import Path

import click

from migmodule.cli.common import (
    adaptation_options,
    adapted_from_options,
    fail_on_option,
    handle_errors,
    report,
)


@click.command()
@adaptation_options
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .dcf to write."
)
@click.option(
    "--format",
    "dcf_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: classic CSPro 7.x dictionary (read by CSPro 7 and 8, pycspro); json: CSPro 8 dictionary.",
)
@fail_on_option
@handle_errors
def cspro(
    modules, profile_path, country, reference_date, languages, params, output, dcf_format, fail_on
) -> None:
    """A CSPro dictionary (-o census.dcf) and logic (census.apc beside it).

    Several modules become one questionnaire: one CSPro level, one record per spec level.
    """
    from migmodule.export.cspro import export_cspro

    adapted, findings = adapted_from_options(
        modules, profile_path, country, reference_date, languages, params
    )
    result = export_cspro(adapted, Path(output), languages=adapted[0].languages, fmt=dcf_format)
    report(findings + result.findings, "text", result.paths, adapted, fail_on)

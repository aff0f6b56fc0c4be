"""`migmodule export ddi`: a DDI Codebook 2.5 XML file from modules or a profile."""

from __future__ import annotations

from pathlib import Path

import click

from migmodule.cli.common import echo_findings, exit_for, handle_errors
from migmodule.cli.export_cspro import adapted_modules, common_options


@click.command()
@common_options
@handle_errors
def ddi(modules, profile, country, reference_date, lang, params, output, fail_on) -> None:
    """DDI Codebook 2.5 XML (-o codebook.xml): variables, question text, universes, categories.

    All --lang languages go in one file (xml:lang on each label and text).
    """
    from migmodule.export.ddi import export_ddi

    adapted = adapted_modules(modules, profile, country, reference_date, lang, params)
    result = export_ddi(adapted, Path(output), lang=adapted[0].languages)
    echo_findings(result.findings)
    for path in result.paths:
        click.echo(f"wrote {path}")
    exit_for(result.findings, fail_on)


EXPORT_COMMANDS = [ddi]

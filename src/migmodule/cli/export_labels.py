"""`migmodule export stata|spss` (label syntax files) and `migmodule apply-labels` (labelled .dta/.sav)."""

from __future__ import annotations

import click

from migmodule.cli.common import (
    adapted_from_options,
    fail_on_option,
    format_option,
    handle_errors,
    report,
    syntax_export_command,
)

stata = syntax_export_command(
    "stata",
    ".do",
    "Write a Stata .do file: label define/values/variable, notes, extended missing values .a-.d.",
    "migmodule.export.labels:export_stata",
    __name__,
)
spss = syntax_export_command(
    "spss",
    ".sps",
    "Write an SPSS .sps file: VARIABLE LABELS, VALUE LABELS, MISSING VALUES (UTF-8).",
    "migmodule.export.labels:export_spss",
    __name__,
)


@click.command(name="apply-labels")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--module", "modules", multiple=True, help="Module(s) to label with (default: the profile's)."
)
@click.option(
    "--profile",
    "-p",
    "profile_path",
    type=click.Path(dir_okay=False),
    help="National profile (YAML).",
)
@click.option("--country", help="Country of the census or survey (overrides the profile).")
@click.option(
    "--reference-date",
    help="Reference date of the census or survey, YYYY-MM-DD (overrides the profile).",
)
@click.option("--lang", "languages", help="Label language, e.g. fr (default: the profile's first).")
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set a module parameter."
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="labelled.dta or .sav"
)
@fail_on_option
@format_option
@handle_errors
def apply_labels(
    data,
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
    """Write DATA (.csv, .dta, .sav) with the modules' variable labels, value labels and missing values."""
    from migmodule.export.labels import apply_labels as apply

    adapted, findings = adapted_from_options(
        tuple(modules), profile_path, country, reference_date, languages, params
    )
    result = apply(data, adapted, output, adapted[0].languages[0])
    report(findings + result.findings, output_format, result.paths, adapted, fail_on)

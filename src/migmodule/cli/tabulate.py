"""`migmodule tabulate`: the standard migration tables from data files (issue 19)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.text import Text

from migmodule import i18n
from migmodule.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    data_reading_options,
    fail_on_option,
    handle_errors,
    parse_params,
)
from migmodule.cli.validate import csv_option, report_language
from migmodule.codes import reaches


@click.command("tabulate")
@click.argument("data", nargs=-1, metavar="[LEVEL=]DATA...")
@click.option(
    "--module",
    "-m",
    "module_refs",
    multiple=True,
    metavar="MODULE[@V]",
    help="Module whose tables are made (default: the profile's first module). One module per "
    "run: an LFS with labour-migration and recruitment-costs is tabulated in two runs.",
)
@click.option(
    "--tables",
    "groups",
    metavar="GROUPS",
    help="Table groups, separated by commas: census, migratory-status, ilms (labour-migration), "
    "sdg-10.7.1 (recruitment-costs) (default: census, unless --indicator is given).",
)
@click.option(
    "--indicator",
    metavar="VAR",
    help="A 0/1, yes/no (1 = yes, 2 = no) or numeric variable (question, derived variable or "
    "file column) whose proportion or mean is tabulated by --by, sex and age group.",
)
@click.option(
    "--by",
    default="migratory_status",
    show_default=True,
    metavar="VAR",
    help="The groups an --indicator is disaggregated by.",
)
@click.option("--weight", metavar="VAR", help="Weight variable: weighted estimates.")
@click.option("--strata", metavar="VAR", help="Stratum variable of the sample design.")
@click.option("--psu", metavar="VAR", help="Primary sampling unit variable of the design.")
@click.option(
    "--min-n",
    type=click.IntRange(0),
    default=30,
    show_default=True,
    help="With a design: cells of fewer units are suppressed.",
)
@click.option(
    "--max-cv",
    type=click.FloatRange(0),
    default=0.3,
    show_default=True,
    help="With a design: cells whose coefficient of variation is higher are flagged unreliable.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    required=True,
    metavar="FILE",
    help="Write the tables to FILE: .xlsx, .html or .csv (repeat for several).",
)
@click.option(
    "--sdmx",
    "sdmx_path",
    metavar="FILE",
    help="Also write the --indicator as SDMX-CSV for the SDG database (needs --series; by "
    "migratory_status: migrants MS_MIGRANT and the total), or with --tables sdg-10.7.1 and no "
    "--indicator, the SDG 10.7.1 mean by sex (give --series: the default "
    "PLACEHOLDER_SL_EMP_RCOST is not a checked SDG code).",
)
@click.option("--series", metavar="CODE", help="SDG series code of the indicator, for --sdmx.")
@data_reading_options
@click.option(
    "--lang",
    metavar="LANG",
    help="Language of the tables: en, fr, es or pt (default: the profile's first language).",
)
@fail_on_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@handle_errors
def tabulate(
    data,
    module_refs,
    profile,
    groups,
    indicator,
    by,
    weight,
    strata,
    psu,
    min_n,
    max_cv,
    reports,
    sdmx_path,
    series,
    chunk_size,
    encoding,
    sep,
    decimal,
    missing_map,
    country,
    reference_date,
    params,
    lang,
    fail_on,
    quiet,
) -> None:
    """Make the standard migration tables from survey or census DATA (.sav, .dta, .csv, ...).

    Files are read as `migmodule validate` reads them (the profile's names, recodes and special
    codes). A table whose variables the data lack is reported as not produced, with what it
    needs (TAB-NEED-001, a warning: exit code 1 with --fail-on warning); unusable input exits
    with 2.
    """
    from migmodule.tabulate.engine import tabulate_data
    from migmodule.tabulate.output import (
        check_output_path,
        write_indicator_sdmx,
        write_tables,
    )

    if len(module_refs) > 1:  # click would keep the last one without a word
        raise click.UsageError(
            f"tabulate makes the tables of one module per run; {len(module_refs)} were given "
            f"({', '.join(module_refs)}): run it once per module"
        )
    module_ref = module_refs[0] if module_refs else None
    if not module_ref and not profile:
        raise click.UsageError("give --module or --profile")
    lang = report_language(lang, profile)
    for path in reports:
        check_output_path(path)
    if groups is None:
        chosen = [] if indicator else ["census"]
    else:
        chosen = [part.strip() for part in groups.split(",") if part.strip()]
    tabulation = tabulate_data(
        list(data) or None,
        module_ref,
        profile=profile,
        tables=chosen,
        indicator=indicator,
        by=by,
        weight=weight,
        strata=strata,
        psu=psu,
        chunk_size=chunk_size,
        encoding=csv_option(encoding, sep, decimal),
        missing_map=parse_params(missing_map) or None,
        country=country,
        reference_date=reference_date,
        params=parse_params(params) or None,
        min_n=min_n,
        max_cv=max_cv,
    )
    for path in reports:
        write_tables(tabulation, path, lang)
    if sdmx_path:
        write_indicator_sdmx(tabulation, sdmx_path, series)
    if not quiet:
        console = Console()
        produced = sum(1 for r in tabulation.results if r.produced)
        missing = len(tabulation.results) - produced
        line = i18n.word(lang, "tabulate.summary", count=produced)
        if missing:
            line += "; " + i18n.word(lang, "tabulate.summary_missing", count=missing)
        console.print(Text(line), soft_wrap=True)
        for finding in tabulation.findings:
            console.print(Text(i18n.error_line(lang, finding)), soft_wrap=True)
        for path in [*reports, *([sdmx_path] if sdmx_path else [])]:
            console.print(Text(i18n.word(lang, "tabulate.written", path=path)), soft_wrap=True)
    sys.exit(EXIT_FINDINGS if reaches(tabulation.findings, fail_on) else EXIT_OK)


COMMANDS = [tabulate]

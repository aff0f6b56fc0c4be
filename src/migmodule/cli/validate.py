"""`migmodule validate` and `migmodule map`: microdata against a module, and proposing a mapping."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.text import Text

from migmodule import i18n
from migmodule.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    check_param_names,
    data_reading_options,
    fail_on_option,
    handle_errors,
    parse_params,
)
from migmodule.codes import MigmoduleError, reaches


@click.command("validate")
@click.argument("data", nargs=-1, metavar="[LEVEL=]DATA...")
@click.option(
    "--module",
    "-m",
    "module_refs",
    multiple=True,
    metavar="MODULE[@V]",
    help="Module to validate against (default: the profile's first module). Repeat to validate "
    "the files against several modules at once: each file is read once and a question the "
    "modules share (person-core, work-abroad) is checked once, reported under its shared module.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FILE",
    help="Write the report to FILE: .html, .json or .xlsx (repeat for several).",
)
@click.option("--weight", metavar="VAR", help="Weight variable: rates are also given weighted.")
@click.option(
    "--by", metavar="VAR", help="Break every rate down by this variable (enumerator, region)."
)
@fail_on_option
@click.option(
    "--max-examples",
    type=click.IntRange(0),
    default=5,
    show_default=True,
    help="Example rows kept per check.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Item non-response rate above which a warning is given.",
)
@data_reading_options
@click.option(
    "--lang",
    metavar="LANG",
    help="Language of the report, the summary and the messages: en, fr, es or pt (default: the "
    "profile's first language, else en).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line verdict.")
@click.option(
    "--checks",
    "picked",
    multiple=True,
    metavar="CODE",
    help="Run only these checks: issue codes (DATA-ID-001) or check names (identifiers, edits, "
    "...); repeat or separate by commas.",
)
@click.option(
    "--skip",
    "skipped",
    multiple=True,
    metavar="CODE",
    help="Leave out these checks (issue codes or check names); repeat or separate by commas.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: read and prepare each file of a level (LEVEL='region_*.sav', a folder of Parquet "
    "parts) as one task on a Dask cluster; the report is the same (pip install "
    "'migmodule[cluster]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Address of a running Dask scheduler (tcp://host:8786); default: a local cluster for "
    "the run.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Worker processes of the local Dask cluster (default: 2).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Check each large file with N local processes (0: one per CPU), a range of its rows "
    "each, merged into the same report. Parquet, .dta, .sav/.zsav and SAS files are split in "
    "ranges of at least 1,000,000 rows; a CSV file is not (its records are not counted before "
    "it is read); the files of a level given as several files are checked side by side. Each "
    "process holds its own chunks and the run's values: peak memory grows with N (0.75 to 0.95 "
    "GB for 10M rows with N=2, against 0.4 GB with N=1), and a second process pays only where a "
    "core is idle (docs/validation.md).",
)
@handle_errors
def validate(
    data,
    module_refs,
    profile,
    reports,
    weight,
    by,
    fail_on,
    max_examples,
    threshold,
    chunk_size,
    encoding,
    missing_map,
    country,
    reference_date,
    params,
    lang,
    sep,
    decimal,
    quiet,
    picked,
    skipped,
    engine,
    scheduler,
    workers,
    jobs,
) -> None:
    """Check survey or census DATA (.sav, .zsav, .dta, .csv, .parquet) against a module.

    Give one file per level (LEVEL=PATH, e.g. household=hh.dta person=persons.dta) or set `files`
    in the profile; a single file is matched to its level from its variables.

    Several -m (e.g. -m labour-migration@2.0.0 -m recruitment-costs@2.0.0) validate the files
    against each module in one run: each file is read once, a shared question is checked once,
    and every finding says its module. Modules pinning different versions of a shared module
    are refused (SPEC-USES-008).
    """
    from migmodule.startup import heavy_imports

    with heavy_imports():  # the collector paused, then what they made frozen: 0.1 s a run
        from migmodule.validate import (
            ValidationSettings,
            check_report_path,
            validate_data,
            write_reports,
        )
        from migmodule.validate.terminal import print_summary, progress_bar

    if not module_refs and not profile:
        raise click.UsageError("give --module or --profile")
    several = len(dict.fromkeys(module_refs)) > 1
    module_ref = module_refs[0] if module_refs else None
    if several and (engine == "dask" or scheduler):
        raise click.UsageError("several --module are validated with --engine local only")
    if several and jobs != 1:
        raise click.UsageError("several --module are validated with --jobs 1 only")
    if jobs != 1 and (engine == "dask" or scheduler):
        raise click.UsageError(
            "--jobs is for --engine local: with --engine dask, the cluster's workers (--workers) "
            "check the files"
        )
    lang = report_language(lang, profile)
    values = parse_params(params)
    if values:
        from migmodule.profile import adapt, load_profile

        loaded = load_profile(profile) if profile else None
        chosen = [a for ref in module_refs or [None] for a in adapt(loaded, ref, params=values)]
        check_param_names(values, chosen)
    for path in reports:
        check_report_path(path)
    letters = parse_params(missing_map) if missing_map else None
    settings = ValidationSettings.from_options(
        weight=weight,
        by=by,
        max_examples=max_examples,
        chunk_size=chunk_size,
        encoding=csv_option(encoding, sep, decimal),
        missing_map=letters,
        nonresponse_threshold=threshold,
        language=lang,
        checks=_split(picked),
        skip=_split(skipped),
        engine="dask" if scheduler else engine,
        scheduler=scheduler,
        workers=workers,
        jobs=jobs,
    )
    console = Console(stderr=False)
    # The bar goes to stderr: it stays when stdout (the summary) is redirected to a file.
    from migmodule.validate.cluster import EngineUnavailable

    with progress_bar(Console(stderr=True), lang) as progress:
        try:
            if several:
                from migmodule.validate.several import validate_modules

                run, chosen_modules = validate_modules, list(module_refs)
            else:
                run, chosen_modules = validate_data, module_ref
            report = run(
                list(data) or None,
                chosen_modules,
                profile=profile,
                settings=settings,
                country=country,
                reference_date=reference_date,
                params=values,
                progress=progress,
            )
        except EngineUnavailable as exc:
            raise click.UsageError(str(exc)) from None
    from migmodule.microdata import csv_dialect

    if not quiet:
        for info in report.files.values():
            dialect = csv_dialect.detected(info["path"])
            if dialect is not None and dialect.detected:
                console.print(
                    Text(csv_dialect.describe(dialect, info["path"], lang)), soft_wrap=True
                )
    print_summary(report, console, lang, quiet=quiet)
    write_reports(report, reports)  # all or none (validate/__init__.py)
    for path in reports:
        if not quiet:
            console.print(Text(i18n.word(lang, "report.written", path=path)), soft_wrap=True)
    sys.exit(EXIT_FINDINGS if reaches(report.findings, fail_on) else EXIT_OK)


def report_language(lang: str | None, profile: str | None) -> str:
    """--lang, else the profile's first language the program speaks, else English."""
    from migmodule.profile import load_profile

    if lang:
        return i18n.check_language(lang)
    if profile:
        spoken = [x for x in load_profile(profile).languages if x in i18n.complete_languages()]
        if spoken:
            return spoken[0]
    return "en"


def csv_option(encoding: str | None, sep: str | None, decimal: str | None) -> str | None:
    """--encoding, --sep and --decimal as the text the data readers take (csv_dialect.py)."""
    from migmodule.microdata import csv_dialect
    from migmodule.validate.codes import CSV_OPTION

    try:
        return csv_dialect.option_text(encoding, sep, decimal)
    except csv_dialect.DialectError as exc:
        raise MigmoduleError.of(
            CSV_OPTION, option=exc.option, value=exc.value, reason=exc.reason
        ) from None


def _split(items: tuple[str, ...]) -> list[str]:
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


@click.command("map")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option("--module", "-m", "module_ref", required=True, metavar="MODULE[@V]")
@click.option(
    "--codebook",
    type=click.Path(exists=True, dir_okay=False),
    help="Names, labels and value labels for DATA: XLSForm (.xlsx/.xls), CSPro .dcf or DDI .xml.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write the proposed profile here."
)
@click.option("--encoding", help="Code page of a CSV file.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Lowest score proposed as a match (lower scores down to 0.5 are shown as guesses).",
)
@click.option(
    "--lang",
    metavar="LANG",
    help="Language of everything map says: the proposals, their evidence and guesses, the "
    "summary, and the comments of the -o profile (its keys stay English, the profile format): "
    "en, fr, es or pt (default: en). National names and labels are shown as the file has them.",
)
@handle_errors
def map_command(data, module_ref, codebook, output, encoding, threshold, lang) -> None:
    """Propose a profile for DATA: identifiers, questions, weight and recodes, with the evidence.

    Matches names, labels and value labels in English, French and Spanish. Every proposal is
    marked for review in the written profile; DATA itself is never written.
    """
    from migmodule.mapping_text import map_profile, map_summary, map_written, write_map_profile
    from migmodule.validate import propose_mapping

    lang = report_language(lang, None)
    proposal = propose_mapping(
        data, module_ref, encoding=encoding, threshold=threshold, codebook=codebook
    )
    click.echo(map_summary(proposal, lang), nl=False)
    if output:
        write_map_profile(proposal, output, lang)
        click.echo(map_written(proposal, output, lang))
    else:
        click.echo(map_profile(proposal, lang), nl=False)


COMMANDS = [validate, map_command]

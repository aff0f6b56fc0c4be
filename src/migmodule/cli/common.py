"""What every command shares: coded errors instead of tracebacks, findings output, exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from migmodule.codes import Finding, Location, MigmoduleError, reaches
from migmodule.expr.parser import ExprSyntaxError
from migmodule.i18n import CLI_USAGE, LANG_UNKNOWN, complete_languages, error_line, word
from migmodule.io import guard_inputs
from migmodule.spec.patterns import LANGUAGES

if TYPE_CHECKING:  # profiles (and the pydantic models) are imported by the commands that use them
    from migmodule.profile import Adapted

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "error"]),
    default="error",
    show_default=True,
    help="Exit with code 1 when a finding of this severity or worse is reported.",
)


class CodedUsageError(click.UsageError):
    """A usage error of click (unknown option, missing argument, bad choice) with its code."""

    def __init__(self, error: click.UsageError):
        super().__init__(error.message, error.ctx)
        message = error.format_message().rstrip(".") + "."
        self.finding = Finding.make(CLI_USAGE, message=message)

    def format_message(self) -> str:
        return str(self.finding)


def _coded(error: click.UsageError) -> click.UsageError:
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(error, (CodedUsageError, no_args_help)):
        return error
    return CodedUsageError(error)


class CodedGroup(click.Group):
    """The `migmodule` group: click's usage errors, of any sub-command, carry a code
    (CLI-USAGE-001) like every other message."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _coded(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _coded(exc) from None


def error_language(options: dict[str, Any]) -> str:
    """The run's language for its coded errors: --lang, else the profile's first language the
    program speaks, else English (a profile that cannot be read is itself the error)."""
    spoken = complete_languages()
    lang = options.get("lang")
    if isinstance(lang, str) and lang in spoken:
        return lang
    profile = options.get("profile") or options.get("profile_path")
    if isinstance(profile, (str, Path)) and profile:
        from migmodule.profile import load_profile

        try:
            languages = load_profile(profile).languages
        except (MigmoduleError, OSError):
            return "en"
        return next((one for one in languages if one in spoken), "en")
    return "en"


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn MigmoduleError (unusable input) into its coded message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with guard_inputs():  # no output of the command may replace a file it reads
                return func(*args, **kwargs)
        except MigmoduleError as exc:
            findings = getattr(exc, "findings", None) or [exc.finding]
            lang = error_language(kwargs)
            for finding in findings:
                click.echo(word(lang, "cli.error", message=error_line(lang, finding)), err=True)
            sys.exit(EXIT_UNUSABLE)
        except ExprSyntaxError as exc:  # an engine parsed an expression lint would have refused
            lang = error_language(kwargs)
            click.echo(word(lang, "cli.error", message=error_line(lang, exc.finding())), err=True)
            sys.exit(EXIT_UNUSABLE)

    return wrapper


def echo_findings(
    findings: Iterable[Finding], output_format: str = "text", lang: str = "en"
) -> None:
    findings = list(findings)
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
        return
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        click.secho(error_line(lang, finding), fg=colours[finding.severity.value])


def exit_for(findings: Iterable[Finding], fail_on: str) -> None:
    sys.exit(EXIT_FINDINGS if reaches(list(findings), fail_on) else EXIT_OK)


def parse_params(values: Iterable[str]) -> dict[str, str]:
    """--param NAME=VALUE pairs."""
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value.strip()
    return params


# Options every export shares, and what they mean -------------------------------------------


def parse_languages(value: str | None) -> list[str] | None:
    if not value:
        return None
    languages = [lang.strip() for lang in value.split(",") if lang.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise MigmoduleError.of(
            LANG_UNKNOWN, option="--lang", value=", ".join(unknown), known=", ".join(LANGUAGES)
        )
    return languages


def check_param_names(params: dict[str, Any], adapted: list[Adapted]) -> None:
    """Refuse a --param NAME that no chosen module has (PARAM-NAME-001), as in a profile."""
    from migmodule.spec.params import UNKNOWN_PARAMETER

    for name in params:
        if adapted and not any(name in a.module.parameter_by_id for a in adapted):
            module = adapted[0].module
            raise MigmoduleError.of(
                UNKNOWN_PARAMETER,
                Location(module=module.ref),
                module=" and ".join(a.module.ref for a in adapted),
                name=name,
                known=", ".join(
                    dict.fromkeys(p for a in adapted for p in a.module.parameter_by_id)
                ),
            )


def adaptation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """MODULE arguments and the options that adapt modules to a country."""
    options = [
        click.argument("modules", nargs=-1),
        click.option(
            "--profile",
            "-p",
            "profile_path",
            type=click.Path(dir_okay=False),
            help="National profile (YAML); see `migmodule profile init`.",
        ),
        click.option(
            "--country",
            help="Country of the census or survey: M49 number or ISO code (overrides the profile).",
        ),
        click.option(
            "--reference-date",
            help="Reference date of the census or survey, YYYY-MM-DD (overrides the profile).",
        ),
        click.option(
            "--lang", "languages", help="Languages, comma-separated, e.g. en,fr (first = default)."
        ),
        click.option(
            "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set a module parameter."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def data_reading_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """How data files are read and the module adapted, the same for every command that reads
    microdata (validate, tabulate): a file read by one is read the same way by the other."""
    options = [
        click.option(
            "--profile",
            "-p",
            type=click.Path(exists=True, dir_okay=False),
            help="Profile: country, parameters, national variable names, recodes, files per level.",
        ),
        click.option(
            "--chunk-size",
            type=click.IntRange(1),
            default=100_000,
            show_default=True,
            help="Rows read at a time (memory is bounded by this, not by the file size).",
        ),
        click.option(
            "--encoding",
            help="Encoding of a CSV file (utf-8, utf-8-sig, utf-16, cp1252; default: detected), "
            "or the code page of an old .dta file.",
        ),
        click.option(
            "--sep",
            metavar="SEP",
            help="Column separator of a CSV file: ; , tab or | (default: detected).",
        ),
        click.option(
            "--decimal",
            type=click.Choice([".", ","]),
            help="Decimal mark of a CSV file (default: detected; French and Spanish Excel use ,).",
        ),
        click.option(
            "--missing",
            "missing_map",
            multiple=True,
            metavar="LETTER=KIND",
            help="Stata extended missing as a special code, e.g. a=dont_know (default: "
            "a=dont_know, b=refused, c=not_stated, d=not_applicable).",
        ),
        click.option(
            "--country",
            help="Country of the census or survey (M49 or ISO code); overrides the profile.",
        ),
        click.option("--reference-date", help="Reference date YYYY-MM-DD; overrides the profile."),
        click.option(
            "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set a module parameter."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def adapted_from_options(
    modules: tuple[str, ...],
    profile_path: str | None,
    country: str | None,
    reference_date: str | None,
    languages: str | None,
    params: tuple[str, ...],
) -> tuple[list[Adapted], list[Finding]]:
    """Adapted modules for the command line, and the profile's own findings (check_profile)."""
    langs = parse_languages(languages)
    values = parse_params(params)
    if not modules and not profile_path:
        raise click.UsageError("name at least one MODULE or give --profile")
    from migmodule.profile import adapt, check_profile, load_profile

    profile = load_profile(profile_path) if profile_path else None
    findings = check_profile(profile, profile_path) if profile is not None else []
    common = {
        "country": country,
        "reference_date": reference_date,
        "params": values,
        "languages": langs,
    }
    if not modules:
        adapted = adapt(profile, **common)
    else:
        adapted = [a for ref in modules for a in adapt(profile, ref, **common)]
    check_param_names(values, adapted)
    # Modules combined on minor versions of a shared module: its newest texts, said (SPEC-USES-010).
    from migmodule.spec.shared import align_adapted_texts

    adapted, worded = align_adapted_texts(adapted)
    findings = findings + worded
    if profile is None:  # a profile's placeholders are reported by check_profile above
        from migmodule.export.placeholders import placeholder_findings

        findings = findings + placeholder_findings(adapted)
    return adapted, findings


def report(
    findings: list[Finding],
    output_format: str,
    written: list[Path],
    adapted: list[Adapted],
    fail_on: str,
    lang: str = "en",
) -> None:
    echo_findings(findings, output_format, lang=lang)
    if output_format == "text":
        labels = ", ".join(a.label for a in adapted)
        for path in written:
            click.echo(word(lang, "cli.wrote", path=str(path), modules=labels), err=True)
    exit_for(findings, fail_on)


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How findings are printed.",
)


def syntax_export_command(
    name: str, suffix: str, help_text: str, writer: str, home: str
) -> click.Command:
    """`migmodule export <name>`: one label-syntax file per language (.do, .sps, .R, .sas).
    `writer` is "module:function", imported when the command runs (start-up stays light);
    `home` is the CLI module that registers the command (its `__name__`, as EXPORTS names it)."""

    @click.command(name=name, help=help_text)
    @adaptation_options
    @click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False),
        help=f"The {suffix} file to write (one per language when --lang names several).",
    )
    @fail_on_option
    @format_option
    @handle_errors
    def command(
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
        import importlib

        module_name, function_name = writer.split(":")
        export = getattr(importlib.import_module(module_name), function_name)
        adapted, findings = adapted_from_options(
            modules, profile_path, country, reference_date, languages, params
        )
        result = export(adapted, output, languages=adapted[0].languages)
        report(findings + result.findings, output_format, result.paths, adapted, fail_on)

    command.callback.__module__ = home
    return command

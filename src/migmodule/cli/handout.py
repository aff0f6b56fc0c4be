"""`migmodule handout`: training handouts (HTML, DOCX, Markdown, PDF) in English, French or Spanish."""

from __future__ import annotations

from pathlib import Path

import click

from migmodule import i18n
from migmodule.cli.common import echo_findings, exit_for, fail_on_option, handle_errors
from migmodule.codes import MigmoduleError
from migmodule.handout import AUDIENCES, render_handout
from migmodule.handout import codes as handout_codes
from migmodule.profile import adapt, check_profile, load_profile

_SUFFIX_FORMAT = {
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".md": "md",
    ".pdf": "pdf",
    ".pptx": "pptx",
}


@click.command()
@click.argument("modules", nargs=-1, metavar="MODULE[@VERSION]...")
@click.option(
    "--profile",
    "-p",
    "profile_path",
    type=click.Path(exists=True, dir_okay=False),
    help="National profile: country, reference date, parameters, questions left out.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr", "es"]),
    help="Language of the handout (default: the profile's first language, else en).",
)
@click.option(
    "--format",
    "output_format",
    help="Output format: html, docx, md, pdf or pptx (a workshop deck). Default: from the "
    "extension of -o, else html. pdf needs migmodule[pdf], pptx migmodule[pptx].",
)
@click.option(
    "--audience",
    default="trainer",
    show_default=True,
    help=f"Who reads it: {' or '.join(AUDIENCES)}. A participant edition has no answers under "
    "the exercises; they are in an answer key at the end.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    required=True,
    help="File to write.",
)
@fail_on_option
@handle_errors
def handout(
    modules: tuple[str, ...],
    profile_path: str | None,
    lang: str | None,
    output_format: str | None,
    audience: str,
    output: str,
    fail_on: str,
) -> None:
    """Write a handout for trainers: each question with its codes, who is asked, where to go next,
    interviewer instructions, common mistakes and consistency checks; a routing diagram; code lists
    and exercises as appendices.

    MODULE is a module of the bank (census-key-questions, census-key-questions@1.0.0) or a spec
    file. With --profile and no MODULE, every module of the profile is included.
    """
    suffix = Path(output).suffix.lower()
    if not output_format and suffix and suffix not in _SUFFIX_FORMAT:  # x.pptx, not x.odt
        raise MigmoduleError.of(
            handout_codes.UNKNOWN_FORMAT,
            format=suffix,
            formats=", ".join(dict.fromkeys(_SUFFIX_FORMAT.values())),
        )
    output_format = (output_format or _SUFFIX_FORMAT.get(suffix, "html")).lower()
    profile = load_profile(profile_path) if profile_path else None
    if lang is None:  # the profile's first language the handouts are written in, else English
        spoken = [x for x in (profile.languages if profile else []) if x in ("en", "fr", "es")]
        lang = spoken[0] if spoken else "en"
    if not modules and profile is None:
        raise MigmoduleError.of(handout_codes.NO_MODULE)
    adapted = []
    if modules:
        for ref in modules:
            adapted += adapt(profile, ref, languages=[lang])
    else:
        adapted = adapt(profile, languages=[lang])
    # The profile's own findings (what `profile check` reports), as every export reports them.
    findings = check_profile(profile, profile_path) if profile is not None else []
    from migmodule.spec.shared import align_adapted_texts

    adapted, worded = align_adapted_texts(adapted)  # a shared module's newest texts (SPEC-USES-010)
    findings += worded
    findings += render_handout(
        adapted, lang, output_format, output, national=profile is not None, audience=audience
    )
    echo_findings(findings, lang=lang)
    said = i18n.word(
        lang, "cli.wrote_handout", path=output, format=output_format, language=lang,
        count=len(adapted),
    )  # fmt: skip
    click.echo(said, err=True)
    exit_for(findings, fail_on)


COMMANDS = [handout]

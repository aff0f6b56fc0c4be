"""`render_handout`: the one library call behind `migmodule handout`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from migmodule import io
from migmodule.codes import Finding, MigmoduleError
from migmodule.handout import codes
from migmodule.handout.model import build_handout
from migmodule.profile import Adapted

FORMATS = ("html", "docx", "md", "pdf", "pptx")
AUDIENCES = ("trainer", "participant")


def render_bytes(
    adapted: list[Adapted],
    lang: str,
    output_format: str,
    *,
    national: bool = False,
    generated: dt.date | None = None,
    audience: str = "trainer",
) -> tuple[bytes, list[Finding]]:
    """The handout file's content in one format, and findings (texts missing in `lang`).

    `audience` "trainer" prints each exercise's answers under it; "participant" leaves them out
    of the exercises and gathers them in an answer key at the end of each module.
    """
    if output_format not in FORMATS:
        raise MigmoduleError.of(
            codes.UNKNOWN_FORMAT, format=output_format, formats=", ".join(FORMATS)
        )
    if audience not in AUDIENCES:
        raise MigmoduleError.of(codes.UNKNOWN_AUDIENCE, audience=audience)
    handout = build_handout(adapted, lang, national=national, generated=generated)
    handout.audience = audience
    if output_format == "html":
        from migmodule.handout.html import render_html

        data = render_html(handout).encode("utf-8")
    elif output_format == "md":
        from migmodule.handout.markdown import render_markdown

        data = render_markdown(handout).encode("utf-8")
    elif output_format == "docx":
        from migmodule.handout.docx import render_docx

        data = render_docx(handout)
    elif output_format == "pdf":
        from migmodule.handout.pdf import render_pdf

        data = render_pdf(handout)
    else:
        from migmodule.handout.pptx import render_pptx

        data = render_pptx(handout)
    return data, handout.findings


def render_handout(
    adapted: list[Adapted],
    lang: str,
    output_format: str,
    out: str | Path,
    *,
    national: bool = False,
    generated: dt.date | None = None,
    audience: str = "trainer",
) -> list[Finding]:
    """Write the handout for these modules to `out` (atomically) and return its findings."""
    data, findings = render_bytes(
        adapted, lang, output_format, national=national, generated=generated, audience=audience
    )
    io.write_bytes(out, data)
    return findings

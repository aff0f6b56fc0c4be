"""The handout as PDF: the HTML handout laid out by WeasyPrint (the optional extra `migmodule[pdf]`).

The HTML already carries the A4 page rules and the running footer, so the PDF is the printed HTML.
"""

from __future__ import annotations

from migmodule.codes import MigmoduleError
from migmodule.handout import codes
from migmodule.handout.html import render_html
from migmodule.handout.model import Handout


def _weasyprint():
    try:
        import weasyprint
    except ImportError as exc:  # not installed
        raise MigmoduleError.of(
            codes.PDF_EXTRA_MISSING, reason=f"cannot import weasyprint: {exc}"
        ) from None
    except OSError as exc:  # installed, but the Pango/GTK libraries it loads are missing
        raise MigmoduleError.of(
            codes.PDF_EXTRA_MISSING, reason=f"its system libraries failed to load: {exc}"
        ) from None
    return weasyprint


def render_pdf(handout: Handout) -> bytes:
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=render_html(handout)).write_pdf()

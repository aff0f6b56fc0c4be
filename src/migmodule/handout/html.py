"""The handout as one self-contained HTML file: styles and diagrams inline, no external resource.

jinja2 autoescapes every value, so text from a spec can never become markup; the inline SVG is
built by diagram.py, which escapes its own text.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from migmodule.handout.diagram import Diagram
from migmodule.handout.model import Handout


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("migmodule.handout", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def css_string(text: str) -> str:
    """Text for a CSS string literal: anything but plain letters, digits and spaces as a CSS escape.

    The space after each escape ends it (CSS consumes one whitespace after a hex escape).
    """
    return "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in " .-_@:/") else f"\\{ord(ch):06x} "
        for ch in text
    )


def render_html(handout: Handout) -> str:
    template = _environment().get_template("handout.html.j2")
    return template.render(
        handout=handout,
        w=handout.word,
        css_footer=Markup(css_string(handout.footer)),
        svg=lambda diagram: Markup(diagram.to_svg()) if isinstance(diagram, Diagram) else "",
    )

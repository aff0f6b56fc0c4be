"""Issue codes of the handout engine (area "handout")."""

from __future__ import annotations

from migmodule.codes import define

LANGUAGE_NOT_IN_MODULE = define(
    "HANDOUT-LANG-001",
    "error",
    "Module is not available in the handout language",
    "{module} is written in {languages} only, not in '{lang}'. Choose --lang {first}, or complete "
    "the module's texts in '{lang}' and add it to the module's languages.",
    "handout",
)
MISSING_TEXT = define(
    "HANDOUT-TEXT-001",
    "warning",
    "Text missing in the handout language",
    "{module}: {element} has no text in '{lang}'; the English text is shown instead. Add the "
    "'{lang}' text to the spec.",
    "handout",
)
PDF_EXTRA_MISSING = define(
    "HANDOUT-PDF-001",
    "error",
    "PDF output needs the optional 'pdf' extra",
    "PDF handouts need WeasyPrint, which is not usable here ({reason}). Install it with "
    'pip install "migmodule[pdf]" (on Windows WeasyPrint also needs the GTK/Pango runtime, '
    "see its installation guide), or write --format html and print it to PDF from a browser.",
    "handout",
)
NO_MODULE = define(
    "HANDOUT-MODULE-001",
    "error",
    "No module to put in the handout",
    "give one or more modules (e.g. migmodule handout census-key-questions -o handout.html) "
    "or a --profile that lists modules.",
    "handout",
)
LAYOUT_MISSING = define(
    "HANDOUT-LAYOUT-001",
    "error",
    "The routing diagram cannot be laid out",
    "Routing diagrams are laid out by Graphviz's dot, run as the program 'graphviz-pure' from "
    "the Python package of that name, a dependency of migmodule ({reason}). Reinstall it with "
    "pip install graphviz-pure.",
    "handout",
)
UNKNOWN_FORMAT = define(
    "HANDOUT-FORMAT-001",
    "error",
    "Unknown handout format",
    "'{format}' is not a handout format. Use one of: {formats}.",
    "handout",
)
UNKNOWN_AUDIENCE = define(
    "HANDOUT-AUDIENCE-001",
    "error",
    "Unknown handout audience",
    "'{audience}' is not an audience. Use trainer (answers after each exercise) or participant "
    "(answers in an answer key at the end).",
    "handout",
)
PPTX_MISSING = define(
    "HANDOUT-PPTX-001",
    "error",
    "PPTX output needs python-pptx",
    "Workshop decks need python-pptx, which is not usable here ({reason}). Install it with "
    'pip install "migmodule[pptx]".',
    "handout",
)

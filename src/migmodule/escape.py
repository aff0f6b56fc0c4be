"""Escaping for each target, in one place: text the program did not write (spec titles and labels,
profile names and labels, national variable names, data values) becomes a literal of its target,
never a line of code, a comment that ends early, a formula or markup.

Targets whose string literals are built by their own writer keep them there and call these for the
rest: Stata literals (`export/labels.py`: `stata_literal`, `mata_string`), SPSS/SAS literals
(`spss_string`), R (`r_string`), CSPro labels (`export/cspro_dictionary.py`). Comments, which
every syntax file opens with, are built only here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Unicode categories that never belong in one line of a syntax file: controls (Cc: NUL, CR, LF,
# VT, FF...), format characters (Cf: bidi overrides that make a line read other than it runs),
# line and paragraph separators (Zl, Zp), surrogates and unassigned code points.
_BREAKING = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def one_line(text: Any) -> str:
    """The text on one line: every control, format or separator character becomes a space, and
    runs of white space become one space. No target reads it as more than one line."""
    cleaned = "".join(" " if unicodedata.category(ch) in _BREAKING else ch for ch in str(text))
    return " ".join(cleaned.split())


# What a terminal acts on rather than shows: control characters (ESC starts colour, cursor and
# title sequences; BEL, BS, CR rewrite what is on screen) and the bidi controls that make a line
# read other than it is stored. Tab and newline are left as they are.
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """Text from a file (data values, labels, names) as a message shows it: every control
    character a terminal would obey is written as its escape (ESC as `\\x1b`, U+202E as
    `\\u202e`), so a value can neither recolour nor rewrite the screen and is still recognisable."""
    return _TERMINAL.sub(lambda m: ascii(m.group())[1:-1], text)


def line_comment(text: Any) -> str:
    """Text inside a comment that runs to the end of its line (R `#`, CSPro `//`, SPSS `*`)."""
    return one_line(text)


def spss_comment(text: Any) -> str:
    """Text inside an SPSS/PSPP `* ...` comment: one line; the comment command ends at the period
    the caller puts at the end of that line, so the text's own final period is dropped."""
    return one_line(text).rstrip(".").rstrip()


def stata_comment(text: Any) -> str:
    """Text inside a Stata `* ...` line: one line, and no `/*`, `*/` or `//` (Stata strips block
    comments before it reads lines, so a `/*` would swallow the lines after it, and a trailing
    `///` would join the next line to the comment); `$` and backquote escaped as in Stata text,
    so that no macro is expanded in it."""
    text = one_line(text).replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    return _break_markers(text, ("/*", "*/", "//"))


def sas_comment(text: Any) -> str:
    """Text inside a SAS `/* ... */` comment: one line, and no `*/` that would end it early."""
    return _break_markers(one_line(text), ("/*", "*/"))


def _break_markers(text: str, markers: tuple[str, ...]) -> str:
    changed = True
    while changed:  # "/*/" holds two markers that overlap: repeat until none is left
        changed = False
        for marker in markers:
            if marker in text:
                text = text.replace(marker, f"{marker[0]} {marker[1]}")
                changed = True
    return text


# XLSX --------------------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, unique in its workbook (`taken`, lower-cased, is updated): the
    characters []:*?/\\ become _, no apostrophe at either end, at most 31 characters; a name
    already taken gets " (2)", " (3)"..."""
    title = re.sub(r"[\[\]:*?/\\]", "_", xlsx_value(text))
    title = re.sub(r"^'|'$", "_", title[:31])
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def xlsx_value(value: Any) -> Any:
    """A value an XLSX cell can hold: the control characters XML 1.0 forbids (NUL, escape...)
    become spaces, where openpyxl would raise; tabs and line breaks stay."""
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub(" ", value)
    return value


def xlsx_literals(workbook: Any) -> Any:
    """Every cell that openpyxl would store as a formula (a text starting with `=`) is stored as
    text instead: the program writes no formulas, so any formula came from a label or a value.
    Call it on the workbook just before saving; returns the workbook."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return workbook

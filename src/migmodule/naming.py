"""Variable-name rules of the targets (Stata, SPSS, XLSForm, CSPro): one place for lint and exports."""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib.resources import files

STATA_RESERVED = {
    "_all",
    "_b",
    "byte",
    "_coef",
    "_cons",
    "double",
    "float",
    "if",
    "in",
    "int",
    "long",
    "_n",
    "_N",
    "_pi",
    "_pred",
    "_rc",
    "_skip",
    "strL",
    "using",
    "with",
}
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
STATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SPSS_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_.$#@]*$")
CSPRO_NAME = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$|^[A-Z]$")


@cache
def cspro_reserved_words() -> dict[str, str]:
    """CSPro's reserved words (upper case) -> the CSPro source they come from.

    `data/cspro_reserved_words.csv` is extracted from CSPro 8.0.1's `zLogicO` tables by
    `python -m migmodule.tools.cspro_reserved_words` (keywords, functions, namespaces and the
    additional words `ReservedWords::IsReservedWord` refuses); CSPro compares names ignoring case.
    """
    text = files("migmodule").joinpath("data/cspro_reserved_words.csv").read_text(encoding="utf-8")
    return {row["word"]: row["source"] for row in csv.DictReader(text.splitlines())}


def cspro_name_problem(name: str) -> str | None:
    """Why CSPro refuses this dictionary or logic name, or None."""
    if not CSPRO_NAME.match(name.upper()):
        return "CSPro names hold A-Z, 0-9 and _, start with a letter and do not end with _"
    if name.upper() in cspro_reserved_words():
        return f"a CSPro reserved word ({cspro_reserved_words()[name.upper()]})"
    return None


def variable_name_problems(name: str) -> list[tuple[str, str]]:
    """(target, reason) for every target that would refuse this variable name."""
    problems = []
    if len(name) > 32:
        problems.append(("Stata", f"{len(name)} characters; Stata allows 32"))
    if not STATA_NAME.match(name) or name in STATA_RESERVED or re.fullmatch(r"str\d+", name):
        problems.append(("Stata", "not a valid or a reserved Stata name"))
    if (
        len(name.encode()) > 64
        or not SPSS_NAME.match(name)
        or name.lower() in SPSS_RESERVED
        or name.endswith((".", "_"))
    ):
        problems.append(
            (
                "SPSS",
                "SPSS names start with a letter, are at most 64 bytes, are not reserved words and do not end in . or _",
            )
        )
    if not NCNAME.match(name):
        problems.append(
            ("XLSForm", "names must begin with a letter or _ and hold letters, digits, _, - or .")
        )
    cspro = cspro_name_problem(name)
    if cspro:
        problems.append(("CSPro", cspro))
    return problems


def stata_name_problem(name: str) -> str | None:
    """Why Stata refuses this name, or None."""
    if len(name) > 32 or not STATA_NAME.match(name):
        return "letters, digits and _ only, starting with a letter or _, at most 32 characters"
    if name in STATA_RESERVED or re.fullmatch(r"str\d+", name):
        return "a reserved word"
    return None


def spss_name_problem(name: str) -> str | None:
    """Why SPSS refuses this name, or None."""
    if not SPSS_NAME.match(name) or name.endswith("."):
        return "letters, digits and _ . @ # $ only, starting with a letter or @, not ending with ."
    if len(name.encode("utf-8")) > 64:
        return "longer than 64 bytes"
    if name.lower() in SPSS_RESERVED:
        return "a reserved word"
    return None

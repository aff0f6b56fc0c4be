"""Issue codes of the expression compilers (the language's own codes are in spec/codes.py)."""

from __future__ import annotations

from migmodule.codes import define

EXPR_TARGET = define(
    "EXPR-TARGET-001",
    "error",
    "Expression cannot be written in this target",
    "in {field} \"{expression}\": {reason} cannot be written in {target}; "
    "rewrite the rule without it or leave the rule out of this export.",
    "spec",
)
EXPR_DATE = define(
    "EXPR-DATE-001",
    "error",
    "Not a date",
    "in {field} \"{expression}\": {function}() needs a date, but '{name}' holds {found}; "
    "give a date variable (SPSS/Stata date format, or text YYYY-MM-DD).",
    "spec",
)
EXPR_NOT_A_NUMBER = define(
    "EXPR-TYPE-002",
    "error",
    "Arithmetic on text",
    "in {field} \"{expression}\": '{name}' holds text, not numbers; arithmetic needs numbers "
    "(recode the text answers, or compare them with == instead).",
    "spec",
)

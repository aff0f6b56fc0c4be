"""Issue codes of `migmodule compare`: national forms that cannot be read, and authoring defects
met in them (conditions that can never change, labels in the wrong column)."""

from migmodule.codes import define

FORM_FORMAT = define(
    "COMPARE-FORM-001",
    "error",
    "Unknown questionnaire format",
    "{path}: a national form must be an XLSForm (.xlsx, .xls, or its survey and choices sheets "
    "saved as .csv), a CSPro dictionary (.dcf), a DDI Codebook 2.5 (.xml) or a data file with "
    "labels (.sav, .dta); '{suffix}' is none of them.",
    "compare",
)
OUTPUT_IS_INPUT = define(
    "COMPARE-OUTPUT-001",
    "error",
    "Output would overwrite an input",
    "{path} is one of the national files being compared: the compare command never writes over its input. "
    "Write the report or the profile elsewhere.",
    "compare",
)
REPORT_FORMAT = define(
    "COMPARE-OUTPUT-002",
    "error",
    "Unknown report format",
    "{path}: a coverage report is written as .html, .xlsx, .md or .json; '{suffix}' is none of them.",
    "compare",
)
ALWAYS_TRUE = define(
    "COMPARE-LOGIC-001",
    "warning",
    "Condition always true",
    "The {column} of {variable} ({expression}) is true for every answer{detail}. It filters "
    "nothing: check the intended logic (often 'and' was meant for 'or').",
    "compare",
)
NEVER_TRUE = define(
    "COMPARE-LOGIC-002",
    "warning",
    "Condition never true",
    "The {column} of {variable} ({expression}) is false for every answer{detail}: the question "
    "is never asked. Check the codes it compares with.",
    "compare",
)
NOT_A_CHOICE = define(
    "COMPARE-LOGIC-003",
    "warning",
    "Condition compares with a code that is not a choice",
    "The {column} of {variable} compares {other} with '{code}', which is not a choice of its list "
    "'{list_name}' (choices: {choices}). Choice names are case-sensitive: use one of them.",
    "compare",
)
UNREADABLE_LOGIC = define(
    "COMPARE-LOGIC-004",
    "warning",
    "Condition cannot be read",
    "The {column} of {variable} cannot be read: {reason}. The universe of this question is not "
    "compared; fix the expression ({expression}).",
    "compare",
)
LABELS_SHIFTED = define(
    "COMPARE-LABEL-001",
    "warning",
    "Label columns shifted",
    "In the {sheet} sheet, rows with text in '{filled}' while '{empty}' is empty: {count} "
    "(first: {example}); the text may sit in the wrong language column.",
    "compare",
)
CHOICE_WITHOUT_LABEL = define(
    "COMPARE-LABEL-002",
    "warning",
    "Choice without a label",
    "Choice '{choice}' of list '{list_name}' has no label in any language: respondents and "
    "enumerators see only its name. Add a label.",
    "compare",
)

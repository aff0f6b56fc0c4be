"""Issue codes of the tabulate area: tables made from data files through a module and a profile.

TAB-NEED-001 is a note in a report (a table the data cannot give); the others refuse unusable
input (raised as MigmoduleError, exit code 2).
"""

from migmodule.codes import define
from migmodule.i18n import template

NOT_PRODUCED = define(
    "TAB-NEED-001",
    "warning",
    "Table not produced: the data lack a variable it needs",
    template("finding.TAB-NEED-001.message"),
    "tabulate",
)
UNKNOWN_TABLES = define(
    "TAB-OPTION-001",
    "error",
    "Unknown table group",
    "--tables {value}: no such table group. Use one or more of: {known} (separated by commas).",
    "tabulate",
)
BAD_VARIABLE = define(
    "TAB-OPTION-002",
    "error",
    "Option names a variable that cannot be tabulated",
    "{option} {variable}: {reason}. Name a question or derived variable of {module} or a "
    "column of {path}.",
    "tabulate",
)
NO_TABLES = define(
    "TAB-OPTION-003",
    "error",
    "Nothing to tabulate",
    "give --tables (one or more of: {known}) or --indicator VAR.",
    "tabulate",
)
REPORT_FORMAT = define(
    "TAB-REPORT-001",
    "error",
    "Unknown output format",
    "--report: the format is chosen by the file's extension: .xlsx, .html or .csv.",
    "tabulate",
)
SDMX_NEEDS_INDICATOR = define(
    "TAB-OPTION-004",
    "error",
    "SDMX-CSV needs an indicator and its series",
    "--sdmx {path}: {reason}. SDMX-CSV is written for an SDG indicator: give --indicator VAR "
    "and --series CODE (the SDG series code, e.g. SL_EMP_FTLINJUR).",
    "tabulate",
)
NOT_A_NUMBER = define(
    "TAB-OPTION-005",
    "error",
    "Indicator is neither a number nor a yes/no variable",
    "{option} {variable}: {reason}. To tabulate it: {fix}.",
    "tabulate",
)
SDMX_GROUPS_NOT_SENT = define(
    "TAB-SDMX-003",
    "info",
    "Migratory-status groups not written to SDMX-CSV",
    template("finding.TAB-SDMX-003.message"),
    "tabulate",
)

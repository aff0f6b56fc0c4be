"""Issue codes of the validate area: data files checked against a module.

DATA-* codes are data findings (reported, never raised); VAL-* codes are unusable input (raised).
Their messages live in the language catalogue (`finding.<CODE>.message` in i18n/*.yaml): English
here, and the report's language when a report is written (`i18n.finding_message`).
"""

from migmodule.codes import define
from migmodule.i18n import template

# Reading data files (declared by the neutral microdata package, shown here with validate's codes).
from migmodule.microdata.codes import DATA_FORMAT as DATA_FORMAT
from migmodule.microdata.codes import DATA_UNREADABLE as DATA_UNREADABLE

# Unusable input (raised as MigmoduleError, exit code 2)
DATA_LEVEL = define(
    "VAL-LEVEL-001",
    "error",
    "Data file cannot be matched to a level",
    template("finding.VAL-LEVEL-001.message"),
    "validate",
)
DATA_OPTION = define(
    "VAL-OPTION-001",
    "error",
    "Option names a variable the file does not have",
    template("finding.VAL-OPTION-001.message"),
    "validate",
)
DATA_MISSING_MAP = define(
    "VAL-OPTION-002",
    "error",
    "Bad special-missing mapping",
    template("finding.VAL-OPTION-002.message"),
    "validate",
)
REPORT_FORMAT = define(
    "VAL-REPORT-001",
    "error",
    "Unknown report format",
    template("finding.VAL-REPORT-001.message"),
    "validate",
)

# Coverage
COVER_CORE = define(
    "DATA-COVER-001",
    "error",
    "Core question has no variable in the file",
    template("finding.DATA-COVER-001.message"),
    "validate",
)
COVER_RECOMMENDED = define(
    "DATA-COVER-002",
    "warning",
    "Recommended question has no variable in the file",
    template("finding.DATA-COVER-002.message"),
    "validate",
)
COVER_OPTIONAL = define(
    "DATA-COVER-003",
    "info",
    "Optional question has no variable in the file",
    template("finding.DATA-COVER-003.message"),
    "validate",
)
COVER_EMPTY = define(
    "DATA-COVER-004",
    "warning",
    "Variable present but empty",
    template("finding.DATA-COVER-004.message"),
    "validate",
)

# Coding
CODE_OUT_OF_LIST = define(
    "DATA-CODE-001",
    "error",
    "Values outside the code list",
    template("finding.DATA-CODE-001.message"),
    "validate",
)
CODE_COUNTRY = define(
    "DATA-CODE-002",
    "error",
    "Invalid country codes",
    template("finding.DATA-CODE-002.message"),
    "validate",
)
CODE_LABEL_DRIFT = define(
    "DATA-CODE-003",
    "warning",
    "Value labels disagree with the spec",
    template("finding.DATA-CODE-003.message"),
    "validate",
)
TABLE_KEYS_MISSING = define(
    "DATA-TABLE-001",
    "warning",
    "Keys missing from a table parameter",
    template("finding.DATA-TABLE-001.message"),
    "validate",
)
CODE_TEXT_STORED = define(
    "DATA-CODE-004",
    "warning",
    "Numeric question stored as text",
    template("finding.DATA-CODE-004.message"),
    "validate",
)
CODE_NOT_NUMBER = define(
    "DATA-CODE-005",
    "error",
    "Text values in a numeric question",
    template("finding.DATA-CODE-005.message"),
    "validate",
)
CODE_RANGE = define(
    "DATA-RANGE-001",
    "error",
    "Values outside the question's range or constraint",
    template("finding.DATA-RANGE-001.message"),
    "validate",
)

# Universe (skip logic)
UNIV_OUTSIDE = define(
    "DATA-UNIV-001",
    "error",
    "Answered by someone outside the universe",
    template("finding.DATA-UNIV-001.message"),
    "validate",
)
UNIV_INSIDE = define(
    "DATA-UNIV-002",
    "error",
    "Missing for someone inside the universe",
    template("finding.DATA-UNIV-002.message"),
    "validate",
)

# Item non-response
UNIV_NATIONAL = define(
    "DATA-UNIV-003",
    "info",
    "National universe differs from the standard",
    template("finding.DATA-UNIV-003.message"),
    "validate",
)
NONRESPONSE = define(
    "DATA-NR-001",
    "warning",
    "Item non-response above the threshold",
    template("finding.DATA-NR-001.message"),
    "validate",
)

# Consistency edits
EDIT_ERROR = define(
    "DATA-EDIT-001",
    "error",
    "Consistency edit fails (error)",
    template("finding.DATA-EDIT-001.message"),
    "validate",
)
EDIT_WARNING = define(
    "DATA-EDIT-002",
    "warning",
    "Consistency edit fails (warning)",
    template("finding.DATA-EDIT-002.message"),
    "validate",
)

# Identifiers
ID_DUPLICATE = define(
    "DATA-ID-001",
    "error",
    "Duplicate identifiers",
    template("finding.DATA-ID-001.message"),
    "validate",
)
ID_ORPHAN = define(
    "DATA-ID-002",
    "error",
    "Units without a parent",
    template("finding.DATA-ID-002.message"),
    "validate",
)
ID_CHILDLESS = define(
    "DATA-ID-003",
    "warning",
    "Parent units without any child",
    template("finding.DATA-ID-003.message"),
    "validate",
)
ID_MISSING = define(
    "DATA-ID-004",
    "error",
    "Identifier variable missing",
    template("finding.DATA-ID-004.message"),
    "validate",
)

# Levels (flat files)
LEVEL_INCONSISTENT = define(
    "DATA-LEVEL-002",
    "error",
    "Rows of one unit disagree on a question of that unit",
    template("finding.DATA-LEVEL-002.message"),
    "validate",
)

# Choosing checks
CHECK_UNKNOWN = define(
    "VAL-OPTION-003",
    "error",
    "Unknown check",
    template("finding.VAL-OPTION-003.message"),
    "validate",
)
CSV_OPTION = define(
    "VAL-OPTION-004",
    "error",
    "Bad CSV reading option",
    template("finding.VAL-OPTION-004.message"),
    "validate",
)

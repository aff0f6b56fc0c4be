"""Issue codes of the validate area: data files checked against a module.

DATA-* codes are data findings (reported, never raised); VAL-* codes are unusable input (raised).
"""

from migmodule.codes import define

# Reading data files (declared by the neutral microdata package, shown here with validate's codes).
from migmodule.microdata.codes import DATA_FORMAT as DATA_FORMAT
from migmodule.microdata.codes import DATA_UNREADABLE as DATA_UNREADABLE

# Unusable input (raised as MigmoduleError, exit code 2)
DATA_LEVEL = define(
    "VAL-LEVEL-001",
    "error",
    "Data file cannot be matched to a level",
    "{path}: {reason}. Write LEVEL=PATH (levels: {levels}) or set `files` in the profile.",
    "validate",
)
DATA_OPTION = define(
    "VAL-OPTION-001",
    "error",
    "Option names a variable the file does not have",
    "{option} names '{variable}', which is not a variable of {path}. Variables include: {available}.",
    "validate",
)
DATA_MISSING_MAP = define(
    "VAL-OPTION-002",
    "error",
    "Bad special-missing mapping",
    "'{item}': {reason}. Write LETTER=KIND, e.g. a=dont_know (kinds: not_stated, dont_know, refused, "
    "not_applicable).",
    "validate",
)
REPORT_FORMAT = define(
    "VAL-REPORT-001",
    "error",
    "Unknown report format",
    "cannot write a report to {path}: use a .html, .json or .xlsx file name.",
    "validate",
)

# Coverage
COVER_CORE = define(
    "DATA-COVER-001",
    "error",
    "Core question has no variable in the file",
    "{module}: core question '{question}' has no variable '{variable}' in the data. Map it in the "
    "profile (`variables: {{{question}: NAME}}`) or run `migmodule map` to find it.",
    "validate",
)
COVER_RECOMMENDED = define(
    "DATA-COVER-002",
    "warning",
    "Recommended question has no variable in the file",
    "{module}: recommended question '{question}' has no variable '{variable}' in the data. Map it in "
    "the profile or exclude it there if it was not asked.",
    "validate",
)
COVER_OPTIONAL = define(
    "DATA-COVER-003",
    "info",
    "Optional question has no variable in the file",
    "{module}: {status} question '{question}' has no variable '{variable}' in the data (not an error: "
    "exclude it in the profile if it was not asked).",
    "validate",
)
COVER_EMPTY = define(
    "DATA-COVER-004",
    "warning",
    "Variable present but empty",
    "variable '{variable}' ({question}) is in the file but blank in all {rows} rows. Check the export "
    "or the mapping.",
    "validate",
)

# Coding
CODE_OUT_OF_LIST = define(
    "DATA-CODE-001",
    "error",
    "Values outside the code list",
    "'{variable}' ({question}) has {count} value(s) that are not codes of list '{code_list}' "
    "(e.g. {values}). Recode them in the profile (`recodes`) or correct the data.",
    "validate",
)
CODE_COUNTRY = define(
    "DATA-CODE-002",
    "error",
    "Invalid country codes",
    "'{variable}' ({question}) has {count} value(s) that are neither UN M49 country codes nor special "
    "codes of list '{code_list}' (e.g. {values}). Map national codes to M49 in the profile's `recodes`.",
    "validate",
)
CODE_LABEL_DRIFT = define(
    "DATA-CODE-003",
    "warning",
    "Value labels disagree with the spec",
    "'{variable}' ({question}): the file's value labels disagree with list '{code_list}' for "
    "{count} code(s): {details}. Check that the codes mean what the standard says.",
    "validate",
)
CODE_TEXT_STORED = define(
    "DATA-CODE-004",
    "warning",
    "Numeric question stored as text",
    "'{variable}' ({question}) is a {type} question but is stored as text in the file; it was read as "
    "numbers ({count} value(s) are not numbers). Store it as a numeric variable.",
    "validate",
)
CODE_NOT_NUMBER = define(
    "DATA-CODE-005",
    "error",
    "Text values in a numeric question",
    "'{variable}' ({question}) has {count} value(s) that are not numbers (e.g. {values}).",
    "validate",
)
CODE_RANGE = define(
    "DATA-RANGE-001",
    "error",
    "Values outside the question's range or constraint",
    "'{variable}' ({question}) has {count} value(s) outside {rule} (e.g. {values}).",
    "validate",
)

# Universe (skip logic)
UNIV_OUTSIDE = define(
    "DATA-UNIV-001",
    "error",
    "Answered by someone outside the universe",
    "'{variable}' ({question}) is answered for {count} unit(s) outside its universe `{universe}` "
    "({sentence}) Check the skip logic of the questionnaire.",
    "validate",
)
UNIV_INSIDE = define(
    "DATA-UNIV-002",
    "error",
    "Missing for someone inside the universe",
    "'{variable}' ({question}) is blank for {count} unit(s) inside its universe `{universe}` "
    "({sentence}) A question skipped for them should have been asked.",
    "validate",
)

# Item non-response
UNIV_NATIONAL = define(
    "DATA-UNIV-003",
    "info",
    "National universe differs from the standard",
    "{module}: the profile gives '{question}' a national universe. National: {national_sentence} "
    "Standard: {standard_sentence} Its skip logic and non-response are checked against the "
    "national universe; the module's edits that read it are checked inside the standard universe.",
    "validate",
)
NONRESPONSE = define(
    "DATA-NR-001",
    "warning",
    "Item non-response above the threshold",
    "'{variable}' ({question}): {rate:.1%} of the {universe_count} units in its universe did not "
    "answer (not stated {not_stated}, don't know {dont_know}, refused {refused}, blank {blank}); the "
    "threshold is {threshold:.1%}.",
    "validate",
)

# Consistency edits
EDIT_ERROR = define(
    "DATA-EDIT-001",
    "error",
    "Consistency edit fails (error)",
    "edit {edit} ({title}) fails for {count} unit(s): {message}",
    "validate",
)
EDIT_WARNING = define(
    "DATA-EDIT-002",
    "warning",
    "Consistency edit fails (warning)",
    "edit {edit} ({title}) fails for {count} unit(s): {message}",
    "validate",
)

# Identifiers
ID_DUPLICATE = define(
    "DATA-ID-001",
    "error",
    "Duplicate identifiers",
    "{level} file: {count} row(s) repeat the identifier ({id_variables}) of an earlier row. Each "
    "{noun_one} must have one row.",
    "validate",
)
ID_ORPHAN = define(
    "DATA-ID-002",
    "error",
    "Units without a parent",
    "{count} {level} row(s) have a {parent} identifier ({id_variables}) that is not in the {parent} "
    "file.",
    "validate",
)
ID_CHILDLESS = define(
    "DATA-ID-003",
    "warning",
    "Parent units without any child",
    "{count} {parent} row(s) have no {level} row in the {level} file.",
    "validate",
)
ID_MISSING = define(
    "DATA-ID-004",
    "error",
    "Identifier variable missing",
    "the {level} file has no identifier variable '{variable}'; identifier checks and linking to the "
    "{level} level are skipped. Map it in the profile (`variables`).",
    "validate",
)

# Levels (flat files)
LEVEL_INCONSISTENT = define(
    "DATA-LEVEL-002",
    "error",
    "Rows of one unit disagree on a question of that unit",
    "'{variable}' ({question}) is a {level} question read from a flat file, but its rows disagree "
    "within {count} {noun} (e.g. {examples}). Each {noun_one} must give one answer, repeated on "
    "all its rows; the {level} checks used the answer on the first row of each {noun_one} "
    "(identified by {id_variables}). Correct the file.",
    "validate",
)

# Choosing checks
CHECK_UNKNOWN = define(
    "VAL-OPTION-003",
    "error",
    "Unknown check",
    "'{item}' is neither a check nor an issue code of validate. Checks: {names}. Codes: {codes}.",
    "validate",
)

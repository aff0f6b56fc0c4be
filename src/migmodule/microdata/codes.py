"""Issue codes of reading data files (raised: the file cannot be used).

They keep the `validate` area and their VAL-FILE codes: validation is where users meet them first.
"""

from migmodule.codes import define

DATA_UNREADABLE = define(
    "VAL-FILE-001",
    "error",
    "Data file cannot be read",
    "the file cannot be read: {reason}. Check the path and the format (.sav, .zsav, .dta, .sas7bdat, .xpt, .csv, .parquet).",
    "validate",
)
DATA_FORMAT = define(
    "VAL-FILE-002",
    "error",
    "Unsupported data file format",
    "the extension '{suffix}' is not supported. Give a .sav, .zsav, .dta, .sas7bdat, .xpt, .csv or .parquet file.",
    "validate",
)
DATA_TRUNCATED = define(
    "VAL-FILE-003",
    "error",
    "Data file is cut short",
    "the file is cut short: it has {size:,} bytes but its header says {expected:,}. The copy or the "
    "download stopped early; copy the file again.",
    "validate",
)
DATA_DUPLICATE_COLUMN = define(
    "VAL-FILE-004",
    "error",
    "Two columns with the same name",
    "the column name '{name}' appears {count} times in the header (columns {positions}). "
    "Rename one of them: a checked variable must name one column.",
    "validate",
)
DATA_EMPTY = define(
    "VAL-FILE-005",
    "error",
    "Data file has no rows",
    "the file has no data rows (only its variables). Give the file with the answers: an empty file "
    "cannot be reported valid.",
    "validate",
)

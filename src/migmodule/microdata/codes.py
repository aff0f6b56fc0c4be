"""Issue codes of reading data files (raised: the file cannot be used).

They keep the `validate` area and their VAL-FILE codes: validation is where users meet them first.
"""

from migmodule.codes import define

DATA_UNREADABLE = define(
    "VAL-FILE-001",
    "error",
    "Data file cannot be read",
    "cannot read {path}: {reason}. Check the path and the format (.sav, .zsav, .dta, .sas7bdat, .xpt, .csv, .parquet).",
    "validate",
)
DATA_FORMAT = define(
    "VAL-FILE-002",
    "error",
    "Unsupported data file format",
    "{path}: the extension '{suffix}' is not supported. Give a .sav, .zsav, .dta, .sas7bdat, .xpt, .csv or .parquet file.",
    "validate",
)

"""Reading microdata files (.dta, .sav/.zsav, .sas7bdat/.xpt, .csv, .parquet): one room for every
engine that reads data.

`DataSource` reads chosen columns in chunks (validate); `read_table` reads a whole file
(apply-labels). source.py holds the readers, readstat.py the polars-readstat path (SPSS, Stata,
SAS), records.py a fixed-record chunk loop, codes.py the issue codes of unreadable files.
"""

from migmodule.microdata.source import (
    FORMATS,
    ColumnInfo,
    DataSource,
    RawChunk,
    letter_positions,
)
from migmodule.microdata.table import Table, read_table

__all__ = [
    "FORMATS",
    "ColumnInfo",
    "DataSource",
    "RawChunk",
    "Table",
    "letter_positions",
    "read_table",
]

"""Issue codes of tabulation estimates (design-based cells, small-cell rules) and of SDMX-CSV output."""

from __future__ import annotations

from migmodule.codes import define

ESTIMATE_COLUMN_MISSING = define(
    "TAB-EST-001",
    "error",
    "A column the estimate needs is not in the data",
    "Column '{column}' ({role}) is not in the data. Name a column of the file (columns: "
    "{available}), or check the profile's mapping.",
    "tabulate",
)
ESTIMATE_BAD_OPTION = define(
    "TAB-EST-002",
    "error",
    "Estimate option not usable",
    "{option} = {value} cannot be used: {reason}.",
    "tabulate",
)
ESTIMATE_NOT_INDICATOR = define(
    "TAB-EST-003",
    "error",
    "A proportion needs a 0/1 indicator",
    "Column '{column}' has values other than 0 and 1 (e.g. {examples}); a proportion is estimated "
    "from a 0/1 indicator. Recode it (1 = has the characteristic), or ask for a mean.",
    "tabulate",
)
ESTIMATE_NOT_NUMERIC = define(
    "TAB-EST-004",
    "error",
    "The value to estimate is not numeric",
    "Column '{column}' is not numeric (e.g. {examples}); a {statistic} is estimated from numbers.",
    "tabulate",
)
ESTIMATE_BAD_WEIGHT = define(
    "TAB-EST-005",
    "error",
    "Survey weights not usable",
    "Weight column '{column}' has {problem} in {count} of its rows (first rows: {rows}); every unit "
    "needs a weight of 0 or more.",
    "tabulate",
)
ESTIMATE_DESIGN_MISSING = define(
    "TAB-EST-006",
    "error",
    "Design variable not stated",
    "The {role} column '{column}' is empty in {count} of its rows (first rows: {rows}); every unit "
    "needs its stratum and primary sampling unit for the standard errors.",
    "tabulate",
)
ESTIMATE_LIBRARY_MISSING = define(
    "TAB-EST-007",
    "error",
    "Survey estimation library not installed",
    "Standard errors need the survey library svy (Python 3.11 or later): "
    "pip install 'migmodule[tabulate]'. {detail}",
    "tabulate",
)
SUPPRESS_BAD_RULE = define(
    "TAB-EST-008",
    "error",
    "Small-cell rule not usable",
    "{option} = {value} cannot be used: {reason}.",
    "tabulate",
)
SDMX_BAD_INPUT = define(
    "TAB-SDMX-001",
    "error",
    "Figures cannot be written as SDMX-CSV",
    "{problem}. {fix}",
    "tabulate",
)
SDMX_LIBRARY_MISSING = define(
    "TAB-SDMX-002",
    "error",
    "SDMX library not installed",
    "SDMX-CSV output needs pysdmx: pip install 'migmodule[tabulate]'. {detail}",
    "tabulate",
)

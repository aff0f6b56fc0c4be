"""Issue codes of matching (`migmodule map`): codebooks that cannot be read."""

from migmodule.codes import define

CODEBOOK_FORMAT = define(
    "MAP-CODEBOOK-001",
    "error",
    "Unknown codebook format",
    "{path}: a codebook must be an XLSForm (.xlsx, .xls), a CSPro dictionary (.dcf, text 7.x or "
    "JSON 8) or a DDI Codebook 2.5 file (.xml); '{suffix}' is none of them.",
    "validate",
)
CODEBOOK_UNREADABLE = define(
    "MAP-CODEBOOK-002",
    "error",
    "Codebook cannot be read",
    "{path} cannot be read as {kind}: {reason}. Check that the file is complete and in that format.",
    "validate",
)
OUTPUT_IS_DATA = define(
    "MAP-OUTPUT-001",
    "error",
    "Proposal would overwrite the data file",
    "{path} is the data file itself: the map command never overwrites data. Write the profile elsewhere "
    "(-o profile.yaml).",
    "validate",
)

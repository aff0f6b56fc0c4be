"""`migmodule export r`: an R script applying labels with haven conventions (labelled_spss)."""

from __future__ import annotations

from migmodule.cli.common import syntax_export_command

r = syntax_export_command(
    "r",
    ".R",
    "Write an R script: migmodule_labels(data) sets variable labels, value labels and user-missing values (haven::labelled_spss) on data read with haven.",
    "migmodule.export.r:export_r",
    __name__,
)

"""`migmodule export sas`: a SAS program of PROC FORMAT value formats, LABEL and FORMAT statements."""

from __future__ import annotations

from migmodule.cli.common import syntax_export_command

sas = syntax_export_command(
    "sas",
    ".sas",
    "Write a SAS program: PROC FORMAT value formats and %migmodule_labels(data), which sets LABEL and FORMAT and turns special codes into SAS special missing values (.A, .B, .C, .D).",
    "migmodule.export.sas:export_sas",
    __name__,
)

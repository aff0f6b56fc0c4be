"""Exports: adapted modules -> files for the tools NSOs use. Each format is one library module here
and one command module in `migmodule/cli/`; `EXPORTS` registers both.

Every export function has one signature and one result:

    export_<name>(adapted: list[Adapted], out_path, *, languages=None, **options) -> ExportResult

and reads codes, bounds and rules from `migmodule.spec.resolve`, never from its own copy.
Adding a format: write `export/<name>.py` and `cli/export_<name>.py` (a click command called
`<name>`), add one line below, and test it in `tests/test_export_<name>.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from migmodule.export.cspro import export_cspro
from migmodule.export.ddi import export_ddi
from migmodule.export.labels import export_spss, export_stata
from migmodule.export.r import export_r
from migmodule.export.result import ExportResult
from migmodule.export.sas import export_sas
from migmodule.export.xlsform import export_xlsform

__all__ = ["EXPORTS", "ExportResult", "ExportTarget"]


@dataclass(frozen=True)
class ExportTarget:
    """One export format: `migmodule export <name>` runs `function` through `command_module`."""

    name: str  # the command name, `migmodule export <name>`
    function: Callable[..., ExportResult]
    command_module: str  # the CLI module defining the click command `<name>`


EXPORTS: tuple[ExportTarget, ...] = (
    ExportTarget("xlsform", export_xlsform, "migmodule.cli.export_xlsform"),
    ExportTarget("cspro", export_cspro, "migmodule.cli.export_cspro"),
    ExportTarget("stata", export_stata, "migmodule.cli.export_labels"),
    ExportTarget("spss", export_spss, "migmodule.cli.export_labels"),
    ExportTarget("ddi", export_ddi, "migmodule.cli.export_ddi"),
    ExportTarget("r", export_r, "migmodule.cli.export_r"),
    ExportTarget("sas", export_sas, "migmodule.cli.export_sas"),
)

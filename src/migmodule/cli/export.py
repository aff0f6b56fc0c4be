"""`migmodule export ...`: the export group. Each format's commands live in their own module."""

from __future__ import annotations

import importlib

import click

# Modules that add commands: EXPORT_COMMANDS go under `export`, COMMANDS at the top level.
PARTS = (
    "migmodule.cli.export_xlsform",
    "migmodule.cli.export_labels",
    "migmodule.cli.export_cspro",
    "migmodule.cli.export_ddi",
)


@click.group()
def export() -> None:
    """Export modules to the tools NSOs use (XLSForm, CSPro, Stata, SPSS, DDI)."""


COMMANDS: list[click.Command] = [export]

for _name in PARTS:
    try:
        _part = importlib.import_module(_name)
    except ModuleNotFoundError as exc:
        if not (exc.name and _name.startswith(exc.name)):
            raise
        continue
    for _command in getattr(_part, "EXPORT_COMMANDS", ()):
        export.add_command(_command)
    COMMANDS.extend(getattr(_part, "COMMANDS", ()))

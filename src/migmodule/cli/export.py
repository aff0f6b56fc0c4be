"""`migmodule export <format>`: one command per entry of `migmodule.export.EXPORTS`.

Each format's command lives in the CLI module its entry names (`cli/export_<format>.py`), as a
click command called like the format; a missing module or command fails at once, loudly.
"""

from __future__ import annotations

import importlib

import click

from migmodule.cli.export_labels import apply_labels
from migmodule.export import EXPORTS


@click.group()
def export() -> None:
    """Export modules to the tools NSOs use (XLSForm, CSPro, Stata, SPSS, R, SAS, DDI)."""


for _target in EXPORTS:
    export.add_command(getattr(importlib.import_module(_target.command_module), _target.name))

COMMANDS: list[click.Command] = [export, apply_labels]

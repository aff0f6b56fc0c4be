"""The `migmodule` command. Thin: each command parses options, calls one library function, prints.

Commands live by group in this package (spec.py, export.py, validate.py, handout.py).
"""

from __future__ import annotations

import importlib

import click

from migmodule import __version__

COMMAND_MODULES = (
    "migmodule.cli.spec",
    "migmodule.cli.export",
    "migmodule.cli.validate",
    "migmodule.cli.handout",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="migmodule")
def main() -> None:
    """migmodule: versioned migration question modules, exports and microdata validation.

    Exit codes: 0 success; 1 findings at or above --fail-on; 2 unusable input or usage error.
    """


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:
        if not (exc.name and _name.startswith(exc.name)):
            raise
        continue
    for _command in _module.COMMANDS:
        main.add_command(_command)

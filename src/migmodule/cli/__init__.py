"""The `migmodule` command. Thin: each command parses options, calls one library function, prints.

Commands live by group in this package (spec.py, profile.py, export.py, validate.py, handout.py),
imported plainly below: a module that cannot be imported stops the program with its error.
"""

from __future__ import annotations

import click

from migmodule import __version__
from migmodule.cli.common import CodedGroup


@click.group(
    cls=CodedGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="migmodule")
def main() -> None:
    """migmodule: versioned migration question modules, exports and microdata validation.

    Exit codes: 0 success; 1 findings at or above --fail-on; 2 unusable input or usage error.
    """


# Imported here, after `main`, so that a command module may import from this package.
from migmodule.cli import (  # noqa: E402
    compare,  # noqa: E402
    export,
    handout,
    profile,
    spec,
    tabulate,
    validate,
)

for _module in (spec, profile, export, validate, handout, compare, tabulate):
    for _command in _module.COMMANDS:
        main.add_command(_command)

"""The `migmodule` command. Thin: each command parses options, calls one library function, prints.

Commands live by group in this package (spec.py, profile.py, export.py, validate.py, ...) and are
imported when they are run, not when the program starts (click's lazy group pattern): `COMMANDS`
names each command's module and attribute, with the first paragraph of its help, which is what
`migmodule --help` lists. So `migmodule --version` or `list` import neither the exporters, the
handout nor the data libraries. A command module that cannot be imported stops the program with
its error when that command (or `main.commands`) is asked for.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import MutableMapping
from typing import Any

import click

from migmodule import __version__
from migmodule.cli.common import CodedGroup

# name -> ("module:attribute", first paragraph of the command's help, as --help shows it);
# tests/test_startup.py holds the help here to the command's own.
COMMANDS: dict[str, tuple[str, str]] = {
    "apply-labels": (
        "migmodule.cli.export_labels:apply_labels",
        "Write DATA (.csv, .dta, .sav) with the modules' variable labels, value labels and "
        "missing values.",
    ),
    "compare": (
        "migmodule.cli.compare:compare_command",
        "Compare a national questionnaire (FORMS) with a standard module.",
    ),
    "diff": (
        "migmodule.cli.spec:diff",
        "Changes from OLD to NEW (MODULE@A MODULE@B or paths), each classified major, minor or "
        "patch.",
    ),
    "export": (
        "migmodule.cli.export:export",
        "Export modules to the tools NSOs use (XLSForm, CSPro, Stata, SPSS, R, SAS, DDI).",
    ),
    "handout": (
        "migmodule.cli.handout:handout",
        "Write a handout for trainers: each question with its codes, who is asked, where to go "
        "next, interviewer instructions, common mistakes and consistency checks; a routing "
        "diagram; code lists and exercises as appendices.",
    ),
    "lint": (
        "migmodule.cli.spec:lint",
        "Lint modules: built-in references (MODULE[@VERSION]) or spec file paths; none: the "
        "whole bank.",
    ),
    "list": ("migmodule.cli.bank:list_command", "List the built-in modules and their versions."),
    "map": (
        "migmodule.cli.validate:map_command",
        "Propose a profile for DATA: identifiers, questions, weight and recodes, with the "
        "evidence.",
    ),
    "profile": (
        "migmodule.cli.profile:profile",
        "National profiles: country, dates, parameters, optional questions, national names and "
        "codes.",
    ),
    "schema": (
        "migmodule.cli.spec:schema",
        "Print the JSON Schema of module spec files (for editors).",
    ),
    "show": (
        "migmodule.cli.spec:show",
        "Show MODULE[@VERSION] (no version: the newest released one).",
    ),
    "tabulate": (
        "migmodule.cli.tabulate:tabulate",
        "Make the standard migration tables from survey or census DATA (.sav, .dta, .csv, ...).",
    ),
    "validate": (
        "migmodule.cli.validate:validate",
        "Check survey or census DATA (.sav, .zsav, .dta, .csv, .parquet) against a module.",
    ),
}


class LazyGroup(CodedGroup):
    """A group whose commands are imported on demand from a table name -> (module:attribute,
    short help). `--help` lists them from the table; `commands` (the mapping click and the
    tests read) imports every one."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    # click assigns `self.commands` in Group.__init__; reading it loads every lazy command.
    @property
    def commands(self) -> MutableMapping[str, click.Command]:  # type: ignore[override]
        for name in self.lazy:
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._loaded = value

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        self.lazy.pop(name, None)
        self._loaded[name] = cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._loaded, *self.lazy})

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            return self._load(cmd_name)
        return self._loaded.get(cmd_name)

    def _load(self, name: str) -> click.Command:
        if name not in self._loaded:
            module_name, attribute = self.lazy[name][0].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}:{attribute} is not a click command")
            self._loaded[name] = command
        return self._loaded[name]

    def help_line(self, name: str, limit: int) -> str:
        """A command's line in `--help`: from the table unless the command is already loaded."""
        command = self._loaded.get(name)
        if command is None:  # a stand-in with the same help shortens it exactly as click does
            command = click.Command(name, help=self.lazy[name][1])
        return command.get_short_help_str(limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [n for n in self.list_commands(ctx) if n in self.lazy or not self._loaded[n].hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        with formatter.section("Commands"):
            formatter.write_dl([(n, self.help_line(n, limit)) for n in names])


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="migmodule")
def main() -> None:
    """migmodule: versioned migration question modules, exports and microdata validation.

    Exit codes: 0 success; 1 findings at or above --fail-on; 2 unusable input or usage error.
    """


# A program that has already imported the export package (the Python API) has paid for it: its
# export commands are built now, so that a registered format whose command module is missing
# fails at import, loudly. The command line itself imports them only for `migmodule export`.
if "migmodule.export" in sys.modules:
    main.get_command(None, "export")

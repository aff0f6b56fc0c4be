"""Start-up: the quick commands import no data library (pandas, pyarrow, polars, numpy readers).

A behaviour test, not a timed one: each command runs in a fresh interpreter and reports which heavy
modules it imported. The start-up times themselves are measured by bench/bench_validate.py.

The command group is lazy (`migmodule.cli.COMMANDS`: name -> module:attribute and short help):
`--version` and `list` import no other command module, no exporter, handout or pydantic model,
and `--help` lists every command with its own short help without importing them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from migmodule.cli import COMMANDS, LazyGroup, main

HEAVY = ("pandas", "pyarrow", "polars", "polars_readstat", "pyreadstat", "dask", "distributed")
# what the lazy group keeps out of the quick commands
COMMAND_MODULES = (
    "pandas",
    "pydantic",
    "migmodule.export",
    "migmodule.handout",
    "migmodule.profile",
    "migmodule.spec.model",
    "migmodule.cli.export",
    "migmodule.cli.handout",
    "migmodule.cli.validate",
    "migmodule.cli.spec",
)

PROBE = """
import json, sys
sys.argv = ["migmodule", *json.loads(sys.argv[1])]
from migmodule.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy), json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--version",), ("list",), ("--help",)])
def test_quick_commands_import_no_data_library(args):
    assert imported_by(*args) == []


def test_the_probe_sees_a_command_that_reads_data(tmp_path):
    """validate on a CSV does import the data libraries: the probe sees them, so the empty lists
    above mean something."""
    data = tmp_path / "persons.csv"
    data.write_text("hh_id,person_no,age\n1,1,30\n", encoding="utf-8")
    spec = Path(__file__).parent / "specs" / "mini.yaml"
    assert "pandas" in imported_by("validate", str(data), "--module", str(spec))


@pytest.mark.parametrize("args", [("--version",), ("list",), ("--help",)])
def test_quick_commands_import_no_other_command(args):
    assert imported_by(*args, heavy=COMMAND_MODULES) == []


def test_the_probe_sees_the_commands_a_command_imports():
    """`show` builds the models: the probe sees pydantic, so the empty lists above mean something."""
    found = imported_by("show", "census-key-questions", heavy=COMMAND_MODULES)
    assert "pydantic" in found and "migmodule.cli.spec" in found
    assert "migmodule.export" not in found and "migmodule.handout" not in found


HELP = """
import json
import click
from click.testing import CliRunner
from migmodule.cli import main
lazy = CliRunner().invoke(main, ["--help"], prog_name="migmodule", terminal_width=100).output
loaded = sorted(m for m in sys.modules if m.startswith("migmodule.cli."))
eager = click.Group(
    "migmodule", commands=dict(main.commands), help=main.help, params=main.params,
    context_settings=main.context_settings,
)
whole = CliRunner().invoke(eager, ["--help"], prog_name="migmodule", terminal_width=100).output
print(json.dumps({"lazy": lazy, "eager": whole, "loaded": loaded}))
"""


def test_help_lists_every_command_with_its_own_short_help():
    """`--help` from the table, in a fresh interpreter, is the help of a plain group holding the
    imported commands, and it imported none of them."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + HELP], capture_output=True, text=True, timeout=120
    )
    shown = json.loads(done.stdout)
    assert shown["lazy"] == shown["eager"]
    assert shown["loaded"] == ["migmodule.cli.common"]
    for name in main.commands:
        assert f"\n  {name}  " in shown["lazy"]


def test_the_table_holds_each_command_and_its_help():
    assert set(main.commands) == set(COMMANDS)
    for name, (target, help_text) in COMMANDS.items():
        command = main.commands[name]
        assert command.name == name
        assert target.split(":")[0] == command.callback.__module__
        # the whole first paragraph, not only what fits on a line
        stand_in = click.Command(name, help=help_text)
        assert stand_in.get_short_help_str(1000) == command.get_short_help_str(1000)


def test_a_command_whose_module_is_missing_fails_loudly():
    group = LazyGroup("demo", lazy={"nothing": ("migmodule.cli.no_such_module:run", "Nothing.")})
    assert group.list_commands(None) == ["nothing"]
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        group.get_command(None, "nothing")
    not_a_command = LazyGroup("demo", lazy={"version": ("migmodule:__version__", "A string.")})
    with pytest.raises(TypeError, match="not a click command"):
        not_a_command.get_command(None, "version")


def test_every_command_a_cli_module_declares_is_in_the_table():
    """A command added to a module's COMMANDS list (cli/spec.py, cli/validate.py, ...) but not to
    the lazy table would silently be missing from `migmodule`."""
    import importlib
    import pkgutil

    import migmodule.cli as cli

    declared = {}
    for info in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"migmodule.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            declared[command.name] = command
    assert declared and set(declared) <= set(COMMANDS)
    for name, command in declared.items():
        assert main.commands[name] is command

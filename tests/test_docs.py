"""Documentation tells the truth: every issue code and every command is documented."""

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import all_codes
from migmodule.codes_doc import render

ROOT = Path(__file__).resolve().parents[1]


def test_issue_codes_doc_is_current():
    doc = (ROOT / "docs" / "issue-codes.md").read_text(encoding="utf-8")
    assert doc == render(), "docs/issue-codes.md is stale: run `python -m migmodule.codes_doc`"


def test_every_code_is_documented_with_a_message():
    doc = (ROOT / "docs" / "issue-codes.md").read_text(encoding="utf-8")
    for code, issue in all_codes().items():
        assert f"`{code}`" in doc
        assert issue.title and issue.template


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        names.append(full)
        if isinstance(command, click.Group):
            names.extend(_commands(command, full + " "))
    return names


@pytest.mark.parametrize("command", _commands(main))
def test_every_command_is_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"migmodule {command}" in readme, f"README does not mention `migmodule {command}`"


def _command(path: str) -> click.Command:
    command: click.Command = main
    for name in path.split():
        command = command.commands[name]
    return command


def test_every_command_has_help():
    for command in _commands(main):
        result = CliRunner().invoke(main, [*command.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        assert (_command(command).help or "").strip(), f"`migmodule {command}` has no help text"


def _defines_codes(path: Path) -> bool:
    return bool(re.search(r"^\s*[A-Z_0-9]+ = define\(", path.read_text(encoding="utf-8"), re.M))


def test_all_codes_imports_every_module_that_defines_codes():
    """all_codes() imports plainly; a module calling define() that it does not import would leave
    its codes out of docs/issue-codes.md without a word."""
    package = ROOT / "src" / "migmodule"
    defining = sorted(
        ".".join(("migmodule", *path.relative_to(package).with_suffix("").parts))
        for path in package.rglob("*.py")
        if _defines_codes(path)
    )
    assert "migmodule.export.codes" in defining and "migmodule.spec.codes" in defining
    script = (
        "import sys; from migmodule.codes import all_codes; all_codes(); "
        f"print([m for m in {defining!r} if m not in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"all_codes() does not import {out.stdout.strip()}"

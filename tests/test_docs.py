"""Documentation tells the truth: every issue code and every command is documented."""

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


def test_every_command_has_help():
    for command in _commands(main):
        result = CliRunner().invoke(main, [*command.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output

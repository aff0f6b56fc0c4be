"""CONTRIBUTING.md stays true: every file it names exists, and each extension point it describes is
a registry that the tests hold (checks, exports, issue codes)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def named_paths() -> list[str]:
    """Paths in backticks or links that name a file or folder of the repository (templates such
    as `<name>` are left out)."""
    found = re.findall(r"`([A-Za-z0-9_./-]+)`", TEXT) + re.findall(r"\]\(([^)#]+)\)", TEXT)
    prefixes = ("src/", "tests/", "modules/", "docs/", "samples/")
    return sorted({p for p in found if p.startswith(prefixes) and "<" not in p})


def test_every_path_contributing_names_exists():
    paths = named_paths()
    assert len(paths) > 15  # the document names the files of each recipe
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"CONTRIBUTING.md names files that do not exist: {missing}"


def test_the_recipes_name_the_registries_the_code_has():
    from migmodule.export import EXPORTS
    from migmodule.validate.checks import CHECKS

    assert "CHECKS" in TEXT and CHECKS
    assert "EXPORTS" in TEXT and EXPORTS
    for target in EXPORTS:  # each registered export follows the two-file recipe
        module = target.function.__module__
        assert module.startswith("migmodule.export."), module
        assert target.command_module.startswith("migmodule.cli.export"), target.command_module
